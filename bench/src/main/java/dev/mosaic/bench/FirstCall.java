package dev.mosaic.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The first backend calls after a runtime starts, with the backends' warm-up (the default: a few calls through the call
 * path to a loopback endpoint of the runtime's own, at start) against without it ({@code -Dmosaic.backends.warmup=off}),
 * in alternating rounds. Each round starts a runtime on a fresh data directory (the examples seeded), first asks its
 * example backends directly (so that their own first answers are not what is measured: a real backend is a running
 * service), deploys the composed tv-home 1.2.0 and sends it one request; its line in the access log says how long the
 * request and each backend call took. Also start to ready, which the warm-up, on a thread of its own, must not delay.
 */
final class FirstCall {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FirstCall() {
    }

    static void run(String[] args) throws Exception {
        int rounds = Bench.arg(args, 0, 5);
        String[] names = {"warm-up", "no warm-up"};
        List<List<String>> jvm = List.of(List.of("-Dmosaic.access.log=on"),
                List.of("-Dmosaic.access.log=on", "-Dmosaic.backends.warmup=off"));
        List<List<Double>> request = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<Double>> slowest = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<Double>> ready = List.of(new ArrayList<>(), new ArrayList<>());
        Path composed = Bench.dist().resolve("examples/tv-home-1.2.0.jar");
        for (int round = -1; round < rounds; round++) { // round -1 warms the file system cache
            for (int i = 0; i < 2; i++) {
                int k = (round + i + 2) % 2;
                try (Bench.Runtime rt = Bench.Runtime.start(Bench.tempDir("bench-firstcall-").resolve("data"), jvm.get(k))) {
                    for (JsonNode b : JSON.readTree(rt.api("GET", "/backends", null).body())) {
                        String url = b.path("spec").path("urls").get(0).asText();
                        for (int n = 0; n < 2; n++) {
                            Bench.HTTP.send(HttpRequest.newBuilder(URI.create(url + "/kids")).build(),
                                    HttpResponse.BodyHandlers.discarding());
                        }
                    }
                    rt.deploy(composed);
                    int status = Bench.HTTP.send(HttpRequest.newBuilder(rt.route("/tv/home?profile=kids")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    JsonNode line = composedLine(rt.data.resolve("logs/access.log"));
                    double slowestCall = 0;
                    for (JsonNode c : line.path("backends")) {
                        slowestCall = Math.max(slowestCall, c.path("millis").asDouble());
                    }
                    System.out.printf(Locale.ROOT, "round %d, %s: ready in %d ms; first composed request %d in %.1f ms,"
                            + " its calls %s%n", round, names[k], rt.startMillis, status, line.path("millis").asDouble(),
                            line.path("backends"));
                    if (round >= 0) {
                        request.get(k).add(line.path("millis").asDouble());
                        slowest.get(k).add(slowestCall);
                        ready.get(k).add((double) rt.startMillis);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "summary: first composed request after start, warm-up vs none: %.2fx (%.1f vs %.1f ms);"
                + " its slowest backend call %.2fx (%.1f vs %.1f ms); start to ready %.2fx (%.0f vs %.0f ms); %d rounds; %s%n",
                Bench.median(request.get(0)) / Bench.median(request.get(1)), Bench.median(request.get(0)),
                Bench.median(request.get(1)), Bench.median(slowest.get(0)) / Bench.median(slowest.get(1)),
                Bench.median(slowest.get(0)), Bench.median(slowest.get(1)), Bench.median(ready.get(0)) / Bench.median(ready.get(1)),
                Bench.median(ready.get(0)), Bench.median(ready.get(1)), rounds, Bench.machine());
    }

    /** @return the access log's line of the composed request (the writer takes lines every 20 ms) */
    private static JsonNode composedLine(Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                for (String l : Files.readAllLines(log)) {
                    JsonNode line = JSON.readTree(l);
                    if (line.has("backends")) {
                        return line;
                    }
                }
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        throw new IllegalStateException("no line of the composed request in " + log);
    }
}
