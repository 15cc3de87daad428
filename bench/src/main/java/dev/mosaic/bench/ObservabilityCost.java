package dev.mosaic.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What observability costs a request: three runtimes side by side, serving the benchmark adapter's non-blocking route:
 * one as it runs by default (metrics counted, MDC set, no access log, no tracing); one with all on, a line in the
 * access log for every request ({@code -Dmosaic.access.log=on}) and tracing with nowhere to send the spans
 * ({@code -Dmosaic.tracing=on}: every request has a trace, passed on and logged, and the SDK records a span for at most
 * 100 new traces a second, the default); one with all on and a span recorded for every request
 * ({@code -Dmosaic.tracing.sample=100%}: the SDK makes, samples and ends a span per request, and drops it); one with all
 * on and the access log at one request in ten and every 5xx ({@code -Dmosaic.access.log.sample=0.1}, what
 * {@code run --access-log-sample 10%} sets). wrk against each
 * in turn, the order rotating each round, ratios paired within a round. Metrics and the MDC cannot be turned off: their
 * cost is in all three, and measured alone in RESULTS.md. {@code -Dbench.obs.log} and {@code -Dbench.obs.all} replace the
 * JVM options of the second and third runtimes, {@code -Dbench.obs.sampled} the fourth's, to compare other settings.
 * <p>
 * Besides requests a second, each run reports the runtime's CPU time per request it answered (its JVM's user and system
 * time, all threads, from /proc): what observability adds to a request's cost, whatever the load generator does. On
 * these VMs the two differ: a slower server leaves wrk's threads idle more often, and waking an idle thread on the other
 * core costs the server's core some 1-3 us a response (an interrupt to another virtual CPU), so requests a second fall
 * by more than the CPU observability adds (RESULTS.md, 2026-12-04). At the end, that CPU by kind of thread (the device
 * threads that serve requests, the access log's writer, the JIT's compilers, ...), over all rounds: where it goes.
 * <p>
 * With {@code pin} as the fourth argument every runtime runs on CPU 0 and wrk on CPU 1 ({@code taskset}): each runtime
 * then has a core of its own, as a server does, and whatever observability costs in CPU, on any of its threads, is taken
 * from that core's requests. Unpinned, on two cores, the scheduler puts wrk's threads next to the runtime's busy I/O
 * thread more or less often from one run to the next (three times as many preemptions of it with the access log's
 * writer running, and more idle CPU: see RESULTS.md), which this benchmark then measures along with observability.
 * <p>
 * With {@code fanout} after that, the route measured is the {@code bench-fanout} fixture's, which makes three backend calls
 * in parallel to backends of their own processes ({@link FanoutBench}; pinned, on wrk's CPU): what observability costs a
 * route that composes, with a span and a place in the access log's line for each call.
 */
final class ObservabilityCost {

    private ObservabilityCost() {
    }

    /** @return the JVM options of a runtime: the default, or the system property's (to compare other settings) */
    private static List<String> options(String property, String otherwise) {
        return List.of(System.getProperty(property, otherwise).trim().split("\\s+"));
    }

    static void run(String[] args) throws Exception {
        int rounds = Bench.arg(args, 0, 5);
        int seconds = Bench.arg(args, 1, 10);
        int connections = Bench.arg(args, 2, 50);
        Bench.Placement where = Bench.Placement.from(args, 3);
        List<String> server = where.server();
        List<String> client = where.client();
        // fanout: the route that makes three backend calls (the backends on wrk's CPU when pinned), not the one from memory
        boolean fanout = List.of(args).subList(Math.min(3, args.length), args.length).contains("fanout");
        String route = fanout ? "/bench/fanout" : "/bench/inline";
        String[] names = {"off", "all on", "all on, every trace kept", "all on, access log at 10%"};
        int n = names.length;
        List<Bench.Raw> backends = fanout ? FanoutBench.backends(client, 0) : List.of();
        try (AutoCloseable stopBackends = () -> {
            for (Bench.Raw b : backends) {
                b.close();
            }
        };
                Bench.Runtime off = Bench.Runtime.start(server, Bench.dist(), Bench.tempDir("bench-obs-off-"), List.of(), "--no-seed");
                Bench.Runtime log = Bench.Runtime.start(server, Bench.dist(), Bench.tempDir("bench-obs-log-"), options("bench.obs.log",
                        "-Dmosaic.access.log=on -Dmosaic.tracing=on"), "--no-seed");
                Bench.Runtime all = Bench.Runtime.start(server, Bench.dist(), Bench.tempDir("bench-obs-all-"), options("bench.obs.all",
                        "-Dmosaic.access.log=on -Dmosaic.tracing=on -Dmosaic.tracing.sample=100%"), "--no-seed");
                Bench.Runtime sampled = Bench.Runtime.start(server, Bench.dist(), Bench.tempDir("bench-obs-sampled-"),
                        options("bench.obs.sampled", "-Dmosaic.access.log=on -Dmosaic.tracing=on -Dmosaic.access.log.sample=0.1"),
                        "--no-seed")) {
            Bench.Runtime[] runtimes = {off, log, all, sampled};
            for (Bench.Runtime rt : runtimes) {
                if (fanout) {
                    FanoutBench.deploy(rt, backends);
                } else {
                    rt.deploy(Bench.fixture("bench"));
                }
                // warm-up: the JIT settles (pinned, its compiler threads share the runtime's one core: longer)
                Bench.warmUp(client, rt.route(route), 2, connections, where.pinned() ? 30 : 10);
            }
            // -Dbench.obs.warm=MB: that much written and deleted first, so that the access logs' pages are ones the
            // guest has touched before (Bench.touchPageCache); 0 to measure a freshly booted VM's first touches too
            int warm = Integer.getInteger("bench.obs.warm", 0);
            String warmed = warm > 0 ? Bench.touchPageCache(Bench.tempDir("bench-obs-warm-"), warm, 2) : "page cache not warmed";
            System.out.println(warmed);
            List<List<Double>> rps = new ArrayList<>();
            List<List<Double>> paired = new ArrayList<>();
            List<List<Double>> cpu = new ArrayList<>();
            // each runtime's CPU a request by kind of thread, summed over the rounds: where what observability adds goes
            List<java.util.Map<String, Long>> threadNanos = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                rps.add(new ArrayList<>());
                paired.add(new ArrayList<>());
                cpu.add(new ArrayList<>());
                threadNanos.add(new java.util.TreeMap<>());
            }
            long[] served = new long[n];
            for (int i = 0; i < rounds; i++) {
                Bench.WrkResult[] r = new Bench.WrkResult[n];
                double[] micros = new double[n];
                for (int k = 0; k < n; k++) {
                    int which = (i + k) % n;
                    long before = runtimes[which].cpuNanos();
                    java.util.Map<String, Long> threadsBefore = runtimes[which].cpuNanosByThread();
                    r[which] = Bench.wrk(client, runtimes[which].route(route), 2, connections, seconds);
                    micros[which] = (runtimes[which].cpuNanos() - before) / 1000.0 / Math.max(1, r[which].requests());
                    java.util.Map<String, Long> threadsAfter = runtimes[which].cpuNanosByThread();
                    for (var t : threadsAfter.entrySet()) {
                        threadNanos.get(which).merge(t.getKey(), t.getValue() - threadsBefore.getOrDefault(t.getKey(), 0L), Long::sum);
                    }
                    served[which] += r[which].requests();
                    if (r[which].errors() > 0) {
                        throw new IllegalStateException("errors during the run (" + names[which] + "): " + r[which]);
                    }
                }
                StringBuilder line = new StringBuilder("round " + (i + 1) + ":");
                for (int k = 0; k < n; k++) {
                    rps.get(k).add(r[k].requestsPerSecond());
                    paired.get(k).add(r[k].requestsPerSecond() / r[0].requestsPerSecond());
                    cpu.get(k).add(micros[k]);
                    line.append(String.format(Locale.ROOT, " %s %.0f req/s (p99 %.2f ms, CPU %.2f us a request)%s", names[k],
                            r[k].requestsPerSecond(), r[k].p99Millis(), micros[k], k < n - 1 ? "," : ""));
                }
                System.out.println(line);
            }
            for (int k = 1; k < n; k++) {
                System.out.printf(Locale.ROOT, "summary: %s vs off: req/s %.2fx (%.0f vs %.0f; paired %.2fx)%s%n",
                        names[k], Bench.median(rps.get(k)) / Bench.median(rps.get(0)), Bench.median(rps.get(k)),
                        Bench.median(rps.get(0)), Bench.median(paired.get(k)), k == 1 ? "; target >= 0.95x" : "");
            }
            for (int k = 1; k < n; k++) {
                System.out.printf(Locale.ROOT, "summary: %s vs off: CPU a request %.2fx (%.2f vs %.2f us)%n", names[k],
                        Bench.median(cpu.get(k)) / Bench.median(cpu.get(0)), Bench.median(cpu.get(k)), Bench.median(cpu.get(0)));
            }
            // by kind of thread, over all rounds (not paired: the machine's swings are in these too)
            java.util.Set<String> kinds = new java.util.TreeSet<>();
            threadNanos.forEach(m -> kinds.addAll(m.keySet()));
            for (String kind : kinds) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "threads %-16s", kind));
                boolean any = false;
                for (int k = 0; k < n; k++) {
                    double us = threadNanos.get(k).getOrDefault(kind, 0L) / 1000.0 / Math.max(1, served[k]);
                    any |= us >= 0.05;
                    line.append(String.format(Locale.ROOT, " %s %.2f us%s", names[k], us, k < n - 1 ? "," : ""));
                }
                if (any) {
                    System.out.println(line + " a request");
                }
            }
            String calls = !fanout ? "" : where.pinned() ? " (three backend calls, the backends on CPU 1 with wrk)" : " (three backend calls)";
            System.out.printf(Locale.ROOT, "wrk -t2 -c%d -d%ds x %d rounds of GET %s%s%s; %s; %s%n", connections, seconds, rounds,
                    route, calls, where.said(), warmed, Bench.machine());
        }
    }
}
