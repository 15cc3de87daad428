package dev.mosaic.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A healthy adapter's latency with and without a saturated neighbour, in one run: the slow
 * fixture adapter limited to 50 concurrent calls and a 30 s deadline (operator
 * configuration); rounds alternate A, nothing else running, and B, 300 clients calling the
 * slow adapter for calls that hang (50 hang, the others get fast 503s and retry after
 * 50 ms). In both, one client measures GET /mobile/home: p50 and p99 per round, and B's
 * medians over A's.
 */
final class Bulkhead {

    private static final String SLOW = "dev.mosaic.fixtures.slow";

    private Bulkhead() {
    }

    static void run(String[] args) throws Exception {
        int perRound = Bench.arg(args, 0, 2000);
        int rounds = Bench.arg(args, 1, 3);
        ExecutorService floodPool = Executors.newCachedThreadPool();
        try (Bench.Runtime rt = Bench.Runtime.start(Bench.tempDir("bench-bulkhead-"),
                List.of("-Dmosaic.limits." + SLOW + ".concurrency=50", "-Dmosaic.limits." + SLOW + ".timeout=30s"))) {
            rt.deploy(Bench.fixture("slow-1.0.0"));
            URI healthy = rt.route("/mobile/home");
            URI hanging = rt.route("/fixtures/slow?ms=600000");
            measure(healthy, 1000, new AtomicLong()); // warm-up
            List<double[]> idle = new ArrayList<>();
            List<double[]> saturated = new ArrayList<>();
            AtomicLong errors = new AtomicLong();
            AtomicLong floodAnswers = new AtomicLong();
            AtomicLong flood503 = new AtomicLong();
            System.out.printf(Locale.ROOT, "%-6s %-26s %9s %9s %7s%n", "round", "neighbour", "p50 ms", "p99 ms", "errors");
            for (int r = 0; r < rounds; r++) {
                long before = errors.get();
                double[] a = measure(healthy, perRound, errors);
                idle.add(a);
                System.out.printf(Locale.ROOT, "%-6d %-26s %9.3f %9.3f %7d%n", r, "idle", a[0], a[1], errors.get() - before);
                AtomicBoolean flooding = new AtomicBoolean(true);
                for (int c = 0; c < 300; c++) {
                    floodPool.execute(() -> {
                        while (flooding.get()) {
                            try {
                                int status = Bench.HTTP.send(HttpRequest.newBuilder(hanging).timeout(Duration.ofSeconds(60)).build(),
                                        HttpResponse.BodyHandlers.discarding()).statusCode();
                                floodAnswers.incrementAndGet();
                                if (status == 503) {
                                    flood503.incrementAndGet();
                                    TimeUnit.MILLISECONDS.sleep(50);
                                }
                            } catch (Exception e) {
                                // the flood ends when the slow adapter is undeployed under it
                            }
                        }
                    });
                }
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                long target = flood503.get() + 500;
                while (flood503.get() < target && System.nanoTime() < until) {
                    TimeUnit.MILLISECONDS.sleep(10);
                }
                before = errors.get();
                double[] b = measure(healthy, perRound, errors);
                saturated.add(b);
                System.out.printf(Locale.ROOT, "%-6d %-26s %9.3f %9.3f %7d%n", r, "saturated (50 hang, 503s)", b[0], b[1],
                        errors.get() - before);
                flooding.set(false);
                rt.api("DELETE", "/deployments/prod/" + SLOW, null); // ends the hanging calls
                rt.deploy(Bench.fixture("slow-1.0.0"));
            }
            double p50a = Bench.median(idle.stream().map(x -> x[0]).toList());
            double p99a = Bench.median(idle.stream().map(x -> x[1]).toList());
            double p50b = Bench.median(saturated.stream().map(x -> x[0]).toList());
            double p99b = Bench.median(saturated.stream().map(x -> x[1]).toList());
            System.out.printf(Locale.ROOT, "summary: healthy adapter with a saturated neighbour vs idle: p50 %.2fx (%.3f vs %.3f ms),"
                    + " p99 %.2fx (%.3f vs %.3f ms); %d errors on the healthy route; the saturated one answered %d times,"
                    + " %d of them fast 503s; %s%n", p50b / p50a, p50b, p50a, p99b / p99a, p99b, p99a, errors.get(),
                    floodAnswers.get(), flood503.get(), Bench.machine());
        } finally {
            floodPool.shutdownNow();
        }
    }

    /** @return p50 and p99 of n sequential GETs in ms; answers other than 200 are counted as errors */
    private static double[] measure(URI uri, int n, AtomicLong errors) throws Exception {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            int status = Bench.HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            ms.add((System.nanoTime() - t0) / 1e6);
            if (status != 200) {
                errors.incrementAndGet();
            }
        }
        return new double[] { Bench.median(ms), Bench.percentile(ms, 99) };
    }
}
