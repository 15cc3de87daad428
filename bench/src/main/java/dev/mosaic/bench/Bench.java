package dev.mosaic.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the benchmarks share: child processes (the runtime, a raw Jetty), wrk, and statistics. */
final class Bench {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Bench() {
    }

    static Path dist() {
        Path d = Path.of("features/target/mosaic").toAbsolutePath();
        if (!Files.isRegularFile(d.resolve("lib/launcher.jar"))) {
            throw new IllegalStateException("no distribution at " + d + "; run from the repository root after mvn -DskipTests package");
        }
        return d;
    }

    static Path fixture(String classifier) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("itests/fixtures/target"), "fixtures-*-" + classifier + ".jar")) {
            for (Path p : s) {
                return p;
            }
        }
        throw new IllegalStateException("no fixture " + classifier + " in itests/fixtures/target; build with mvn -DskipTests package");
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The kernel's clock ticks a second, in which /proc gives CPU times ({@code getconf CLK_TCK}: 100 on Linux). */
    private static final long CLOCK_TICKS = 100;

    /** A Mosaic runtime started like bin/mosaic run, in its own JVM. */
    static final class Runtime implements AutoCloseable {
        final Process process;
        final Path data;
        final int port;
        final String mgmt;
        final String token;
        final long startMillis;

        private Runtime(Process process, Path data, int port, String mgmt, long startMillis) throws IOException {
            this.process = process;
            this.data = data;
            this.port = port;
            this.mgmt = mgmt;
            this.token = Files.readString(data.resolve("mgmt-token")).trim();
            this.startMillis = startMillis;
        }

        static Runtime start(Path data, List<String> jvm, String... runArgs) throws IOException {
            return start(dist(), data, jvm, runArgs);
        }

        /** @param home the distribution to run (a copy of the built one, say, with another feature) */
        static Runtime start(Path home, Path data, List<String> jvm, String... runArgs) throws IOException {
            return start(List.of(), home, data, jvm, runArgs);
        }

        /** @param launch what runs the JVM ({@code taskset -c 0}, say), or nothing */
        static Runtime start(List<String> launch, Path home, Path data, List<String> jvm, String... runArgs) throws IOException {
            List<String> cmd = new ArrayList<>(launch);
            cmd.add(java());
            cmd.addAll(jvm);
            cmd.addAll(List.of("-jar", home.resolve("lib/launcher.jar").toString(), "run", "--port", "0", "--mgmt-port", "0",
                    "--data", data.toString(), "--no-console"));
            cmd.addAll(List.of(runArgs));
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectError(data.resolveSibling(data.getFileName() + ".log").toFile()).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String mgmt = null;
            for (String line; (line = out.readLine()) != null;) {
                if (line.startsWith("mosaic management API on ")) {
                    mgmt = line.substring("mosaic management API on ".length()).split(" ")[0];
                } else if (line.startsWith("mosaic ready on port ")) {
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    return new Runtime(p, data, Integer.parseInt(line.substring("mosaic ready on port ".length()).trim()), mgmt, ms);
                }
            }
            throw new IllegalStateException("the runtime did not start; see " + data.resolveSibling(data.getFileName() + ".log"));
        }

        URI route(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        HttpResponse<String> api(String method, String path, byte[] body) throws IOException, InterruptedException {
            return HTTP.send(HttpRequest.newBuilder(URI.create(mgmt + path)).timeout(Duration.ofMinutes(5))
                    .header("Authorization", "Bearer " + token)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }

        void deploy(Path jar) throws IOException, InterruptedException {
            deployBytes(Files.readAllBytes(jar), jar.getFileName().toString());
        }

        void deployBytes(byte[] jar, String what) throws IOException, InterruptedException {
            HttpResponse<String> r = api("POST", "/deployments", jar);
            if (r.statusCode() >= 300) {
                throw new IllegalStateException("deploy of " + what + " failed: " + r.body());
            }
        }

        long pid() {
            return process.pid();
        }

        /**
         * @return the CPU time its JVM has used so far, on all its threads (ended ones too), in nanoseconds: user and
         *         system time from {@code /proc/<pid>/stat}, in the kernel's clock ticks (10 ms), so good for runs of
         *         seconds; -1 where there is no /proc
         */
        long cpuNanos() throws IOException {
            Path stat = Path.of("/proc", Long.toString(pid()), "stat");
            if (!Files.exists(stat)) {
                return -1;
            }
            return statNanos(Files.readString(stat));
        }

        /** @return the user and system time a {@code /proc} stat line gives, in nanoseconds */
        private static long statNanos(String text) {
            // the fields after the command's name, which is in parentheses and may hold spaces: utime, stime are 14, 15
            String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * (1_000_000_000L / CLOCK_TICKS);
        }

        /**
         * @return the CPU time each kind of thread of its JVM has used so far, in nanoseconds, by thread name without
         *         its number ({@code mosaic-device-3} and {@code mosaic-device-7}: {@code mosaic-device-}; Linux keeps 15
         *         characters of a name): threads alive now only, so compare kinds that live through a run; empty where
         *         there is no /proc
         */
        java.util.Map<String, Long> cpuNanosByThread() throws IOException {
            java.util.Map<String, Long> byKind = new java.util.TreeMap<>();
            Path tasks = Path.of("/proc", Long.toString(pid()), "task");
            if (!Files.isDirectory(tasks)) {
                return byKind;
            }
            try (DirectoryStream<Path> s = Files.newDirectoryStream(tasks)) {
                for (Path task : s) {
                    try {
                        String kind = Files.readString(task.resolve("comm")).trim().replaceAll("[#]?[0-9]*$", "").trim();
                        byKind.merge(kind, statNanos(Files.readString(task.resolve("stat"))), Long::sum);
                    } catch (IOException | RuntimeException ended) {
                        // the thread ended while it was read
                    }
                }
            }
            return byKind;
        }

        /**
         * Stops the runtime as an operator does, with SIGTERM, and waits for it to exit (at most
         * a minute, then it is killed).
         *
         * @return how long it took to exit, in ms
         */
        long stop() throws InterruptedException {
            long t0 = System.nanoTime();
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                stop();
            }
        }
    }

    /**
     * A yardstick server in its own JVM, with no OSGi: {@link RawJetty} (a bare Jetty handler), or
     * {@link dev.mosaic.gateway.internal.PlainGateway} (Mosaic's device handler with one route).
     */
    /**
     * Where the servers and wrk run: anywhere (the scheduler decides), or, pinned, every server on CPU 0 and wrk on CPU 1
     * ({@code taskset}): a core each, as a server has one of its own (see {@link ObservabilityCost} for why).
     *
     * @param server what runs a server's JVM
     * @param client what runs wrk
     * @param said how a summary line says it ({@code "; servers on CPU 0, wrk on CPU 1"}), or nothing
     */
    record Placement(List<String> server, List<String> client, String said) {

        /** @return pinned when the argument at {@code index} is {@code pin}, else anywhere */
        static Placement from(String[] args, int index) {
            return args.length > index && args[index].equals("pin")
                    ? new Placement(List.of("taskset", "-c", "0"), List.of("taskset", "-c", "1"), "; servers on CPU 0, wrk on CPU 1")
                    : new Placement(List.of(), List.of(), "");
        }

        boolean pinned() {
            return !server.isEmpty();
        }
    }

    static final class Raw implements AutoCloseable {
        final Process process;
        final int port;
        private final String path;

        /** A raw Jetty server. */
        Raw(String mode, Path body) throws IOException {
            this(RawJetty.class.getName(), mode, body, "/");
        }

        Raw(String mainClass, String mode, Path body, String path) throws IOException {
            this(List.of(), mainClass, List.of(mode, body.toString()), path);
        }

        /** Any main class of the benchmarks, with its arguments, that prints {@code ... ready on port N}. */
        Raw(String mainClass, List<String> args, String path) throws IOException {
            this(List.of(), mainClass, args, path);
        }

        /** @param launch what runs the JVM ({@code taskset -c 0}, say), or nothing */
        Raw(List<String> launch, String mainClass, List<String> args, String path) throws IOException {
            this.path = path;
            List<String> cmd = new java.util.ArrayList<>(launch);
            // the gateway's access log off, as the runtime has it by default (slf4j-simple would log every request)
            cmd.addAll(List.of(java(), "-Dorg.slf4j.simpleLogger.log.mosaic.access=off", "-cp", System.getProperty("java.class.path"),
                    mainClass));
            cmd.addAll(args);
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String line = new BufferedReader(new InputStreamReader(process.getInputStream())).readLine();
            if (line == null || !line.matches(".* ready on port \\d+")) {
                throw new IllegalStateException(mainClass + " did not start: " + line);
            }
            port = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** What one wrk run measured. */
    record WrkResult(double requestsPerSecond, double p50Millis, double p99Millis, long requests, long errors) {
    }

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern PCT = Pattern.compile("\\s+(50|99)(?:\\.0+)?%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
    private static final Pattern SOCKET = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    /**
     * Warms a server up before its rounds count: wrk for {@code seconds}, then 5 s more on new connections. The first run's
     * connections closing take paths its compiled code had never seen; the run after it began with some 1,000 methods
     * deoptimized and compiled again (-XX:+PrintCompilation), a fifth slower, and that was the first round (RESULTS.md,
     * 2026-12-05 noon).
     */
    static void warmUp(List<String> launch, URI uri, int threads, int connections, int seconds)
            throws IOException, InterruptedException {
        wrk(launch, uri, threads, connections, seconds);
        wrk(launch, uri, threads, connections, 5);
    }

    static void warmUp(URI uri, int threads, int connections, int seconds) throws IOException, InterruptedException {
        warmUp(List.of(), uri, threads, connections, seconds);
    }

    static WrkResult wrk(URI uri, int threads, int connections, int seconds) throws IOException, InterruptedException {
        return wrk(List.of(), uri, threads, connections, seconds);
    }

    /** @param launch what runs wrk ({@code taskset -c 1}, say), or nothing */
    static WrkResult wrk(List<String> launch, URI uri, int threads, int connections, int seconds)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(launch);
        cmd.addAll(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency", uri.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("wrk failed (is it installed? apt-get install wrk): " + out);
        }
        Matcher rps = RPS.matcher(out);
        Matcher total = TOTAL.matcher(out);
        if (!rps.find() || !total.find()) {
            throw new IllegalStateException("cannot read wrk's output:\n" + out);
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher pct = PCT.matcher(out);
        while (pct.find()) {
            double v = Double.parseDouble(pct.group(2));
            double ms = switch (pct.group(3)) {
                case "us" -> v / 1000;
                case "s" -> v * 1000;
                default -> v;
            };
            if (pct.group(1).equals("50")) {
                p50 = ms;
            } else {
                p99 = ms;
            }
        }
        long errors = 0;
        Matcher socket = SOCKET.matcher(out);
        if (socket.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(socket.group(i));
            }
        }
        Matcher non2xx = NON2XX.matcher(out);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        return new WrkResult(Double.parseDouble(rps.group(1)), p50, p99, Long.parseLong(total.group(1)), errors);
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(p / 100 * sorted.size()) - 1)));
    }

    static String machine() {
        return String.format(Locale.ROOT, "java %s, %d cores, %s", System.getProperty("java.version"),
                java.lang.Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"));
    }

    /** Made by {@link #tempDir}; deleted when the benchmark's JVM exits (a scale run leaves hundreds of MB). */
    private static final List<Path> TEMP_DIRS = new java.util.concurrent.CopyOnWriteArrayList<>();

    static {
        java.lang.Runtime.getRuntime().addShutdownHook(new Thread(() -> TEMP_DIRS.forEach(Bench::deleteTree), "bench-cleanup"));
    }

    /**
     * A new directory under the system's temporary one, deleted with all it holds when the
     * benchmark ends; the runtime's log beside it ({@code <dir>.log}) is kept.
     */
    static Path tempDir(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        TEMP_DIRS.add(dir);
        return dir;
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            all.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Writes a file of {@code megabytes} into {@code dir} and deletes it, {@code passes} times, and says how long each
     * pass took. A virtual machine's guest pays far more for the first write to a page of its memory than for later
     * ones (the hypervisor backs the page then): on the benchmarks' VMs a first GB through the page cache took 2.5-3 s
     * of system time, the next 0.2-0.8 s. A runtime's access log writes new page-cache pages all the time, so on a
     * freshly booted VM it pays that first touch for every page of its file, which a machine that has run for a while
     * (all of its memory touched, the page cache full and recycled) does not. The pages a deleted file frees are the
     * ones the kernel hands out next, so a benchmark that wants the steady state writes as much as its runs will write
     * first, here.
     *
     * @return one line saying what each pass took
     */
    static String touchPageCache(Path dir, int megabytes, int passes) throws IOException {
        StringBuilder said = new StringBuilder(String.format(Locale.ROOT, "page cache warmed: %d MB written and deleted", megabytes));
        java.nio.ByteBuffer block = java.nio.ByteBuffer.allocateDirect(1 << 20);
        for (int pass = 0; pass < passes; pass++) {
            Path file = dir.resolve("page-cache-warm-up");
            long start = System.nanoTime();
            try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                for (int mb = 0; mb < megabytes; mb++) {
                    block.clear();
                    while (block.hasRemaining()) {
                        out.write(block);
                    }
                }
            } finally {
                Files.deleteIfExists(file);
            }
            said.append(String.format(Locale.ROOT, "%s %.2f s", pass == 0 ? ", passes" : ",", (System.nanoTime() - start) / 1e9));
        }
        return said.toString();
    }

    /**
     * @return the results of the JMH benchmarks whose names match, run in one forked JVM (with these options): three
     *         warm-up iterations and five measured, of that many seconds each
     */
    static java.util.Collection<org.openjdk.jmh.results.RunResult> jmh(String include, int seconds, String... jvmArgs)
            throws org.openjdk.jmh.runner.RunnerException {
        org.openjdk.jmh.runner.options.TimeValue each = org.openjdk.jmh.runner.options.TimeValue.seconds(seconds);
        return new org.openjdk.jmh.runner.Runner(new org.openjdk.jmh.runner.options.OptionsBuilder().include(include).forks(1)
                .jvmArgsAppend(jvmArgs).warmupIterations(3).warmupTime(each).measurementIterations(5).measurementTime(each)
                .build()).run();
    }

    static int arg(String[] args, int index, int fallback) {
        return args.length > index ? Integer.parseInt(args[index]) : fallback;
    }
}
