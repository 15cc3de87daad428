package dev.mosaic.bench;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.results.RunResult;

/** Route lookup cost with JMH ({@link dev.mosaic.bench.RouteLookup}), as ratios to a HashMap lookup. */
final class Lookup {

    private Lookup() {
    }

    static void run(String[] args) throws Exception {
        int seconds = Bench.arg(args, 0, 2);
        Collection<RunResult> results = Bench.jmh("dev.mosaic.bench.RouteLookup", seconds);
        Map<String, Map<String, Double>> byN = new java.util.TreeMap<>((a, b) -> Integer.parseInt(a) - Integer.parseInt(b));
        for (RunResult r : results) {
            String n = r.getParams().getParam("n");
            String name = r.getParams().getBenchmark().substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
            byN.computeIfAbsent(n, k -> new HashMap<>()).put(name, r.getPrimaryResult().getScore());
        }
        System.out.printf(Locale.ROOT, "%n%7s %14s %14s %14s %10s%n", "routes", "HashMap ns", "literal ns", "template ns", "literal/HashMap");
        StringBuilder summary = new StringBuilder("summary: route lookup vs HashMap.get:");
        for (Map.Entry<String, Map<String, Double>> e : byN.entrySet()) {
            double base = e.getValue().get("hashMapBaseline");
            double literal = e.getValue().get("routingTableLiteral");
            double template = e.getValue().get("routingTableTemplated");
            System.out.printf(Locale.ROOT, "%7s %14.1f %14.1f %14.1f %10.2fx%n", e.getKey(), base, literal, template, literal / base);
            summary.append(String.format(Locale.ROOT, " N=%s %.2fx (%.0f ns);", e.getKey(), literal / base, literal));
        }
        System.out.println(summary.append(' ').append(Bench.machine()));
    }
}
