package dev.mosaic.bench;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The release gate's cost ({@code bench/run gate}): what a release spends comparing its API
 * with the version below it (bnd's baselining) and checking its consumers' code, as the
 * release's own report says, against the whole release as the management API answers it.
 *
 * <ul>
 * <li>the example catalog: {@code releases} times, each in an environment of its own, 1.1.0 and
 * tv-home 1.0.0 deployed, then 1.2.0 released (tv-home moves); the first release is the cold one
 * (bndlib's classes load), reported apart;
 * <li>commons-lang3 3.21.0 with {@code consumers} adapters (copies of the lang-ranged fixture,
 * each with its own name and route), then 3.22.0 released: every consumer's code checked;
 * <li>start-to-ready with the gate's bundles and without (a copy of the distribution whose
 * feature leaves them out), restarts alternating.
 * </ul>
 */
final class GateBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GateBench() {
    }

    static void run(String[] args) throws Exception {
        int releases = Bench.arg(args, 0, 20);
        int consumers = Bench.arg(args, 1, 100);
        int restarts = Bench.arg(args, 2, 7);
        Path seed = Bench.dist().resolve("examples/seed");
        Path examples = Bench.dist().resolve("examples");
        try (Bench.Runtime rt = Bench.Runtime.start(Bench.tempDir("bench-gate-"), List.of(), "--no-seed")) {
            List<double[]> catalog = new ArrayList<>();
            for (int i = 0; i <= releases; i++) {
                String env = "g" + i;
                deploy(rt, Files.readAllBytes(seed.resolve("catalog-1.1.0.jar")), env);
                deploy(rt, Files.readAllBytes(seed.resolve("tv-home-1.0.0.jar")), env);
                JsonNode r = deploy(rt, Files.readAllBytes(examples.resolve("catalog-1.2.0.jar")), env);
                catalog.add(timings(r, 1));
            }
            double[] cold = catalog.remove(0);
            print("catalog 1.2.0 (1 consumer), first release (cold)", List.<double[]>of(cold));
            print("catalog 1.2.0 (1 consumer), next " + releases, catalog);

            byte[] template = Files.readAllBytes(Bench.fixture("lang-ranged"));
            Path libraries = Path.of("itests/fixtures/target/libraries");
            List<double[]> lang = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                String env = "lang" + round;
                deploy(rt, Files.readAllBytes(libraries.resolve("commons-lang3-3.21.0.jar")), env);
                for (int c = 0; c < consumers; c++) {
                    deploy(rt, consumer(template, round * consumers + c), env);
                }
                lang.add(timings(deploy(rt, Files.readAllBytes(libraries.resolve("commons-lang3-3.22.0.jar")), env), consumers));
            }
            print("commons-lang3 3.22.0 (" + consumers + " consumers)", lang);
        }
        startup(restarts);
        System.out.printf(Locale.ROOT, "java %s, %s%n", System.getProperty("java.version"), Bench.machine());
    }

    /** @return {baseline ms, consumer check ms, consumers checked, whole release ms} */
    private static double[] timings(JsonNode result, int expectedConsumers) {
        JsonNode report = result.get("report");
        if (report == null || report.isNull()) {
            throw new IllegalStateException("the release has no report: " + result);
        }
        if (result.get("moves").size() < expectedConsumers) {
            throw new IllegalStateException("expected " + expectedConsumers + " consumers to move: " + result.get("summary"));
        }
        return new double[] {report.get("baselineMillis").asDouble(), report.get("consumerCheckMillis").asDouble(),
            report.get("consumersChecked").asDouble(), result.get("millis").asDouble()};
    }

    private static void print(String what, List<double[]> rows) {
        System.out.printf(Locale.ROOT, "%-48s n=%-3d baseline ms median %7.1f p95 %7.1f | consumer check ms median %7.1f p95 %7.1f"
                + " (%.0f checks) | whole release ms median %7.1f p95 %7.1f%n", what, rows.size(), pct(rows, 0, 50), pct(rows, 0, 95),
                pct(rows, 1, 50), pct(rows, 1, 95), pct(rows, 2, 50), pct(rows, 3, 50), pct(rows, 3, 95));
    }

    private static double pct(List<double[]> rows, int column, int p) {
        List<Double> v = new ArrayList<>(rows.stream().map(r -> r[column]).sorted().toList());
        return v.get(Math.min(v.size() - 1, (int) Math.ceil(p / 100.0 * v.size()) - 1));
    }

    private static JsonNode deploy(Bench.Runtime rt, byte[] jar, String env) throws IOException, InterruptedException {
        HttpResponse<String> r = rt.api("POST", "/deployments?env=" + env, jar);
        if (r.statusCode() >= 300) {
            throw new IllegalStateException("deploy to " + env + " failed: " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** The lang-ranged fixture as adapter {@code i}: a name, a component and a route of its own. */
    private static byte[] consumer(byte[] template, int i) throws IOException {
        String component = "dev.mosaic.fixtures.lang.ranged.LangRanged";
        return Scale.rewrite(template, main -> main.putValue("Bundle-SymbolicName", "dev.mosaic.bench.gate.c" + i),
                Map.of("/fixtures/lang/ranged", "/gate/" + i, "name=\"" + component + "\"", "name=\"" + component + i + "\""));
    }

    /** Restarts with the gate's bundles and without them, alternating; the examples seeded in both. */
    private static void startup(int restarts) throws Exception {
        Path without = Bench.tempDir("bench-gate-dist-");
        copy(Bench.dist(), without);
        Path feature = without.resolve("features/mosaic-runtime.json");
        JsonNode f = JSON.readTree(feature.toFile());
        com.fasterxml.jackson.databind.node.ArrayNode kept = JSON.createArrayNode();
        for (JsonNode b : f.get("bundles")) {
            String id = b.get("id").asText();
            if (!id.startsWith("biz.aQute.bnd:") && !id.startsWith("dev.mosaic:semver:") && !id.startsWith("org.osgi:org.osgi.service.repository:")) {
                kept.add(b);
            }
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) f).set("bundles", kept);
        JSON.writerWithDefaultPrettyPrinter().writeValue(feature.toFile(), f);
        Path[] data = {Bench.tempDir("bench-gate-with-"), Bench.tempDir("bench-gate-without-")};
        Path[] homes = {Bench.dist(), without};
        List<List<Double>> ms = List.of(new ArrayList<>(), new ArrayList<>());
        for (int side = 0; side < 2; side++) {
            try (Bench.Runtime first = Bench.Runtime.start(homes[side], data[side], List.of())) {
                // the first start seeds the examples; the rounds restart on it
            }
        }
        for (int r = 0; r < restarts; r++) {
            for (int side = 0; side < 2; side++) {
                try (Bench.Runtime rt = Bench.Runtime.start(homes[side], data[side], List.of())) {
                    ms.get(side).add((double) rt.startMillis);
                }
            }
        }
        double with = Bench.median(ms.get(0));
        double bare = Bench.median(ms.get(1));
        System.out.printf(Locale.ROOT, "start-to-ready (restart, examples): with the gate %.0f ms, without %.0f ms: %.2fx (%d rounds,"
                + " alternating; %s vs %s)%n", with, bare, with / bare, restarts, ms.get(0), ms.get(1));
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.naturalOrder())::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
