package dev.mosaic.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;

import dev.mosaic.gateway.internal.HeaderFlood;

/**
 * The header flood ({@link HeaderFlood}): four clients send requests whose headers are too
 * large while three others send valid requests, each tagged with its own id, and check that
 * the answer is the answer to their request. Side by side for the same time each: raw Jetty 12 (plain
 * connector), raw Jetty with Mosaic's device connector and thread pool (the work-around alone)
 * and the Mosaic runtime (the show-page example adapter). Then the work-around's cost: wrk
 * against the same raw handler with and without it, in alternating rounds.
 */
final class Flood {

    private Flood() {
    }

    static void run(String[] args) throws Exception {
        int seconds = Bench.arg(args, 0, 60);
        int rounds = Bench.arg(args, 1, 5);
        int wrkSeconds = Bench.arg(args, 2, 10);
        Path body = Files.write(Files.createTempFile("bench-body", ".json"),
                "{\"rows\":[{\"id\":\"t1\",\"title\":\"One\"},{\"id\":\"t2\",\"title\":\"Two\"}]}".getBytes(StandardCharsets.UTF_8));
        System.out.printf(Locale.ROOT, "%-34s %9s %9s %7s %12s  %s%n", "server", "attacks", "right", "wrong", "read errors",
                "first wrong answers");
        List<String> results = new ArrayList<>();
        try (Bench.Raw plain = new Bench.Raw(RawJetty.class.getName(), "echo-plain", body, "/")) {
            results.add(report("raw Jetty 12.1", flood(plain.port, seconds, HeaderFlood::echoRequest, HeaderFlood::echoed)));
        }
        try (Bench.Raw guarded = new Bench.Raw(RawJetty.class.getName(), "echo-guarded", body, "/")) {
            results.add(report("raw Jetty + Mosaic's connector", flood(guarded.port, seconds, HeaderFlood::echoRequest, HeaderFlood::echoed)));
        }
        try (Bench.Runtime mosaic = Bench.Runtime.start(Bench.tempDir("bench-flood-"), List.of())) {
            mosaic.deploy(Bench.dist().resolve("examples/show-page-1.0.0.jar"));
            results.add(report("Mosaic runtime (show-page)", flood(mosaic.port, seconds, Flood::showRequest, Flood::shown)));
        }

        // what the work-around costs a server that is not attacked
        List<Double> ratios = new ArrayList<>();
        try (Bench.Raw without = new Bench.Raw("nonblocking", body);
                Bench.Raw with = new Bench.Raw(RawJetty.class.getName(), "nonblocking-guarded", body, "/")) {
            Bench.warmUp(without.uri(), 2, 50, Math.max(5, wrkSeconds));
            Bench.warmUp(with.uri(), 2, 50, Math.max(5, wrkSeconds));
            System.out.printf(Locale.ROOT, "%n%-5s %-34s %12s %9s %7s%n", "round", "target", "req/s", "p99 ms", "errors");
            for (int r = 0; r < rounds; r++) {
                Bench.WrkResult a = Bench.wrk(without.uri(), 2, 50, wrkSeconds);
                Bench.WrkResult b = Bench.wrk(with.uri(), 2, 50, wrkSeconds);
                System.out.printf(Locale.ROOT, "%-5d %-34s %12.0f %9.3f %7d%n", r, "raw Jetty", a.requestsPerSecond(), a.p99Millis(),
                        a.errors());
                System.out.printf(Locale.ROOT, "%-5d %-34s %12.0f %9.3f %7d%n", r, "raw Jetty + Mosaic's connector",
                        b.requestsPerSecond(), b.p99Millis(), b.errors());
                ratios.add(b.requestsPerSecond() / a.requestsPerSecond());
            }
        }
        System.out.println("summary: " + String.join("; ", results) + String.format(Locale.ROOT,
                "; %ds each; the connector's req/s against raw Jetty, not attacked: paired median %.3fx (rounds %s), wrk -t2 -c50"
                        + " -d%ds; %s",
                seconds, Bench.median(ratios), ratios.stream().map(x -> String.format(Locale.ROOT, "%.3f", x)).toList(), wrkSeconds,
                Bench.machine()));
    }

    private static HeaderFlood.Result flood(int port, int seconds, BiFunction<String, Integer, String> request,
            BiPredicate<String, String> check) throws InterruptedException {
        return HeaderFlood.run(port, TimeUnit.SECONDS.toNanos(seconds), () -> false, request, check);
    }

    private static String report(String name, HeaderFlood.Result r) {
        System.out.printf(Locale.ROOT, "%-34s %9d %9d %7d %12d  %s%n", name, r.attacks().get(), r.right().get(), r.wrong().get(),
                r.readErrors().get(), r.samples());
        return String.format(Locale.ROOT, "%s: %d wrong answers, %d read errors of %d valid requests", name, r.wrong().get(),
                r.readErrors().get(), r.right().get() + r.wrong().get() + r.readErrors().get());
    }

    private static String showRequest(String tag, int port) {
        return "GET /tv/shows/" + tag + "?profile=p" + tag + " HTTP/1.1\r\nHost: victim:" + port + "\r\nX-Request-Id: " + tag
                + "\r\nConnection: close\r\n\r\n";
    }

    private static boolean shown(String tag, String answer) {
        return answer.startsWith("HTTP/1.1 200 ") && answer.contains("\"showId\":\"" + tag + "\"")
                && answer.contains("\"profile\":\"p" + tag + "\"") && answer.contains("X-Request-Id: " + tag + "\r\n");
    }
}
