package dev.mosaic.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deploy and release latency: time from the management call to the new version answering
 * on its route, measured from outside the runtime over real HTTP, while a second client
 * polls the route from the moment the call is sent (so the switch is seen when it happens,
 * not when the call returns).
 *
 * <p>Adapter deploys: tv-home 1.1.0 and 1.0.0 alternately. Releases: catalog 1.2.0, with
 * tv-home (a range consumer) moving to it; between two releases 1.2.0 is yanked and
 * undeployed again (not measured). Baseline in the same run: one GET of the route.
 */
final class DeployLatency {

    private static final Pattern FIELD = Pattern.compile("\"(adapterVersion|moduleVersion)\"\\s*:\\s*\"([^\"]+)\"");

    private DeployLatency() {
    }

    static void run(String[] args) throws Exception {
        int rounds = Bench.arg(args, 0, 20);
        Path examples = Bench.dist().resolve("examples");
        byte[] tv11 = Files.readAllBytes(examples.resolve("tv-home-1.1.0.jar"));
        byte[] tv10 = Files.readAllBytes(examples.resolve("seed/tv-home-1.0.0.jar"));
        byte[] cat12 = Files.readAllBytes(examples.resolve("catalog-1.2.0.jar"));
        try (Bench.Runtime rt = Bench.Runtime.start(Bench.tempDir("bench-deploy-"), List.of())) {
            URI route = rt.route("/tv/home");
            for (int i = 0; i < 5; i++) { // warm-up
                measure(rt, i % 2 == 0 ? tv11 : tv10, route, "adapterVersion", i % 2 == 0 ? "1.1.0" : "1.0.0");
            }
            measure(rt, tv10, route, "adapterVersion", "1.0.0");
            List<Double> get = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long t0 = System.nanoTime();
                Bench.HTTP.send(HttpRequest.newBuilder(route).build(), HttpResponse.BodyHandlers.ofString());
                get.add((System.nanoTime() - t0) / 1e6);
            }
            List<Double> deploys = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                boolean up = i % 2 == 0;
                deploys.add(measure(rt, up ? tv11 : tv10, route, "adapterVersion", up ? "1.1.0" : "1.0.0"));
            }
            measure(rt, tv10, route, "adapterVersion", "1.0.0");
            List<Double> releases = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                releases.add(measure(rt, cat12, route, "moduleVersion", "1.2.0"));
                rt.api("POST", "/modules/dev.mosaic.examples.catalog/1.2.0/yank", null);
                rt.api("DELETE", "/deployments/prod/dev.mosaic.examples.catalog/1.2.0", null);
            }
            System.out.printf(Locale.ROOT, "%-34s %5s %9s %9s %9s%n", "measure (ms)", "n", "median", "p95", "max");
            row("GET /tv/home (baseline)", get);
            row("adapter deploy -> serving", deploys);
            row("module release -> consumer moved", releases);
            System.out.printf(Locale.ROOT, "summary: deploy median %.1f ms, p95 %.1f ms (%.0fx a GET); release median %.1f ms,"
                    + " p95 %.1f ms (%.0fx a GET); target median <= 100 ms; %s%n", Bench.median(deploys),
                    Bench.percentile(deploys, 95), Bench.median(deploys) / Bench.median(get), Bench.median(releases),
                    Bench.percentile(releases, 95), Bench.median(releases) / Bench.median(get), Bench.machine());
        }
    }

    /** @return milliseconds from sending the upload to a GET of the route answering with the expected version */
    private static double measure(Bench.Runtime rt, byte[] jar, URI route, String field, String expected) throws Exception {
        long t0 = System.nanoTime();
        var call = Bench.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(rt.mgmt + "/deployments"))
                .header("Authorization", "Bearer " + rt.token).POST(HttpRequest.BodyPublishers.ofByteArray(jar)).build(),
                HttpResponse.BodyHandlers.ofString());
        double seen = -1;
        while (seen < 0) {
            String body = Bench.HTTP.send(HttpRequest.newBuilder(route).build(), HttpResponse.BodyHandlers.ofString()).body();
            if (expected.equals(field(body, field))) {
                seen = (System.nanoTime() - t0) / 1e6;
            } else if (System.nanoTime() - t0 > Duration.ofSeconds(30).toNanos()) {
                throw new IllegalStateException("the new version never answered: " + body);
            }
        }
        HttpResponse<String> r = call.get();
        if (r.statusCode() >= 300) {
            throw new IllegalStateException("deploy failed: " + r.body());
        }
        return seen;
    }

    private static String field(String json, String name) {
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        return null;
    }

    private static void row(String name, List<Double> v) {
        System.out.printf(Locale.ROOT, "%-34s %5d %9.2f %9.2f %9.2f%n", name, v.size(), Bench.median(v), Bench.percentile(v, 95),
                Bench.percentile(v, 100));
    }
}
