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
        // the route under load: /tv/home moves with every swap; /mobile/home (pinned to catalog 1.0.0) never does,
        // so its p99 shows what a change costs requests it does not touch (the CPU it takes, GC)
        String path = args.length > 4 ? args[4] : "/tv/home";
        byte[] cat12 = Files.readAllBytes(Bench.dist().resolve("examples/catalog-1.2.0.jar"));
        try (Bench.Runtime rt = Bench.Runtime.start(Bench.tempDir("bench-swaps-"), List.of())) {
            URI route = rt.route(path);
            HttpResponse<String> released = rt.api("POST", "/deployments", cat12);
            if (released.statusCode() >= 300) {
                throw new IllegalStateException("release of catalog 1.2.0 failed: " + released.body());
            }
            for (int i = 0; i < 10; i++) { // warm-up of the swap path
                swap(rt, i % 2 == 0);
            }
            Bench.wrk(route, 2, connections, 5); // warm-up of the route
            Memory start = Memory.of(rt, route, connections);

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
            Memory end = Memory.of(rt, route, connections);
            System.out.printf(Locale.ROOT, "%-9s %14s %22s %9s %16s %16s%n", "", "heap MB (GC)", "thread-local entries",
                    "threads", "bundle wirings", "service regs.");
            System.out.printf(Locale.ROOT, "%-9s %14.1f %22d %9d %16d %16d%n", "start", start.heapMb, start.threadLocalEntries,
                    start.threads, start.wirings, start.registrations);
            System.out.printf(Locale.ROOT, "%-9s %14.1f %22d %9d %16d %16d%n", "end", end.heapMb, end.threadLocalEntries, end.threads,
                    end.wirings, end.registrations);
            long errors = swapping.stream().mapToLong(Bench.WrkResult::errors).sum()
                    + steady.stream().mapToLong(Bench.WrkResult::errors).sum();
            long requests = swapping.stream().mapToLong(Bench.WrkResult::requests).sum();
            double p99Steady = Bench.median(steady.stream().map(Bench.WrkResult::p99Millis).toList());
            double p99Swapping = Bench.median(swapping.stream().map(Bench.WrkResult::p99Millis).toList());
            double rpsSteady = Bench.median(steady.stream().map(Bench.WrkResult::requestsPerSecond).toList());
            double rpsSwapping = Bench.median(swapping.stream().map(Bench.WrkResult::requestsPerSecond).toList());
            System.out.printf(Locale.ROOT, "summary: " + path + ": %d swaps under load (median %.1f ms each), %d failed requests of %d%s;"
                    + " p99 swapping vs steady %.2fx (%.3f vs %.3f ms), req/s %.2fx; heap after GC %.1f -> %.1f MB, thread-local"
                    + " entries %d -> %d (threads %d -> %d), bundle wirings %d -> %d; a swap every %d ms + the swap; wrk -t2 -c%d -d%ds; %s%n",
                    swapMillis.size(), Bench.median(swapMillis), errors, requests, errors > 0 ? " (TARGET 0 MISSED)" : "",
                    p99Swapping / p99Steady, p99Swapping, p99Steady, rpsSwapping / rpsSteady, start.heapMb, end.heapMb,
                    start.threadLocalEntries, end.threadLocalEntries, start.threads, end.threads, start.wirings, end.wirings, pauseMillis, connections, seconds,
                    Bench.machine());
        }
    }

    /**
     * The runtime's heap after full GCs, and the live objects a change could leave behind
     * (jcmd): measured after a full GC and 3 s of load, so that what the last changes left
     * has gone stale and the threads that serve have had their chance to sweep it.
     */
    private record Memory(double heapMb, long threadLocalEntries, long threads, long wirings, long registrations) {
        static Memory of(Bench.Runtime rt, URI route, int connections) throws Exception {
            Scale.jcmd(rt, "GC.run");
            Bench.wrk(route, 2, connections, 3);
            double heap = Scale.heapMb(rt);
            String histogram = Scale.jcmd(rt, "GC.class_histogram"); // live objects only: a full GC first
            return new Memory(heap, count(histogram, "java.lang.ThreadLocal$ThreadLocalMap$Entry"), count(histogram, "java.lang.Thread"),
                    count(histogram, "org.apache.felix.framework.BundleWiringImpl"),
                    count(histogram, "org.apache.felix.framework.ServiceRegistrationImpl"));
        }

        private static long count(String histogram, String className) {
            for (String line : histogram.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[3].equals(className) && (f.length == 4 || f[4].startsWith("(java.base"))) {
                    return Long.parseLong(f[1]);
                }
            }
            return 0;
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
