package dev.mosaic.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A failing canary's life at 1,000 requests per second: an open-loop load (one request every
 * millisecond, whether the last was answered or not) on the flaky fixture's route, 1.0.0
 * serving; each round deploys 1.2.0, which answers every request with a 500, as a 20% canary,
 * and measures the time from the deploy call to the canary gone by its judgement (the
 * deployments list polled every 10 ms), the requests it failed, and any failure of a request
 * that was not the canary's (must be 0). Baseline in the same run: the same deploy of the
 * healthy 1.1.0 as a canary, from the call to its first answer, then aborted.
 */
final class CanaryBench {

    private static final String FLAKY = "dev.mosaic.fixtures.flaky";

    private CanaryBench() {
    }

    static void run(String[] args) throws Exception {
        int rounds = Bench.arg(args, 0, 5);
        int share = Bench.arg(args, 1, 20);
        byte[] bad = Files.readAllBytes(Bench.fixture("flaky-1.2.0"));
        byte[] good = Files.readAllBytes(Bench.fixture("flaky-1.1.0"));
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try (Bench.Runtime rt = Bench.Runtime.start(Bench.tempDir("bench-canary-"), List.of())) {
            rt.deploy(Bench.fixture("flaky-1.0.0"));
            URI route = rt.route("/fixtures/flaky");
            AtomicLong sent = new AtomicLong();
            AtomicLong canaryFailed = new AtomicLong();
            AtomicLong otherFailed = new AtomicLong();
            AtomicReference<String> firstOther = new AtomicReference<>();
            AtomicLong goodAnswers = new AtomicLong();
            HttpRequest get = HttpRequest.newBuilder(route).timeout(Duration.ofSeconds(10)).build();
            ticker.scheduleAtFixedRate(() -> {
                sent.incrementAndGet();
                Bench.HTTP.sendAsync(get, HttpResponse.BodyHandlers.ofString()).whenComplete((r, failure) -> {
                    if (failure == null && r.statusCode() == 500 && r.body().contains("1.2.0")) {
                        canaryFailed.incrementAndGet();
                    } else if (failure != null || r.statusCode() != 200) {
                        otherFailed.incrementAndGet();
                        firstOther.compareAndSet(null, failure != null ? failure.toString() : r.statusCode() + " " + r.body());
                    } else if (r.body().contains("1.1.0")) {
                        goodAnswers.incrementAndGet();
                    }
                });
            }, 0, 1, TimeUnit.MILLISECONDS);
            Thread.sleep(3000); // warm-up at the full rate
            List<Double> placed = new ArrayList<>();
            List<Double> rolledBack = new ArrayList<>();
            List<Double> failedPerRound = new ArrayList<>();
            System.out.printf(Locale.ROOT, "%-6s %14s %16s %14s %10s%n", "round", "healthy: ms to", "failing: ms to", "canary 500s",
                    "others");
            for (int r = 0; r < rounds; r++) {
                // baseline: a healthy canary, from the call to its first answer
                long answeredBefore = goodAnswers.get();
                long t0 = System.nanoTime();
                deploy(rt, good, share);
                while (goodAnswers.get() == answeredBefore) {
                    Thread.sleep(1);
                }
                double first = (System.nanoTime() - t0) / 1e6;
                placed.add(first);
                abort(rt);
                // the failing canary, from the call to its automatic rollback
                long failedBefore = canaryFailed.get();
                long othersBefore = otherFailed.get();
                t0 = System.nanoTime();
                deploy(rt, bad, share);
                while (deployed(rt).contains("1.2.0")) {
                    if (System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(2)) {
                        throw new IllegalStateException("the failing canary was not rolled back within 2 minutes");
                    }
                    Thread.sleep(10);
                }
                double gone = (System.nanoTime() - t0) / 1e6;
                rolledBack.add(gone);
                Thread.sleep(300); // answers in flight arrive
                long failed = canaryFailed.get() - failedBefore;
                failedPerRound.add((double) failed);
                System.out.printf(Locale.ROOT, "%-6d %14.1f %16.1f %14d %10d%n", r, first, gone, failed,
                        otherFailed.get() - othersBefore);
            }
            ticker.shutdownNow();
            System.out.printf(Locale.ROOT, "summary: a %d%% canary answering only 500s at 1000 req/s rolled back by its judgement"
                    + " %.0f ms (median; p95 %.0f) after its deploy call, %.1fx the %.0f ms a healthy canary takes to answer its first"
                    + " request; %.0f of its requests failed per round (median), %d requests outside its share failed%s;"
                    + " %d requests sent; %s%n", share, Bench.median(rolledBack), Bench.percentile(rolledBack, 95),
                    Bench.median(rolledBack) / Bench.median(placed), Bench.median(placed), Bench.median(failedPerRound),
                    otherFailed.get(), firstOther.get() == null ? "" : " (first: " + firstOther.get() + ")", sent.get(),
                    Bench.machine());
        } finally {
            ticker.shutdownNow();
        }
    }

    private static void deploy(Bench.Runtime rt, byte[] jar, int share) throws Exception {
        HttpResponse<String> r = rt.api("POST", "/deployments?canary=" + share + "&bake=10m", jar);
        if (r.statusCode() >= 300) {
            throw new IllegalStateException("the canary deploy failed: " + r.body());
        }
    }

    private static void abort(Bench.Runtime rt) throws Exception {
        HttpResponse<String> r = rt.api("POST", "/deployments/prod/" + FLAKY + "/canary/abort", null);
        if (r.statusCode() >= 300) {
            throw new IllegalStateException("the abort failed: " + r.body());
        }
    }

    private static String deployed(Bench.Runtime rt) throws Exception {
        return rt.api("GET", "/deployments?env=prod", null).body();
    }
}
