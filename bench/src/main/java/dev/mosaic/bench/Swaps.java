package dev.mosaic.bench;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Live swaps under load: wrk keeps GET /tv/home busy (tv-home takes catalog {@code [1.0,2)})
 * while catalog 1.2.0 is yanked and unyanked over and over, so tv-home moves 1.2.0 -> 1.1.0
 * -> 1.2.0 ... make-before-break, each move one swap. Rounds alternate steady (no swaps) and
 * swapping (one swap, then a pause, 100 ms unless told otherwise; 0 swaps back to back), with
 * the same wrk settings, until the swaps reach the target. Failed requests
 * are what wrk counts (socket errors and non-2xx answers); the p99 while swapping is set
 * against the p99 of the steady rounds of the same run.
 */
final class Swaps {

    private static final String CATALOG = "/modules/dev.mosaic.examples.catalog/1.2.0/";

    private Swaps() {
    }

    static void run(String[] args) throws Exception {
        int target = Bench.arg(args, 0, 200);
        int seconds = Bench.arg(args, 1, 15);
        int connections = Bench.arg(args, 2, 16);
        int pauseMillis = Bench.arg(args, 3, 100);
        byte[] cat12 = Files.readAllBytes(Bench.dist().resolve("examples/catalog-1.2.0.jar"));
        try (Bench.Runtime rt = Bench.Runtime.start(Bench.tempDir("bench-swaps-"), List.of())) {
            URI route = rt.route("/tv/home");
            HttpResponse<String> released = rt.api("POST", "/deployments", cat12);
            if (released.statusCode() >= 300) {
                throw new IllegalStateException("release of catalog 1.2.0 failed: " + released.body());
            }
            for (int i = 0; i < 10; i++) { // warm-up of the swap path
                swap(rt, i % 2 == 0);
            }
            Bench.wrk(route, 2, connections, 5); // warm-up of the route

            List<Bench.WrkResult> steady = new ArrayList<>();
            List<Bench.WrkResult> swapping = new ArrayList<>();
            List<Double> swapMillis = new ArrayList<>();
            System.out.printf(Locale.ROOT, "%-5s %-9s %10s %9s %9s %7s %7s%n", "round", "phase", "req/s", "p50 ms", "p99 ms",
                    "errors", "swaps");
            boolean yanked = false;
            for (int round = 0; swapMillis.size() < target || round < 2; round++) {
                Bench.WrkResult s = Bench.wrk(route, 2, connections, seconds);
                steady.add(s);
                System.out.printf(Locale.ROOT, "%-5d %-9s %10.0f %9.3f %9.3f %7d %7s%n", round, "steady", s.requestsPerSecond(),
                        s.p50Millis(), s.p99Millis(), s.errors(), "-");

                AtomicBoolean loaded = new AtomicBoolean(true);
                CompletableFuture<Bench.WrkResult> load = CompletableFuture.supplyAsync(() -> {
                    try {
                        return Bench.wrk(route, 2, connections, seconds);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    } finally {
                        loaded.set(false);
                    }
                });
                int before = swapMillis.size();
                Thread.sleep(500); // let wrk connect before the first swap
                while (loaded.get()) {
                    long t0 = System.nanoTime();
                    yanked = !yanked;
                    swap(rt, yanked);
                    if (loaded.get()) {
                        swapMillis.add((System.nanoTime() - t0) / 1e6);
                    }
                    Thread.sleep(pauseMillis);
                }
                Bench.WrkResult w = load.get();
                swapping.add(w);
                System.out.printf(Locale.ROOT, "%-5d %-9s %10.0f %9.3f %9.3f %7d %7d%n", round, "swapping", w.requestsPerSecond(),
                        w.p50Millis(), w.p99Millis(), w.errors(), swapMillis.size() - before);
            }
            long errors = swapping.stream().mapToLong(Bench.WrkResult::errors).sum()
                    + steady.stream().mapToLong(Bench.WrkResult::errors).sum();
            long requests = swapping.stream().mapToLong(Bench.WrkResult::requests).sum();
            double p99Steady = Bench.median(steady.stream().map(Bench.WrkResult::p99Millis).toList());
            double p99Swapping = Bench.median(swapping.stream().map(Bench.WrkResult::p99Millis).toList());
            double rpsSteady = Bench.median(steady.stream().map(Bench.WrkResult::requestsPerSecond).toList());
            double rpsSwapping = Bench.median(swapping.stream().map(Bench.WrkResult::requestsPerSecond).toList());
            System.out.printf(Locale.ROOT, "summary: %d swaps under load (median %.1f ms each), %d failed requests of %d%s;"
                    + " p99 swapping vs steady %.2fx (%.3f vs %.3f ms), req/s %.2fx; a swap every %d ms + the swap; wrk -t2 -c%d -d%ds;"
                    + " %s%n", swapMillis.size(), Bench.median(swapMillis), errors, requests, errors > 0 ? " (TARGET 0 MISSED)" : "",
                    p99Swapping / p99Steady, p99Swapping, p99Steady, rpsSwapping / rpsSteady, pauseMillis, connections, seconds,
                    Bench.machine());
        }
    }

    /** One consumer move: yank 1.2.0 (tv-home goes to 1.1.0) or unyank it (tv-home comes back). */
    private static void swap(Bench.Runtime rt, boolean yank) throws Exception {
        HttpResponse<String> r = rt.api("POST", CATALOG + (yank ? "yank" : "unyank"), null);
        if (r.statusCode() >= 300 || !r.body().contains("dev.mosaic.examples.tv-home")) {
            throw new IllegalStateException((yank ? "yank" : "unyank") + " did not move tv-home: " + r.body());
        }
    }
}
