package dev.mosaic.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Throughput against a yardstick: raw Jetty (no OSGi, no routing) serving the same bytes as
 * the benchmark adapter, alternating rounds A (raw) and B (the adapter route in the running
 * runtime), for a non-blocking handler and for a blocking one, each set against the raw
 * handler of its invocation type. wrk on loopback; the ratio of median req/s and of median
 * p99 is reported. A run with errors is not a result.
 */
final class Throughput {

    private Throughput() {
    }

    static void run(String[] args) throws Exception {
        int rounds = Bench.arg(args, 0, 5);
        int seconds = Bench.arg(args, 1, 10);
        int connections = Bench.arg(args, 2, 50);
        String invocation = args.length > 3 ? args[3] : "blocking";
        int threads = 2;
        try (Bench.Runtime mosaic = Bench.Runtime.start(Bench.tempDir("bench-throughput-"),
                List.of("-Dmosaic.gateway.invocationType=" + invocation), "--no-seed")) {
            mosaic.deploy(Bench.fixture("bench"));
            byte[] body = Bench.HTTP.send(HttpRequest.newBuilder(mosaic.route("/bench/inline")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body();
            byte[] pooled = Bench.HTTP.send(HttpRequest.newBuilder(mosaic.route("/bench/pooled")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body();
            if (!Arrays.equals(body, pooled)) {
                throw new IllegalStateException("the two adapter routes do not answer the same bytes");
            }
            Path bodyFile = Files.write(Files.createTempFile("bench-body", ".json"), body);
            try (Bench.Raw rawNonBlocking = new Bench.Raw("nonblocking", bodyFile);
                    Bench.Raw rawBlocking = new Bench.Raw("blocking", bodyFile)) {
                URI[][] pairs = {
                        { rawNonBlocking.uri(), mosaic.route("/bench/inline") },
                        { rawBlocking.uri(), mosaic.route("/bench/pooled") } };
                String[][] names = { { "raw Jetty, non-blocking", "adapter, non-blocking" },
                        { "raw Jetty, blocking", "adapter, blocking" } };
                for (URI[] pair : pairs) {
                    for (URI u : pair) {
                        Bench.wrk(u, threads, connections, Math.max(5, seconds)); // warm-up
                    }
                }
                List<List<Bench.WrkResult>> results = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    results.add(new ArrayList<>());
                }
                System.out.printf(Locale.ROOT, "%-5s %-26s %12s %9s %9s %7s%n", "round", "target", "req/s", "p50 ms", "p99 ms", "errors");
                for (int r = 0; r < rounds; r++) {
                    for (int p = 0; p < 2; p++) {
                        for (int side = 0; side < 2; side++) {
                            Bench.WrkResult w = Bench.wrk(pairs[p][side], threads, connections, seconds);
                            results.get(p * 2 + side).add(w);
                            System.out.printf(Locale.ROOT, "%-5d %-26s %12.0f %9.3f %9.3f %7d%n", r, names[p][side],
                                    w.requestsPerSecond(), w.p50Millis(), w.p99Millis(), w.errors());
                        }
                    }
                }
                long errors = results.stream().flatMap(List::stream).mapToLong(Bench.WrkResult::errors).sum();
                StringBuilder summary = new StringBuilder("summary:");
                for (int p = 0; p < 2; p++) {
                    double rpsA = Bench.median(results.get(p * 2).stream().map(Bench.WrkResult::requestsPerSecond).toList());
                    double rpsB = Bench.median(results.get(p * 2 + 1).stream().map(Bench.WrkResult::requestsPerSecond).toList());
                    double p99A = Bench.median(results.get(p * 2).stream().map(Bench.WrkResult::p99Millis).toList());
                    double p99B = Bench.median(results.get(p * 2 + 1).stream().map(Bench.WrkResult::p99Millis).toList());
                    summary.append(String.format(Locale.ROOT, " %s vs %s: req/s %.2fx (%.0f vs %.0f), p99 %.2fx (%.3f vs %.3f ms);",
                            names[p][1], names[p][0], rpsB / rpsA, rpsB, rpsA, p99B / p99A, p99B, p99A));
                }
                summary.append(String.format(Locale.ROOT, " %d errors%s; gateway invocation type %s; wrk -t%d -c%d -d%ds x %d rounds; %s",
                        errors, errors > 0 ? " (NOT A RESULT)" : "", invocation, threads, connections, seconds, rounds,
                        Bench.machine()));
                System.out.println(summary);
            }
        }
    }
}
