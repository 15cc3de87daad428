package dev.mosaic.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How long a CLI command takes as a user runs it ({@code bin/mosaic}, the script and its JVM), from its start to its
 * exit, against a bare JVM that prints a line and exits (the yardstick for any Java command line): {@code help}
 * (reading the command line, nothing sent), {@code ls} (one call to a running runtime's management API on loopback) and
 * {@code ls --json}; and {@code ls} as {@code java -jar launcher.jar} alone. Alternating, each round every command once.
 */
final class CliStart {

    private CliStart() {
    }

    static void run(String[] args) throws Exception {
        int rounds = Bench.arg(args, 0, 10);
        String launcher = Bench.dist().resolve("lib/launcher.jar").toString();
        String script = java.nio.file.Path.of("bin/mosaic").toAbsolutePath().toString();
        Map<String, List<String>> commands = new LinkedHashMap<>();
        commands.put("JVM, hello world", List.of(Bench.java(), "-cp", System.getProperty("java.class.path"),
                Startup.Hello.class.getName()));
        commands.put("bin/mosaic help", List.of(script, "help"));
        commands.put("bin/mosaic ls", List.of(script, "ls"));
        commands.put("bin/mosaic ls --json", List.of(script, "ls", "--json"));
        commands.put("java -jar ... ls", List.of(Bench.java(), "-jar", launcher, "ls"));
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        commands.keySet().forEach(n -> ms.put(n, new ArrayList<>()));
        try (Bench.Runtime rt = Bench.Runtime.start(Bench.tempDir("bench-cli-"), List.of())) {
            for (int round = -1; round < rounds; round++) { // round -1 warms the file system cache
                for (Map.Entry<String, List<String>> c : commands.entrySet()) {
                    double took = time(c.getValue(), rt);
                    if (round >= 0) {
                        ms.get(c.getKey()).add(took);
                    }
                }
            }
        }
        double hello = Bench.median(ms.get("JVM, hello world"));
        for (Map.Entry<String, List<Double>> e : ms.entrySet()) {
            double m = Bench.median(e.getValue());
            System.out.printf(Locale.ROOT, "%-22s median %5.0f ms (min %4.0f, max %4.0f) = %.2fx a bare JVM%n", e.getKey(), m,
                    e.getValue().stream().mapToDouble(Double::doubleValue).min().orElse(0),
                    e.getValue().stream().mapToDouble(Double::doubleValue).max().orElse(0), m / hello);
        }
        System.out.printf(Locale.ROOT, "%d rounds; %s%n", rounds, Bench.machine());
    }

    /** @return milliseconds from the start of the command to its exit; it must exit 0 */
    private static double time(List<String> cmd, Bench.Runtime rt) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("MOSAIC_URL", rt.mgmt);
        pb.environment().put("MOSAIC_TOKEN", rt.token);
        pb.environment().put("MOSAIC_HOME", Bench.dist().toString());
        pb.environment().put("PATH", java.nio.file.Path.of(Bench.java()).getParent() + java.io.File.pathSeparator
                + System.getenv().getOrDefault("PATH", ""));
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " failed");
        }
        return (System.nanoTime() - t0) / 1e6;
    }
}
