package dev.mosaic.bench;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.openjdk.jmh.results.RunResult;

import dev.mosaic.gateway.internal.AccessLines;

/**
 * What one access-log line costs the writer in isolation ({@link AccessLine}, JMH): made, against copied in ready-made
 * (the yardstick, in the same run); from notes in the caches or not; written through the page cache or not. Set
 * beside the writer's CPU a request in a runtime ({@code bench/run observability}), it tells the line's own cost
 * from what it costs among the requests' work on a shared core.
 */
final class AccessLineBench {

    private AccessLineBench() {
    }

    static void run(String[] args) throws Exception {
        int seconds = Bench.arg(args, 0, 2);
        AccessLines sample = new AccessLines(1, null);
        System.out.printf(Locale.ROOT, "a line, %d bytes: %s", sample.lineLength(), sample.line());
        Collection<RunResult> results = Bench.jmh("dev.mosaic.bench.AccessLine\\.", seconds, "-Xmx2g", "-Xms2g");
        Map<String, Map<String, Double>> byCase = new TreeMap<>();
        for (RunResult r : results) {
            String key = r.getParams().getParam("lines") + " " + r.getParams().getParam("requests");
            String name = r.getParams().getBenchmark().substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
            byCase.computeIfAbsent(key, k -> new TreeMap<>()).put(name, r.getPrimaryResult().getScore());
        }
        System.out.printf(Locale.ROOT, "%n%-10s %10s %12s %12s %10s%n", "lines", "requests", "copied ns", "made ns", "made/copied");
        StringBuilder summary = new StringBuilder("summary: a line made vs copied ready-made, ns a line:");
        for (Map.Entry<String, Map<String, Double>> e : byCase.entrySet()) {
            String[] key = e.getKey().split(" ");
            double copy = e.getValue().get("copy");
            double make = e.getValue().get("make");
            System.out.printf(Locale.ROOT, "%-10s %10s %12.1f %12.1f %10.2fx%n", key[0], key[1], copy, make, make / copy);
            summary.append(String.format(Locale.ROOT, " %s from %s notes %.2fx (%.0f vs %.0f);", key[0], key[1], make / copy,
                    make, copy));
        }
        System.out.println(summary.append(' ').append(Bench.machine()));
    }
}
