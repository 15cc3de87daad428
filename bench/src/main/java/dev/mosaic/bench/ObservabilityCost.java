package dev.mosaic.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What observability costs a request: two runtimes side by side, serving the benchmark adapter's non-blocking route,
 * one writing its access log ({@code -Dmosaic.access.log=on}) and one as it runs by default (metrics counted, MDC set,
 * no access log); wrk against each in alternating rounds, paired ratios. Metrics and the MDC cannot be
 * turned off: their cost is in both, and measured alone in RESULTS.md.
 */
final class ObservabilityCost {

    private ObservabilityCost() {
    }

    static void run(String[] args) throws Exception {
        int rounds = Bench.arg(args, 0, 5);
        int seconds = Bench.arg(args, 1, 10);
        int connections = Bench.arg(args, 2, 50);
        try (Bench.Runtime on = Bench.Runtime.start(Bench.tempDir("bench-obs-on-"), List.of("-Dmosaic.access.log=on"), "--no-seed");
                Bench.Runtime off = Bench.Runtime.start(Bench.tempDir("bench-obs-off-"), List.of(), "--no-seed")) {
            on.deploy(Bench.fixture("bench"));
            off.deploy(Bench.fixture("bench"));
            Bench.wrk(on.route("/bench/inline"), 2, connections, 3); // warm-up
            Bench.wrk(off.route("/bench/inline"), 2, connections, 3);
            List<Double> onRps = new ArrayList<>();
            List<Double> offRps = new ArrayList<>();
            List<Double> paired = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                boolean onFirst = i % 2 == 0;
                Bench.WrkResult a = Bench.wrk((onFirst ? on : off).route("/bench/inline"), 2, connections, seconds);
                Bench.WrkResult b = Bench.wrk((onFirst ? off : on).route("/bench/inline"), 2, connections, seconds);
                Bench.WrkResult withLog = onFirst ? a : b;
                Bench.WrkResult without = onFirst ? b : a;
                if (withLog.errors() > 0 || without.errors() > 0) {
                    throw new IllegalStateException("errors during the run: " + withLog + " / " + without);
                }
                onRps.add(withLog.requestsPerSecond());
                offRps.add(without.requestsPerSecond());
                paired.add(withLog.requestsPerSecond() / without.requestsPerSecond());
                System.out.printf(Locale.ROOT, "round %d: access log on %.0f req/s (p99 %.2f ms), off %.0f req/s (p99 %.2f ms)%n",
                        i + 1, withLog.requestsPerSecond(), withLog.p99Millis(), without.requestsPerSecond(), without.p99Millis());
            }
            System.out.printf(Locale.ROOT, "summary: access log on vs off: req/s %.2fx (%.0f vs %.0f; paired %.2fx); target >= 0.95x;"
                    + " wrk -t2 -c%d -d%ds x %d rounds; %s%n", Bench.median(onRps) / Bench.median(offRps), Bench.median(onRps),
                    Bench.median(offRps), Bench.median(paired), connections, seconds, rounds, Bench.machine());
        }
    }
}
