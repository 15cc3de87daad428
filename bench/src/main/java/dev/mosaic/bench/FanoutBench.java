package dev.mosaic.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Composition's two benchmarks, against three backends on loopback (each its own process).
 *
 * <p>{@code fanout}: a device request that makes three parallel backend calls through a Mosaic
 * adapter ({@code /bench/fanout}, non-blocking), against a plain Jetty handler doing the same
 * fan-out with Jetty's HttpClient and Jackson to the same backends; wrk, the two alternating in
 * each round. Reported: req/s and p99 ratios (Mosaic over plain), median of rounds and paired.
 *
 * <p>{@code tail}: the third backend answers 2% of its calls after 1 s; the adapter gives each
 * call 100 ms and leaves a late row out ({@code /bench/fanout-guarded}). Reported: the device
 * p99 over the 100 ms deadline, and failed requests; the unguarded route for contrast.
 */
final class FanoutBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FanoutBench() {
    }

    /** Three backends, a runtime declaring them, the fan-out adapter deployed; closed in reverse. */
    private record Setup(List<Bench.Raw> backends, Bench.Runtime mosaic) implements AutoCloseable {
        static Setup start(double lastSlowShare) throws Exception {
            List<Bench.Raw> backends = FanoutBench.backends(List.of(), lastSlowShare);
            Bench.Runtime mosaic = Bench.Runtime.start(Bench.tempDir("bench-fanout-"), List.of(), "--no-seed");
            FanoutBench.deploy(mosaic, backends);
            return new Setup(backends, mosaic);
        }

        List<String> urls() {
            return backends.stream().map(b -> "http://127.0.0.1:" + b.port).toList();
        }

        @Override
        public void close() throws Exception {
            mosaic.close();
            for (Bench.Raw b : backends) {
                b.close();
            }
        }
    }

    /**
     * @param launch what runs their JVMs ({@code taskset -c 1}), or nothing
     * @param lastSlowShare the share of its calls the third answers after 1 s
     * @return the three backends b1, b2, b3, started
     */
    static List<Bench.Raw> backends(List<String> launch, double lastSlowShare) throws Exception {
        List<Bench.Raw> backends = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            backends.add(new Bench.Raw(launch, FanoutServers.class.getName(), List.of("backend", "b" + i,
                    i == 3 ? Double.toString(lastSlowShare) : "0", "1000"), "/"));
        }
        return backends;
    }

    /** Declares the three backends in the runtime's prod and deploys the fan-out adapter ({@code /bench/fanout}). */
    static void deploy(Bench.Runtime mosaic, List<Bench.Raw> backends) throws Exception {
        for (int i = 0; i < 3; i++) {
            String declaration = "{\"url\":[\"http://127.0.0.1:" + backends.get(i).port + "\"],\"max-concurrent\":\"2000\","
                    + "\"timeout\":\"2s\"}";
            HttpResponse<String> r = mosaic.api("PUT", "/backends/prod/b" + (i + 1), declaration.getBytes(StandardCharsets.UTF_8));
            if (r.statusCode() >= 300) {
                throw new IllegalStateException("declaring b" + (i + 1) + " failed: " + r.body());
            }
        }
        mosaic.deploy(Bench.fixture("bench-fanout"));
    }

    static void fanout(String[] args) throws Exception {
        int rounds = Bench.arg(args, 0, 5);
        int seconds = Bench.arg(args, 1, 10);
        int connections = Bench.arg(args, 2, 50);
        int threads = 2;
        try (Setup s = Setup.start(0); Bench.Raw plain = new Bench.Raw(FanoutServers.class.getName(),
                List.of("plain", s.urls().get(0), s.urls().get(1), s.urls().get(2)), "/")) {
            URI[] targets = {plain.uri(), s.mosaic().route("/bench/fanout")};
            String[] names = {"plain Jetty + HttpClient", "Mosaic adapter"};
            if (!JSON.readTree(get(targets[0])).equals(JSON.readTree(get(targets[1])))) {
                throw new IllegalStateException("the two fan-outs do not answer the same page: " + get(targets[0]) + " vs "
                        + get(targets[1]));
            }
            // warm-up: two turns each, so that both JVMs have compiled their hot paths before the rounds count
            for (int turn = 0; turn < 2; turn++) {
                for (URI u : targets) {
                    Bench.wrk(u, threads, connections, Math.max(10, seconds));
                }
            }
            List<List<Bench.WrkResult>> results = List.of(new ArrayList<>(), new ArrayList<>());
            // CPU time per device request: of the fan-out process, and of the three backends (which share the cores)
            long[] fronts = {plain.process.pid(), s.mosaic().pid()};
            long[] backs = s.backends().stream().mapToLong(b -> b.process.pid()).toArray();
            List<List<Double>> frontCpu = List.of(new ArrayList<>(), new ArrayList<>());
            List<List<Double>> backCpu = List.of(new ArrayList<>(), new ArrayList<>());
            System.out.printf(Locale.ROOT, "%-5s %-26s %12s %9s %9s %7s %13s %15s%n", "round", "target", "req/s", "p50 ms", "p99 ms",
                    "errors", "cpu us/req", "backends us/req");
            for (int r = 0; r < rounds; r++) {
                for (int side = 0; side < 2; side++) {
                    long front = cpuNanos(fronts[side]);
                    long back = cpuNanos(backs);
                    Bench.WrkResult w = Bench.wrk(targets[side], threads, connections, seconds);
                    double f = (cpuNanos(fronts[side]) - front) / 1e3 / Math.max(1, w.requests());
                    double b = (cpuNanos(backs) - back) / 1e3 / Math.max(1, w.requests());
                    results.get(side).add(w);
                    frontCpu.get(side).add(f);
                    backCpu.get(side).add(b);
                    System.out.printf(Locale.ROOT, "%-5d %-26s %12.0f %9.3f %9.3f %7d %13.1f %15.1f%n", r, names[side],
                            w.requestsPerSecond(), w.p50Millis(), w.p99Millis(), w.errors(), f, b);
                }
            }
            List<Bench.WrkResult> a = results.get(0);
            List<Bench.WrkResult> b = results.get(1);
            double rpsA = Bench.median(a.stream().map(Bench.WrkResult::requestsPerSecond).toList());
            double rpsB = Bench.median(b.stream().map(Bench.WrkResult::requestsPerSecond).toList());
            double p99A = Bench.median(a.stream().map(Bench.WrkResult::p99Millis).toList());
            double p99B = Bench.median(b.stream().map(Bench.WrkResult::p99Millis).toList());
            List<Double> pairedRps = new ArrayList<>();
            List<Double> pairedP99 = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                pairedRps.add(b.get(i).requestsPerSecond() / a.get(i).requestsPerSecond());
                pairedP99.add(b.get(i).p99Millis() / a.get(i).p99Millis());
            }
            long errors = results.stream().flatMap(List::stream).mapToLong(Bench.WrkResult::errors).sum();
            System.out.printf(Locale.ROOT, "summary: Mosaic fan-out (3 backend calls) vs plain Jetty + HttpClient: req/s %.2fx"
                    + " (%.0f vs %.0f; paired %.2fx; target >= 0.9x), p99 %.2fx (%.3f vs %.3f ms; paired %.2fx; target <= 1.2x);"
                    + " %d errors%s; wrk -t%d -c%d -d%ds x %d rounds; %s%n", rpsB / rpsA, rpsB, rpsA, Bench.median(pairedRps),
                    p99B / p99A, p99B, p99A, Bench.median(pairedP99), errors, errors > 0 ? " (NOT A RESULT)" : "", threads,
                    connections, seconds, rounds, Bench.machine());
            System.out.printf(Locale.ROOT, "cpu per device request (median of rounds): fan-out process %.1f us (Mosaic) vs %.1f us"
                    + " (plain), %.2fx; the three backends %.1f vs %.1f us%n", Bench.median(frontCpu.get(1)),
                    Bench.median(frontCpu.get(0)), Bench.median(frontCpu.get(1)) / Bench.median(frontCpu.get(0)),
                    Bench.median(backCpu.get(1)), Bench.median(backCpu.get(0)));
        }
    }

    /** @return the CPU time these processes and their descendants have used, in ns */
    private static long cpuNanos(long... pids) {
        long sum = 0;
        for (long pid : pids) {
            ProcessHandle p = ProcessHandle.of(pid).orElseThrow();
            sum += p.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
            sum += p.descendants().mapToLong(d -> d.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L)).sum();
        }
        return sum;
    }

    static void tail(String[] args) throws Exception {
        int rounds = Bench.arg(args, 0, 3);
        int seconds = Bench.arg(args, 1, 20);
        int connections = Bench.arg(args, 2, 50);
        int threads = 2;
        double deadline = 100;
        try (Setup s = Setup.start(0.02)) {
            URI guarded = s.mosaic().route("/bench/fanout-guarded");
            URI unguarded = s.mosaic().route("/bench/fanout");
            Bench.warmUp(guarded, threads, connections, 5);
            System.out.printf(Locale.ROOT, "%-5s %-34s %12s %9s %9s %7s%n", "round", "target", "req/s", "p50 ms", "p99 ms", "errors");
            List<Bench.WrkResult> results = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                Bench.WrkResult w = Bench.wrk(guarded, threads, connections, seconds);
                results.add(w);
                System.out.printf(Locale.ROOT, "%-5d %-34s %12.0f %9.3f %9.3f %7d%n", r, "guarded (100 ms per call, fallback)",
                        w.requestsPerSecond(), w.p50Millis(), w.p99Millis(), w.errors());
            }
            Bench.WrkResult contrast = Bench.wrk(unguarded, threads, connections, seconds);
            System.out.printf(Locale.ROOT, "%-5s %-34s %12.0f %9.3f %9.3f %7d%n", "-", "unguarded (backend timeout 2 s)",
                    contrast.requestsPerSecond(), contrast.p50Millis(), contrast.p99Millis(), contrast.errors());
            double p99 = Bench.median(results.stream().map(Bench.WrkResult::p99Millis).toList());
            double worst = results.stream().mapToDouble(Bench.WrkResult::p99Millis).max().orElse(0);
            long errors = results.stream().mapToLong(Bench.WrkResult::errors).sum();
            long requests = results.stream().mapToLong(Bench.WrkResult::requests).sum();
            System.out.printf(Locale.ROOT, "summary: one of three backends answers 2%% of calls after 1 s; with 100 ms per call"
                    + " and a fallback the device p99 is %.3f ms = %.2fx the deadline (worst round %.2fx; target <= 1.1x), %d of %d"
                    + " requests failed; without the guard p99 %.1f ms; wrk -t%d -c%d -d%ds x %d rounds; %s%n", p99,
                    p99 / deadline, worst / deadline, errors, requests, contrast.p99Millis(), threads, connections, seconds,
                    rounds, Bench.machine());
        }
    }

    private static String get(URI u) throws Exception {
        HttpResponse<String> r = Bench.HTTP.send(HttpRequest.newBuilder(u).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(u + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }
}
