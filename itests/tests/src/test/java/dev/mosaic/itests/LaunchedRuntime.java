package dev.mosaic.itests;

import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The runtime as {@code bin/mosaic run} starts it: the distribution's launcher in a child
 * JVM, on free ports, with its own data directory. For tests of start-up, restarts, crashes
 * and the CLI.
 */
final class LaunchedRuntime implements AutoCloseable {

    /**
     * Threads for what a test runs beside itself, one per task: CompletableFuture's default runs tasks in the common
     * pool, which has one thread on a two-core machine, and from Java 25 it runs them there one after the other (a
     * blocked task holds up every other; on Java 17 it started a thread per task when the pool was that small).
     */
    static final java.util.concurrent.ExecutorService ASYNC = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "itest-async");
        t.setDaemon(true);
        return t;
    });

    static final Duration READY = Duration.ofSeconds(90);
    static final ObjectMapper JSON = new ObjectMapper();

    final Process process;
    final Path data;
    final Path log;
    final long startNanos;
    final long readyNanos;
    final int port;
    final String mgmtUrl;
    private final List<String> stdout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LaunchedRuntime(Process process, Path data, Path log, long startNanos, long readyNanos, int port, String mgmtUrl,
            List<String> stdout) {
        this.process = process;
        this.data = data;
        this.log = log;
        this.startNanos = startNanos;
        this.readyNanos = readyNanos;
        this.port = port;
        this.mgmtUrl = mgmtUrl;
        this.stdout = stdout;
    }

    static Path dist() {
        return Path.of(System.getProperty("mosaic.dist"));
    }

    /**
     * @return the platform bundle that holds a change at a phase ({@code -Dmosaic.test.holdAt=recorded:60000}),
     *         so that a test can kill the runtime there
     */
    static Path holdAt() throws IOException {
        return fixture("hold-at");
    }

    /** @return a fixture bundle built by itests/fixtures, by its classifier ({@code flaky-1.2.0}) */
    static Path fixture(String classifier) throws IOException {
        Path dir = Path.of(System.getProperty("mosaic.fixtures"));
        try (java.nio.file.DirectoryStream<Path> s = Files.newDirectoryStream(dir, "fixtures-*-" + classifier + ".jar")) {
            for (Path p : s) {
                return p;
            }
        }
        throw new IOException("no fixture " + classifier + " in " + dir + "; build itests/fixtures first");
    }

    static Path newDataDir() throws IOException {
        return Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("mosaic.work"))), "launched-");
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** @return a port nothing listens on now */
    static int freePort() throws IOException {
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    /**
     * @return a process builder for {@code bin/mosaic} in the repository, run from its root with the Java of these tests
     *         and the built distribution (for {@link #startScript})
     */
    static ProcessBuilder script() throws IOException {
        ProcessBuilder pb = new ProcessBuilder().directory(Path.of(System.getProperty("mosaic.root")).toRealPath().toFile());
        pb.environment().remove("MOSAIC_TOKEN");
        pb.environment().put("MOSAIC_HOME", dist().toString());
        pb.environment().put("PATH", Path.of(java()).getParent() + java.io.File.pathSeparator + System.getenv("PATH"));
        return pb;
    }

    /** Starts a runtime with {@code --no-console} and waits for its ready line. */
    static LaunchedRuntime start(Path data, String... jvmOptions) throws Exception {
        return start(data, List.of(jvmOptions), List.of("--no-console"));
    }

    /** Starts a runtime and waits for its ready line. */
    static LaunchedRuntime start(Path data, List<String> jvmOptions, List<String> runOptions) throws Exception {
        return start(data, jvmOptions, runOptions, java.util.Map.of());
    }

    /** Starts a runtime with more environment variables and waits for its ready line. */
    static LaunchedRuntime start(Path data, List<String> jvmOptions, List<String> runOptions, java.util.Map<String, String> env)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", dist().resolve("lib/launcher.jar").toString(), "run", "--port", "0",
                "--mgmt-port", "0", "--data", data.toString()));
        command.addAll(runOptions);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("MOSAIC_TOKEN");
        pb.environment().remove("MOSAIC_HOME");
        pb.environment().putAll(env);
        return start(pb, data);
    }

    /**
     * Starts a runtime the way the README does, {@code bin/mosaic run}, from the directory the
     * process builder is in (no terminal, so no console), and waits for its ready line.
     */
    static LaunchedRuntime startScript(ProcessBuilder pb, Path data, String... runOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of("bin/mosaic", "run", "--port", "0", "--mgmt-port", "0", "--data",
                data.toString()));
        command.addAll(List.of(runOptions));
        pb.command(command);
        return start(pb, data);
    }

    /** Starts what the process builder says (a runtime, as a script or a shell line starts it) and waits for its ready line. */
    static LaunchedRuntime start(ProcessBuilder pb, Path data) throws Exception {
        Path log = Files.createTempFile(data.getParent(), "runtime-", ".log");
        pb.redirectError(log.toFile());
        long start = System.nanoTime();
        Process p = pb.start();
        List<String> out = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    out.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "runtime-stdout");
        reader.setDaemon(true);
        reader.start();
        long deadline = start + READY.toNanos();
        while (true) {
            for (String line : out) {
                if (line.startsWith("mosaic ready on port ")) {
                    long ready = System.nanoTime();
                    int port = Integer.parseInt(line.substring("mosaic ready on port ".length()).trim());
                    String mgmt = out.stream().filter(l -> l.startsWith("mosaic management API on ")).findFirst()
                            .map(l -> l.substring("mosaic management API on ".length()).split(" ")[0]).orElse(null);
                    return new LaunchedRuntime(p, data, log, start, ready, port, mgmt, out);
                }
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                fail("the runtime did not print its ready line (" + (p.isAlive() ? "timeout" : "exit " + p.waitFor())
                        + "); stdout " + out + "; log:\n" + Files.readString(log));
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    long startMillis() {
        return TimeUnit.NANOSECONDS.toMillis(readyNanos - startNanos);
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode json(String path) throws Exception {
        HttpResponse<String> r = get(path);
        if (r.statusCode() != 200) {
            fail("GET " + path + " answered " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Calls the management API with the runtime's token. */
    HttpResponse<String> api(String method, String path, byte[] body) throws Exception {
        String token = Files.readString(data.resolve("mgmt-token")).trim();
        return http.send(HttpRequest.newBuilder(URI.create(mgmtUrl + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** @return the versions of a deployment in the environment, as the management API lists them, lowest first */
    List<String> versions(String env, String name) throws Exception {
        List<String> found = new ArrayList<>();
        JSON.readTree(api("GET", "/deployments?env=" + env, null).body()).forEach(d -> {
            if (d.get("name").asText().equals(name)) {
                found.add(d.get("version").asText());
            }
        });
        java.util.Collections.sort(found);
        return found;
    }

    /** Runs {@code mosaic <args>} (the CLI) against this runtime. */
    CliResult cli(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", mgmtUrl, "--data", data.toString()));
        return CliResult.run(all);
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    List<String> stdout() {
        return stdout;
    }

    /** Waits until the runtime's log contains the text. */
    void awaitLog(String text) throws Exception {
        long deadline = System.nanoTime() + READY.toNanos();
        while (!log().contains(text)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                fail("the log never said '" + text + "':\n" + log());
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /** {@code kill -9}: no shutdown hook, no flush, nothing. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** A clean stop (SIGTERM), as Ctrl-C or a service manager would. */
    boolean stop() throws InterruptedException {
        process.destroy();
        return process.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What a CLI invocation printed and returned. */
    record CliResult(int exit, String out, String err) {
        static CliResult run(List<String> args) throws Exception {
            return run(args, java.util.Map.of());
        }

        /** Runs the CLI with more environment variables. */
        static CliResult run(List<String> args, java.util.Map<String, String> env) throws Exception {
            List<String> command = new ArrayList<>(List.of(java(), "-jar", dist().resolve("lib/launcher.jar").toString()));
            command.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().remove("MOSAIC_TOKEN");
            pb.environment().putAll(env);
            Process p = pb.start();
            java.util.concurrent.CompletableFuture<byte[]> errFuture = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getErrorStream().readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            }, ASYNC);
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = errFuture.get(120, TimeUnit.SECONDS);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("the CLI did not finish: " + args);
            }
            return new CliResult(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        }
    }
}
