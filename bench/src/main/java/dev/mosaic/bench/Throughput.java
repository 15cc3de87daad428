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

import dev.mosaic.gateway.internal.PlainGateway;

/**
 * Throughput against a yardstick: raw Jetty (no OSGi, no routing) serving the same bytes as
 * the benchmark adapter, in rounds that alternate A (raw Jetty), B (the adapter route in the
 * running runtime) and C (Mosaic's device handler alone in a plain Jetty, no OSGi: it tells
 * the gateway's own cost from the runtime's around it), for a non-blocking handler and for a
 * blocking one, each set against the raw handler of its invocation type. wrk on loopback.
 *
 * <p>Reported: the ratio of the median req/s and of the median p99 (B over A); and the median
 * of the ratios of each round, whose A and B ran one after the other: on these machines the
 * rate drifts by ten per cent from one round to the next, and a paired ratio cancels what the
 * two sides of a round share. A run with errors is not a result.
 *
 * <p>{@code pin} as the fifth argument runs every server on CPU 0 and wrk on CPU 1 ({@link Bench.Placement}).
 */
final class Throughput {

    private Throughput() {
    }

    static void run(String[] args) throws Exception {
        int rounds = Bench.arg(args, 0, 5);
        int seconds = Bench.arg(args, 1, 10);
        int connections = Bench.arg(args, 2, 50);
        String invocation = args.length > 3 ? args[3] : "adaptive";
        Bench.Placement where = Bench.Placement.from(args, 4);
        List<String> server = where.server();
        List<String> client = where.client();
        int threads = 2;
        try (Bench.Runtime mosaic = Bench.Runtime.start(server, Bench.dist(), Bench.tempDir("bench-throughput-"),
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
            String raw = RawJetty.class.getName();
            String plain = PlainGateway.class.getName();
            try (Bench.Raw rawNonBlocking = new Bench.Raw(server, raw, List.of("nonblocking", bodyFile.toString()), "/");
                    Bench.Raw rawBlocking = new Bench.Raw(server, raw, List.of("blocking", bodyFile.toString()), "/");
                    Bench.Raw plainNonBlocking = new Bench.Raw(server, plain, List.of("nonblocking/" + invocation, bodyFile.toString()), "/bench");
                    Bench.Raw plainBlocking = new Bench.Raw(server, plain, List.of("blocking/" + invocation, bodyFile.toString()), "/bench")) {
                URI[][] sets = {
                        { rawNonBlocking.uri(), mosaic.route("/bench/inline"), plainNonBlocking.uri() },
                        { rawBlocking.uri(), mosaic.route("/bench/pooled"), plainBlocking.uri() } };
                String[][] names = { { "raw Jetty, non-blocking", "adapter, non-blocking", "device handler alone, non-bl." },
                        { "raw Jetty, blocking", "adapter, blocking", "device handler alone, blocking" } };
                for (URI[] set : sets) {
                    for (URI u : set) {
                        check(u, body);
                        Bench.warmUp(client, u, threads, connections, Math.max(where.pinned() ? 20 : 5, seconds));
                    }
                }
                List<List<Bench.WrkResult>> results = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    results.add(new ArrayList<>());
                }
                System.out.printf(Locale.ROOT, "%-5s %-31s %12s %9s %9s %7s%n", "round", "target", "req/s", "p50 ms", "p99 ms", "errors");
                for (int r = 0; r < rounds; r++) {
                    for (int p = 0; p < 2; p++) {
                        for (int side = 0; side < 3; side++) {
                            Bench.WrkResult w = Bench.wrk(client, sets[p][side], threads, connections, seconds);
                            results.get(p * 3 + side).add(w);
                            System.out.printf(Locale.ROOT, "%-5d %-31s %12.0f %9.3f %9.3f %7d%n", r, names[p][side],
                                    w.requestsPerSecond(), w.p50Millis(), w.p99Millis(), w.errors());
                        }
                    }
                }
                long errors = results.stream().flatMap(List::stream).mapToLong(Bench.WrkResult::errors).sum();
                StringBuilder summary = new StringBuilder("summary:");
                for (int p = 0; p < 2; p++) {
                    List<Bench.WrkResult> a = results.get(p * 3);
                    List<Bench.WrkResult> b = results.get(p * 3 + 1);
                    List<Bench.WrkResult> c = results.get(p * 3 + 2);
                    double rpsA = Bench.median(a.stream().map(Bench.WrkResult::requestsPerSecond).toList());
                    double rpsB = Bench.median(b.stream().map(Bench.WrkResult::requestsPerSecond).toList());
                    double p99A = Bench.median(a.stream().map(Bench.WrkResult::p99Millis).toList());
                    double p99B = Bench.median(b.stream().map(Bench.WrkResult::p99Millis).toList());
                    summary.append(String.format(Locale.ROOT, " %s vs %s: req/s %.2fx (%.0f vs %.0f; paired %.2fx), p99 %.2fx"
                            + " (%.3f vs %.3f ms; paired %.2fx), device handler alone req/s paired %.2fx;", names[p][1],
                            names[p][0], rpsB / rpsA, rpsB, rpsA, paired(b, a, true), p99B / p99A, p99B, p99A, paired(b, a, false),
                            paired(c, a, true)));
                }
                summary.append(String.format(Locale.ROOT, " %d errors%s; gateway invocation type %s; wrk -t%d -c%d -d%ds x %d rounds%s; %s",
                        errors, errors > 0 ? " (NOT A RESULT)" : "", invocation, threads, connections, seconds, rounds,
                        where.said(), Bench.machine()));
                System.out.println(summary);
            }
        }
    }

    /** @return the median over rounds of {@code b / a}, in req/s or p99 */
    private static double paired(List<Bench.WrkResult> b, List<Bench.WrkResult> a, boolean rate) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            ratios.add(rate ? b.get(i).requestsPerSecond() / a.get(i).requestsPerSecond() : b.get(i).p99Millis() / a.get(i).p99Millis());
        }
        return Bench.median(ratios);
    }

    private static void check(URI u, byte[] body) throws Exception {
        HttpResponse<byte[]> r = Bench.HTTP.send(HttpRequest.newBuilder(u).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200 || !Arrays.equals(body, r.body())) {
            throw new IllegalStateException(u + " does not answer the benchmark's bytes: " + r.statusCode());
        }
    }
}
