package dev.mosaic.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import dev.mosaic.gateway.internal.LookupTable;

/**
 * The gateway's route lookup (the table of one environment with N adapters, one literal
 * route each, plus a templated route) against the cheapest lookup there is: a HashMap from
 * path to target, same paths, same N. Each invocation looks up one path chosen at random
 * from a precomputed set, so the branch predictor cannot learn one path. The strings'
 * hash codes get cached after the first round, which is the HashMap's best case (a request
 * brings a fresh string): the ratio is, if anything, unfair to the routing table.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteLookup {

    @Param({ "10", "100", "1000", "10000" })
    public int n;

    private LookupTable table;
    private Map<String, String> map;
    private String[] paths;
    private String[] templated;
    private int next;

    @Setup
    public void setUp() throws Exception {
        Map<String, String> routes = new HashMap<>();
        map = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String path = "/scale/" + i + "/home";
            routes.put(path, "a" + i);
            map.put(path, "a" + i);
        }
        routes.put("/glasses/play/{titleId}", "glasses");
        table = LookupTable.of(routes);
        paths = new String[1024];
        templated = new String[1024];
        for (int i = 0; i < paths.length; i++) {
            paths[i] = "/scale/" + ThreadLocalRandom.current().nextInt(n) + "/home";
            templated[i] = "/glasses/play/" + ThreadLocalRandom.current().nextInt(1_000_000);
        }
    }

    private int index() {
        return next = (next + 1) & 1023;
    }

    @Benchmark
    public Object hashMapBaseline() {
        return map.get(paths[index()]);
    }

    @Benchmark
    public Object routingTableLiteral() {
        return table.lookup("GET", paths[index()]);
    }

    @Benchmark
    public Object routingTableTemplated() {
        return table.lookup("GET", templated[index()]);
    }
}
