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
 * Baselines in the same run: the values at the smallest N. Route lookup cost is measured
 * separately with JMH ({@code bench/run lookup}).
 *
 * <p>The bundles are generated from two templates the build makes with bnd
 * (itests/fixtures: scale-module, scale-adapter) by rewriting their names, versions and
 * routes; their classes are the bnd-built ones.
 */
final class Scale {

    private static final int PROBES = 5;
    private static final String ADAPTER_PREFIX = "dev.mosaic.bench.scale.a";

    private Scale() {
    }

    static void run(String[] args) throws Exception {
        int maxN = Bench.arg(args, 0, 10_000);
        int modules = Bench.arg(args, 1, 10);
        byte[] moduleTemplate = Files.readAllBytes(Bench.fixture("scale-module"));
        byte[] adapterTemplate = Files.readAllBytes(Bench.fixture("scale-adapter"));
        String newest = "1." + (modules - 1) + ".0";
        Path data = Bench.tempDir("bench-scale-");
        List<String> jvm = List.of();

        List<Row> rows = new ArrayList<>();
        Bench.Runtime rt = Bench.Runtime.start(data, jvm, "--no-seed", "--ready-timeout", "0");
        try {
            long t0 = System.nanoTime();
            for (int v = 0; v < modules; v++) {
                rt.deployBytes(module(moduleTemplate, "1." + v + ".0"), "scale-module 1." + v + ".0");
            }
            System.out.printf(Locale.ROOT, "released %d versions of the scale module in %.1f s; heap after GC with no adapter:"
                    + " %.1f MB; java %s%n", modules, (System.nanoTime() - t0) / 1e9, heapMb(rt), System.getProperty("java.version"));
            double baseHeap = heapMb(rt);
            System.out.printf(Locale.ROOT, "%7s %9s %14s %10s %10s %12s %12s%n", "N", "fill s", "deploy+1 ms", "p95 ms",
                    "heap MB", "KB/adapter", "start ms");
            int deployed = 0;
            for (int n = 10; n <= maxN; n *= 10) {
                long fill0 = System.nanoTime();
                while (deployed < n - PROBES) {
                    rt.deployBytes(adapter(adapterTemplate, deployed), "adapter " + deployed);
                    deployed++;
                }
                double fillSeconds = (System.nanoTime() - fill0) / 1e9;
                List<Double> latencies = new ArrayList<>();
                while (deployed < n) {
                    latencies.add(deployOneMore(rt, adapter(adapterTemplate, deployed), deployed));
                    deployed++;
                }
                check(rt, n, newest);
                double heap = heapMb(rt);
                rt.close();
                rt = Bench.Runtime.start(data, jvm, "--no-seed", "--ready-timeout", "0");
                check(rt, n, newest);
                Row row = new Row(n, fillSeconds, Bench.median(latencies), Bench.percentile(latencies, 95), heap,
                        (heap - baseHeap) * 1024 / n, rt.startMillis);
                rows.add(row);
                System.out.printf(Locale.ROOT, "%7d %9.1f %14.1f %10.1f %10.1f %12.1f %12d%n", n, row.fillSeconds,
                        row.deployMillis, row.deployP95, row.heapMb, row.kbPerAdapter, row.startMillis);
            }
        } finally {
            rt.close();
        }
        Row first = rows.get(0);
        Row last = rows.get(rows.size() - 1);
        System.out.printf(Locale.ROOT, "summary: at N=%d vs N=%d: deploy of one more adapter %.2fx (%.1f vs %.1f ms; target"
                + " <= 1.2x at 10,000), start-to-ready %.2fx (%d vs %d ms), heap %.1f KB per adapter; %d module versions side by"
                + " side; %s%n", last.n, first.n, last.deployMillis / first.deployMillis, last.deployMillis, first.deployMillis,
                (double) last.startMillis / first.startMillis, last.startMillis, first.startMillis, last.kbPerAdapter, modules,
                Bench.machine());
    }

    private record Row(int n, double fillSeconds, double deployMillis, double deployP95, double heapMb, double kbPerAdapter,
            long startMillis) {
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

    private static String jcmd(Bench.Runtime rt, String command) throws IOException, InterruptedException {
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
                "name=\"dev.mosaic.fixtures.scaleadapter.ScaleAdapter\"", "name=\"dev.mosaic.fixtures.scaleadapter.ScaleAdapter" + i + "\""));
    }

    private interface ManifestEdit {
        void apply(Attributes main);
    }

    /** Copies a jar, editing its manifest and replacing strings in its component descriptions. */
    private static byte[] rewrite(byte[] template, ManifestEdit edit, Map<String, String> inComponents) throws IOException {
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
