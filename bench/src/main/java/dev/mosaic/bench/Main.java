package dev.mosaic.bench;

import java.util.Arrays;

/** {@code bench/run NAME [args]}: one benchmark, a table, and a summary line with ratios. */
public final class Main {

    private static final String HELP = """
            bench/run throughput [rounds] [seconds] [connections] [adaptive|blocking|nonblocking] [pin]
                adapter routes (non-blocking and blocking) against raw Jetty of the same invocation type, wrk;
                the last argument is the gateway's mode (mosaic.gateway.invocationType, default adaptive)
            bench/run deploy [rounds]
                time from the management call to the new version answering; adapter deploys and module releases
            bench/run swaps [swaps] [seconds] [connections] [pause ms] [route: /tv/home, or /mobile/home which no swap moves]
                failed requests and p99 on a route while its module version is yanked and unyanked under load
            bench/run flood [seconds] [rounds] [wrk seconds]
                oversized-header flood: wrong answers to other clients on raw Jetty, raw Jetty with Mosaic's
                connector and the runtime; then the connector's req/s against raw Jetty, not attacked
            bench/run history [rounds] [changes]
                restart to ready with 50 deployments and a long history (20,000 changes) against the same with 50
            bench/run scale [max adapters] [module versions]
                N = 10, 100, 1000, 10000 adapters: fill time, deploy of one more, heap, start-to-ready
            bench/run lookup [seconds per iteration]
                route lookup cost with JMH, against a HashMap lookup
            bench/run accessline [seconds per iteration]
                one access-log line made and written on one thread (JMH), against the same bytes copied in ready-made
            bench/run startup [rounds]
                start-to-ready with the examples, against a bare JVM and a bare Felix, and where the time goes
            bench/run fanout [rounds] [seconds] [connections]
                a device request making 3 parallel backend calls through a Mosaic adapter, against a plain Jetty
                handler doing the same with Jetty's HttpClient, to the same 3 backends on loopback; wrk, alternating
            bench/run tail [rounds] [seconds] [connections]
                one of 3 backends answers 2% of calls after 1 s; an adapter giving each call 100 ms and a fallback:
                the device p99 against the deadline, and failed requests
            bench/run gate [releases] [consumers] [restarts]
                the release gate: time in bnd's comparison and in the consumers' code check, per release of the
                example catalog and of commons-lang3 among many consumers; start-to-ready with and without it
            bench/run devloop [edits] [compiles]
                edit -> served with bin/mosaic dev on a project from the adapter archetype: a class file replaced,
                to the new answer; from mvn compile's start; and mvn package + deploy as the baseline
            bench/run observability [rounds] [seconds] [connections] [pin] [fanout]
                off, all on (metrics, access log, tracing with its default sampling), all on with every trace kept, all on
                with the access log at 10%; wrk, alternating
            bench/run fleet [rounds] [outage seconds] [idle seconds]
                three instances on a throwaway PostgreSQL: a deploy through one to the new version serving on all three
                (against one runtime without a store), the store's load from an idle fleet, catching up after an outage
            bench/run canary [rounds] [share %]
                a canary answering only 500s at 1000 req/s (open loop): the time from its deploy to its automatic rollback,
                its failed requests, any other failed request; against a healthy canary's deploy to its first answer
            bench/run bulkhead [requests] [rounds]
                a healthy adapter's latency with and without a saturated neighbour
            bench/run firstcall [rounds]
                the first composed request after a start, and its slowest backend call, with the backends' warm-up
                against without it; and start to ready for both
            bench/run cli [rounds]
                a CLI command from the JVM's start to its exit (help; ls against a runtime), against a bare JVM
            """;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (name) {
            case "throughput" -> Throughput.run(rest);
            case "deploy" -> DeployLatency.run(rest);
            case "bulkhead" -> Bulkhead.run(rest);
            case "fanout" -> FanoutBench.fanout(rest);
            case "tail" -> FanoutBench.tail(rest);
            case "swaps" -> Swaps.run(rest);
            case "flood" -> Flood.run(rest);
            case "history" -> History.run(rest);
            case "scale" -> Scale.run(rest);
            case "lookup" -> Lookup.run(rest);
            case "accessline" -> AccessLineBench.run(rest);
            case "startup" -> Startup.run(rest);
            case "gate" -> GateBench.run(rest);
            case "devloop" -> DevLoop.run(rest);
            case "observability" -> ObservabilityCost.run(rest);
            case "fleet" -> FleetBench.run(rest);
            case "canary" -> CanaryBench.run(rest);
            case "firstcall" -> FirstCall.run(rest);
            case "cli" -> CliStart.run(rest);
            default -> {
                System.out.print(HELP);
                System.exit(name.equals("help") ? 0 : 2);
            }
        }
    }
}
