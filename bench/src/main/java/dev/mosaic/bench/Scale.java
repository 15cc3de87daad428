package dev.mosaic.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scale curve: one runtime, M versions of one shared module released side by side, then
 * N trivial adapters (each its own bundle and route, all importing the module with range
 * {@code [1.0,2)}) for N = 10, 100, 1,000, 10,000 up to a limit. At each N: how long filling
 * up took, the deploy latency of one more adapter (call to its route answering), heap after
 * GC and its growth per adapter, and start-to-ready after a restart with all N deployed.
 * Baselines in the same run: a runtime of ten adapters for deploys, the restart at the
 * smallest N for start-to-ready. Route lookup cost is measured
 * separately with JMH ({@code bench/run lookup}).
 *
 * <p>"One more adapter" is measured {@value #PROBES} times at each N, each a new adapter
 * deployed and undeployed again, after at least {@value #WARM_UP} deploys on that runtime
 * (each N runs on the restart that the previous N measured). Its yardstick is a second
 * runtime holding {@value #BASE_N} adapters, warmed up the same way, probed in alternation
 * with the first: the ratio is the median of the paired ratios, both measured in the same
 * minutes, which the machine's drift over a long run would otherwise swamp. The framework's
 * own share is measured the same way: a bare Felix grown to N bundles against one of
 * {@value #BASE_N} ({@link FelixAlone}), one more bundle installed, resolved and started. The optional third argument
 * {@code config-ignored} generates adapters declaring {@code configurationPolicy = IGNORE}:
 * Declarative Services then gives their bundles no ConfigurationAdmin tracker, and they hold
 * no framework service listener at all.
 *
 * <p>The bundles are generated from two templates the build makes with bnd
 * (itests/fixtures: scale-module, scale-adapter) by rewriting their names, versions and
 * routes; their classes are the bnd-built ones.
 */
final class Scale {

    /** Deploys of one more adapter measured at each N, each undeployed again so that N stays N. */
    private static final int PROBES = 60;
    private static final int WARM_UP = 300;
    private static final int PROBE_BASE = 1_000_000;
    /** Adapters in the yardstick runtime. */
    private static final int BASE_N = 10;
    private static final String ADAPTER_PREFIX = "dev.mosaic.bench.scale.a";
    private static final String COMPONENT = "dev.mosaic.fixtures.scaleadapter.ScaleAdapter";

    private Scale() {
    }

    static void run(String[] args) throws Exception {
        int maxN = Bench.arg(args, 0, 10_000);
        int modules = Bench.arg(args, 1, 10);
        byte[] moduleTemplate = Files.readAllBytes(Bench.fixture("scale-module"));
        byte[] adapterTemplate = Files.readAllBytes(Bench.fixture("scale-adapter"));
        boolean ignoreConfiguration = args.length > 2 && args[2].equals("config-ignored");
        if (ignoreConfiguration) {
            // as if written @Component(configurationPolicy = IGNORE): Declarative Services then opens
            // no ConfigurationAdmin tracker, so one framework service listener less per adapter bundle
            adapterTemplate = rewrite(adapterTemplate, main -> { }, Map.of("name=\"" + COMPONENT + "\"",
                    "configuration-policy=\"ignore\" name=\"" + COMPONENT + "\""));
        }
        String newest = "1." + (modules - 1) + ".0";
        Path data = Bench.tempDir("bench-scale-");
        List<String> jvm = List.of();

        List<Row> rows = new ArrayList<>();
        // the yardstick for "one more adapter": a second runtime that stays at BASE_N adapters,
        // probed in alternation with the growing one, so both are measured in the same minutes
        FelixAlone felixBase = new FelixAlone(Bench.tempDir("bench-scale-felix-base-"));
        FelixAlone felix = new FelixAlone(Bench.tempDir("bench-scale-felix-"));
        Bench.Runtime base = Bench.Runtime.start(Bench.tempDir("bench-scale-base-"), jvm, "--no-seed", "--ready-timeout", "0");
        Bench.Runtime rt = Bench.Runtime.start(data, jvm, "--no-seed", "--ready-timeout", "0");
        try {
            long t0 = System.nanoTime();
            for (int v = 0; v < modules; v++) {
                rt.deployBytes(module(moduleTemplate, "1." + v + ".0"), "scale-module 1." + v + ".0");
                base.deployBytes(module(moduleTemplate, "1." + v + ".0"), "scale-module 1." + v + ".0");
            }
            System.out.printf(Locale.ROOT, "released %d versions of the scale module in %.1f s; heap after GC with no adapter:"
                    + " %.1f MB; java %s%n", modules, (System.nanoTime() - t0) / 1e9, heapMb(rt), System.getProperty("java.version"));
            double baseHeap = heapMb(rt);
            for (int i = 0; i < BASE_N; i++) {
                base.deployBytes(adapter(adapterTemplate, i), "adapter " + i);
            }
            int baseProbes = 0;
            for (; baseProbes < WARM_UP; baseProbes++) {
                probe(base, adapterTemplate, baseProbes);
            }
            felixBase.growTo(BASE_N);
            int felixProbes = 0;
            for (; felixProbes < WARM_UP; felixProbes++) {
                felixBase.probe(felixProbes);
                felix.probe(felixProbes);
            }
            System.out.printf(Locale.ROOT, "%7s %9s %14s %10s %14s %8s %10s %12s %9s %9s %14s %8s%n", "N", "fill s", "deploy+1 ms",
                    "p95 ms", "at " + BASE_N + " ms", "ratio", "heap MB", "KB/adapter", "stop ms", "start ms", "Felix +1 ms", "ratio");
            int deployed = 0;
            int probes = 0;
            int sinceStart = 0;
            for (int n = 10; n <= maxN; n *= 10) {
                long fill0 = System.nanoTime();
                while (deployed < n) {
                    rt.deployBytes(adapter(adapterTemplate, deployed), "adapter " + deployed);
                    deployed++;
                    sinceStart++;
                }
                double fillSeconds = (System.nanoTime() - fill0) / 1e9;
                // each N runs on the restart that measured the previous one: at least WARM_UP
                // deploys since it started (the fill's included) before anything is measured
                for (; sinceStart < WARM_UP; sinceStart++) {
                    probe(rt, adapterTemplate, probes++);
                }
                List<Double> latencies = new ArrayList<>();
                List<Double> baseLatencies = new ArrayList<>();
                List<Double> ratios = new ArrayList<>();
                for (int p = 0; p < PROBES; p++) {
                    double big = probe(rt, adapterTemplate, probes++);
                    double small = probe(base, adapterTemplate, baseProbes++);
                    latencies.add(big);
                    baseLatencies.add(small);
                    ratios.add(big / small);
                }
                felix.growTo(n);
                List<Double> felixLatencies = new ArrayList<>();
                List<Double> felixRatios = new ArrayList<>();
                for (int p = 0; p < PROBES; p++) {
                    double big = felix.probe(felixProbes++);
                    double small = felixBase.probe(felixProbes++);
                    felixLatencies.add(big);
                    felixRatios.add(big / small);
                }
                check(rt, n, newest);
                scrape(rt, n);
                double heap = heapMb(rt);
                long stopMillis = rt.stop();
                rt = Bench.Runtime.start(data, jvm, "--no-seed", "--ready-timeout", "0");
                sinceStart = 0;
                check(rt, n, newest);
                Row row = new Row(n, fillSeconds, Bench.median(latencies), Bench.percentile(latencies, 95),
                        Bench.median(baseLatencies), Bench.median(ratios), heap, (heap - baseHeap) * 1024 / n, rt.startMillis,
                        stopMillis, Bench.median(felixLatencies), Bench.median(felixRatios));
                rows.add(row);
                System.out.printf(Locale.ROOT, "%7d %9.1f %14.1f %10.1f %14.1f %7.2fx %10.1f %12.1f %9d %9d %14.2f %7.2fx%n", n,
                        row.fillSeconds, row.deployMillis, row.deployP95, row.baseMillis, row.ratio, row.heapMb, row.kbPerAdapter,
                        row.stopMillis, row.startMillis, row.felixMillis, row.felixRatio);
            }
        } finally {
            rt.close();
            base.close();
            felix.close();
            felixBase.close();
        }
        Row first = rows.get(0);
        Row last = rows.get(rows.size() - 1);
        System.out.printf(Locale.ROOT, "summary: at N=%d: deploy of one more adapter %.2fx the same deploy at N=%d in the same"
                + " minutes (median of paired ratios; %.1f vs %.1f ms; target <= 1.2x at 10,000), start-to-ready %.2fx the"
                + " restart at N=%d (%d vs %d ms), stop on SIGTERM %d vs %d ms, heap %.1f KB per adapter; Felix alone, one more bundle among %d vs %d: %.2fx"
                + " (%.2f ms); %d module versions side by side%s; %s%n", last.n,
                last.ratio, BASE_N, last.deployMillis, last.baseMillis, (double) last.startMillis / first.startMillis, first.n,
                last.startMillis, first.startMillis, last.stopMillis, first.stopMillis, last.kbPerAdapter, last.n, BASE_N, last.felixRatio, last.felixMillis, modules,
                ignoreConfiguration ? "; adapters declare configuration-policy ignore" : "", Bench.machine());
    }

    private record Row(int n, double fillSeconds, double deployMillis, double deployP95, double baseMillis, double ratio,
            double heapMb, double kbPerAdapter, long startMillis, long stopMillis, double felixMillis, double felixRatio) {
    }

    /** Deploys one more adapter (one never deployed before), measures it, and undeploys it again. */
    private static double probe(Bench.Runtime rt, byte[] template, int k) throws Exception {
        int i = PROBE_BASE + k;
        double ms = deployOneMore(rt, adapter(template, i), i);
        HttpResponse<String> gone = rt.api("DELETE", "/deployments/prod/" + ADAPTER_PREFIX + i, null);
        if (gone.statusCode() >= 300) {
            throw new IllegalStateException("undeploy of probe adapter " + i + " failed: " + gone.body());
        }
        return ms;
    }

    /** @return ms from sending the deploy to the new adapter's route answering */
    private static double deployOneMore(Bench.Runtime rt, byte[] jar, int i) throws Exception {
        long t0 = System.nanoTime();
        var call = Bench.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(rt.mgmt + "/deployments"))
                .header("Authorization", "Bearer " + rt.token).POST(HttpRequest.BodyPublishers.ofByteArray(jar)).build(),
                HttpResponse.BodyHandlers.ofString());
        URI route = rt.route("/scale/" + i);
        while (true) {
            HttpResponse<String> r = Bench.HTTP.send(HttpRequest.newBuilder(route).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                double ms = (System.nanoTime() - t0) / 1e6;
                HttpResponse<String> answer = call.get();
                if (answer.statusCode() >= 300) {
                    throw new IllegalStateException("deploy of adapter " + i + " failed: " + answer.body());
                }
                return ms;
            }
            if (System.nanoTime() - t0 > Duration.ofMinutes(2).toNanos()) {
                throw new IllegalStateException("adapter " + i + " never answered: " + r.body());
            }
        }
    }

    /** Some of the N routes, chosen at random, each answered by its adapter on the newest module version. */
    private static void check(Bench.Runtime rt, int n, String newest) throws Exception {
        Random random = new Random(n);
        for (int k = 0; k < 20; k++) {
            int i = k == 0 ? n - 1 : random.nextInt(n);
            HttpResponse<String> r = Bench.HTTP.send(HttpRequest.newBuilder(rt.route("/scale/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || !r.body().contains("\"" + newest + "\"")) {
                throw new IllegalStateException("/scale/" + i + " answered " + r.statusCode() + ": " + r.body());
            }
        }
    }

    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    /** Heap in use after two full GCs of the runtime's JVM, from jcmd. */
    /**
     * Scrapes /metrics five times as text (the first registers the JVM's metrics), then five times as Prometheus asks
     * for it (OpenMetrics, gzip): the median times and the sizes.
     */
    private static void scrape(Bench.Runtime rt, int n) throws IOException, InterruptedException {
        java.net.URI uri = java.net.URI.create(rt.mgmt.substring(0, rt.mgmt.indexOf("/api/v1")) + "/metrics");
        double[] medians = new double[2];
        long[] bytes = new long[2];
        for (int gzip = 0; gzip < 2; gzip++) {
            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + rt.token);
                if (gzip == 1) {
                    // Prometheus' own Accept: OpenMetrics first (with the latencies' exemplars, were the runtime tracing)
                    b.header("Accept-Encoding", "gzip").header("Accept", "application/openmetrics-text;version=1.0.0,"
                            + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
                }
                long t0 = System.nanoTime();
                java.net.http.HttpResponse<byte[]> r = Bench.HTTP.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                millis.add((System.nanoTime() - t0) / 1e6);
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("/metrics answered " + r.statusCode());
                }
                if (gzip == 1 && !r.headers().firstValue("Content-Encoding").orElse("").equals("gzip")) {
                    throw new IllegalStateException("/metrics did not answer with gzip when asked");
                }
                if (gzip == 1 && !r.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text")) {
                    throw new IllegalStateException("/metrics did not answer with OpenMetrics when asked");
                }
                bytes[gzip] = r.body().length;
            }
            medians[gzip] = Bench.median(millis);
        }
        System.out.printf(Locale.ROOT, "  scrape of /metrics at N=%d: text median %.1f ms, %.2f MB; OpenMetrics, gzip (as Prometheus asks)"
                + " median %.1f ms, %.2f MB%n", n, medians[0], bytes[0] / 1e6, medians[1], bytes[1] / 1e6);
    }

    static double heapMb(Bench.Runtime rt) throws IOException, InterruptedException {
        jcmd(rt, "GC.run");
        jcmd(rt, "GC.run");
        String out = jcmd(rt, "GC.heap_info");
        Matcher m = USED.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("cannot read the heap from jcmd GC.heap_info:\n" + out);
        }
        return Long.parseLong(m.group(1)) / 1024.0;
    }

    static String jcmd(Bench.Runtime rt, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(Bench.java()).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(rt.pid()), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + out);
        }
        return out;
    }

    /** The template module as version {@code version}. */
    static byte[] module(byte[] template, String version) throws IOException {
        return rewrite(template, main -> {
            main.putValue("Bundle-Version", version);
            main.putValue("Export-Package", main.getValue("Export-Package").replace("version=\"1.0.0\"", "version=\"" + version + "\""));
        }, Map.of());
    }

    /**
     * The template adapter as bundle {@code dev.mosaic.bench.scale.a<i>} serving {@code /scale/<i>},
     * with a component name of its own, as every real adapter has (its own classes): ten
     * thousand components of one name would measure Declarative Services' handling of
     * duplicate names (a hash bucket of ten thousand), not Mosaic.
     */
    static byte[] adapter(byte[] template, int i) throws IOException {
        return rewrite(template, main -> {
            main.putValue("Bundle-SymbolicName", ADAPTER_PREFIX + i);
            main.putValue("Bundle-Name", "scale adapter " + i);
        }, Map.of("/scale/template", "/scale/" + i,
                "name=\"" + COMPONENT + "\"", "name=\"" + COMPONENT + i + "\""));
    }

    interface ManifestEdit {
        void apply(Attributes main);
    }

    /** Copies a jar, editing its manifest and replacing strings in its component descriptions. */
    static byte[] rewrite(byte[] template, ManifestEdit edit, Map<String, String> inComponents) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(template.length + 256);
        try (JarInputStream in = new JarInputStream(new java.io.ByteArrayInputStream(template))) {
            Manifest manifest = new Manifest(in.getManifest());
            edit.apply(manifest.getMainAttributes());
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                    byte[] content = in.readAllBytes();
                    if (e.getName().startsWith("OSGI-INF/") && e.getName().endsWith(".xml")) {
                        String xml = new String(content, StandardCharsets.UTF_8);
                        for (Map.Entry<String, String> r : new LinkedHashMap<>(inComponents).entrySet()) {
                            xml = xml.replace(r.getKey(), r.getValue());
                        }
                        content = xml.getBytes(StandardCharsets.UTF_8);
                    }
                    JarEntry copy = new JarEntry(e.getName());
                    copy.setTime(e.getTime());
                    out.putNextEntry(copy);
                    out.write(content);
                    out.closeEntry();
                }
            }
        }
        return bytes.toByteArray();
    }
}
