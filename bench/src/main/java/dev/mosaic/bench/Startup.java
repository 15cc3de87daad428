package dev.mosaic.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Start-up: wall time from launching {@code java} to the runtime's ready line, with the
 * examples, measured from outside. Alternating rounds of four things, so drift hits all of
 * them alike:
 *
 * <ul>
 * <li>a JVM that prints a line and exits (what no Java program can beat);
 * <li>a bare Felix framework with no bundles, started and ready (what no OSGi runtime can beat);
 * <li>Mosaic on a fresh data directory (first start: the examples are deployed from the seed);
 * <li>Mosaic on the data directory of the previous round (a restart: deployments restored);
 * <li>the same restart with the class data sharing archive {@code bin/mosaic run} uses (made
 * once, before the rounds, by a run with {@code -XX:ArchiveClassesAtExit}).
 * </ul>
 *
 * <p>Then one more restart with {@code -Dmosaic.startup.trace=true} shows where the time goes.
 * JVM options after the rounds argument go to the Mosaic runs only (for example
 * {@code -XX:TieredStopAtLevel=1}, or a CDS archive, which is made for one class path).
 */
final class Startup {

    private Startup() {
    }

    static void run(String[] args) throws Exception {
        int rounds = Bench.arg(args, 0, 7);
        List<String> jvm = args.length > 1 ? List.of(args).subList(1, args.length) : List.of();
        Path work = Bench.tempDir("bench-startup-");
        String classpath = System.getProperty("java.class.path") + java.io.File.pathSeparator
                + Bench.dist().resolve("lib/org.apache.felix.framework.jar");
        Map<String, List<Double>> ms = new HashMap<>();
        String[] names = {"JVM, hello world", "bare Felix, no bundles", "Mosaic first start", "Mosaic restart",
            "Mosaic restart, CDS archive"};
        for (String n : names) {
            ms.put(n, new ArrayList<>());
        }
        Path archive = work.resolve("mosaic.jsa");
        List<String> training = new ArrayList<>(jvm);
        training.add("-XX:ArchiveClassesAtExit=" + archive);
        try (Bench.Runtime rt = Bench.Runtime.start(work.resolve("training"), training)) {
            // the JVM writes the archive as it exits
        }
        List<String> shared = new ArrayList<>(jvm);
        shared.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:on"));
        Path previous = null;
        for (int round = -1; round < rounds; round++) { // round -1 warms the file system cache
            double hello = child(classpath, Hello.class.getName(), work.toString());
            double felix = child(classpath, BareFelix.class.getName(), work.resolve("felix-" + round).toString());
            Path data = work.resolve("data-" + round);
            double first;
            try (Bench.Runtime rt = Bench.Runtime.start(data, jvm)) {
                first = rt.startMillis;
            }
            double restart = -1;
            double restartShared = -1;
            if (previous != null) {
                try (Bench.Runtime rt = Bench.Runtime.start(previous, jvm)) {
                    restart = rt.startMillis;
                }
                try (Bench.Runtime rt = Bench.Runtime.start(previous, shared)) {
                    restartShared = rt.startMillis;
                }
            }
            previous = data;
            if (round >= 0) {
                ms.get(names[0]).add(hello);
                ms.get(names[1]).add(felix);
                ms.get(names[2]).add(first);
                if (restart >= 0) {
                    ms.get(names[3]).add(restart);
                    ms.get(names[4]).add(restartShared);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%-28s %5s %9s %9s %9s%n", "start to ready (ms)", "n", "median", "min", "max");
        for (String n : names) {
            List<Double> v = ms.get(n);
            System.out.printf(Locale.ROOT, "%-28s %5d %9.0f %9.0f %9.0f%n", n, v.size(), Bench.median(v),
                    v.stream().mapToDouble(Double::doubleValue).min().orElse(0), v.stream().mapToDouble(Double::doubleValue).max().orElse(0));
        }
        List<String> traced = new ArrayList<>(jvm);
        traced.add("-Dmosaic.startup.trace=true");
        try (Bench.Runtime rt = Bench.Runtime.start(previous, traced)) {
            // the trace is on the runtime's stderr, which Bench.Runtime keeps in a log beside the data directory
        }
        Path log = previous.resolveSibling(previous.getFileName() + ".log");
        boolean inTrace = false;
        for (String line : Files.readAllLines(log)) {
            inTrace |= line.startsWith("mosaic start-up trace");
            if (inTrace) {
                System.out.println(line);
            }
        }
        double restart = Bench.median(ms.get(names[3]));
        System.out.printf(Locale.ROOT, "summary: restart median %.0f ms = %.2fx a bare Felix, %.2fx a bare JVM; with the CDS archive"
                + " %.0f ms (%.2fx); first start %.0f ms; target <= 1000 ms; jvm options %s; %s%n", restart,
                restart / Bench.median(ms.get(names[1])), restart / Bench.median(ms.get(names[0])), Bench.median(ms.get(names[4])),
                Bench.median(ms.get(names[4])) / restart, Bench.median(ms.get(names[2])), jvm, Bench.machine());
    }

    /** @return milliseconds from starting the child JVM to its first line on stdout */
    private static double child(String classpath, String main, String arg) throws IOException, InterruptedException {
        List<String> cmd = List.of(Bench.java(), "-cp", classpath, main, arg);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream())).readLine();
        long nanos = System.nanoTime() - t0;
        if (line == null || !line.startsWith("ready")) {
            throw new IllegalStateException(main + " did not start: " + line);
        }
        p.destroy();
        p.waitFor(30, TimeUnit.SECONDS);
        return nanos / 1e6;
    }

    /** The yardstick for any Java program. */
    public static final class Hello {
        public static void main(String[] args) {
            System.out.println("ready");
        }
    }

    /** The yardstick for any OSGi runtime: Felix with an empty cache and no bundles, started. */
    public static final class BareFelix {
        public static void main(String[] args) throws Exception {
            FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow();
            Framework framework = factory.newFramework(Map.of("org.osgi.framework.storage", args[0],
                    "org.osgi.framework.storage.clean", "onFirstInit"));
            framework.start();
            System.out.println("ready");
            System.out.flush();
            framework.stop();
            framework.waitForStop(10_000);
        }
    }
}
