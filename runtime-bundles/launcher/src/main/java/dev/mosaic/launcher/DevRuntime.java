package dev.mosaic.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The runtime {@code mosaic dev} starts when none answers at its management port: a process of the distribution's own
 * launcher, its data in the project's {@code target/mosaic-dev/runtime}, named for the dev of another project (a module
 * next to its adapter) while it runs, and stopped with dev. Also how dev asks whether a runtime answers, and finds one
 * another project's dev started.
 */
final class DevRuntime {

    private final Process process;
    private final Path data;
    private final int mgmtPort;
    /** The {@link #marker} naming it, once it is ready. */
    private volatile Path marked;

    private DevRuntime(Process process, Path data, int mgmtPort) {
        this.process = process;
        this.data = data;
        this.mgmtPort = mgmtPort;
    }

    /**
     * Where a runtime that dev started is named, by its management port, for the dev of another project (a module next to
     * its adapter) to deploy to it: {@code ~/.mosaic/dev/runtime-PORT} holds its data directory, whose token only its
     * user can read; the token itself is never copied.
     */
    static Path marker(int mgmtPort) {
        return Path.of(System.getProperty("user.home"), ".mosaic", "dev", "runtime-" + mgmtPort);
    }

    /**
     * @return the data directory of the runtime answering at the URL, if another dev started it and its token opens it;
     *         null otherwise (a marker left by a dev that was killed names a runtime no longer there: it is removed)
     */
    static Path startedBy(String url, int mgmtPort) {
        Path marker = marker(mgmtPort);
        try {
            Path data = Path.of(Files.readString(marker).trim());
            String token = Files.readString(data.resolve("mgmt-token")).trim();
            int health = probe(url, token);
            if (health / 100 == 2 || health == 503) { // 503: it answers, not all of it healthy
                return data;
            }
            Files.deleteIfExists(marker);
        } catch (IOException | RuntimeException e) {
            // no marker, or one naming a data directory that is gone: the token is looked for as every command does
        }
        return null;
    }

    /** Names the runtime dev started here, for other projects' dev; @return the marker written, or null if it could not be */
    private static Path mark(int mgmtPort, Path data) {
        Path marker = marker(mgmtPort);
        try {
            Path dir = marker.getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                try {
                    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: its own permissions stand
                }
            }
            Files.writeString(marker, data.toAbsolutePath().toString());
            return marker;
        } catch (IOException e) {
            return null; // another project's dev then needs --data; this one goes on
        }
    }

    /** Removes the marker, if it still names this runtime. */
    private static void unmark(Path marker, Path data) {
        try {
            if (marker != null && Files.readString(marker).trim().equals(data.toAbsolutePath().toString())) {
                Files.deleteIfExists(marker);
            }
        } catch (IOException e) {
            // already gone, or another dev's now
        }
    }

    /**
     * Starts a runtime with the distribution's own launcher, waits until it is ready, and names it for other projects'
     * dev.
     *
     * @param debug the debugger's port, or null for none
     * @return the runtime, or null if it did not start (its output is printed)
     */
    static DevRuntime start(Path data, int port, int mgmtPort, Integer debug, PrintWriter out, PrintWriter err)
            throws Exception {
        Path home = RuntimeLauncher.home();
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        if (debug != null) {
            command.add("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + debug);
        }
        command.addAll(List.of("-jar", home.resolve("lib").resolve("launcher.jar").toString(), "run", "--no-console",
                "--data", data.toString(), "--port", Integer.toString(port), "--mgmt-port", Integer.toString(mgmtPort)));
        out.println(DevCommand.stamp() + " starting a runtime (device port " + port + ", data " + data + ")");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        CountDownLatch ready = new CountDownLatch(1);
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    err.println("  runtime | " + line);
                    if (line.contains(RuntimeLauncher.READY)) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // the runtime is gone; the wait below notices
            }
        }, "mosaic-dev-runtime-output");
        pump.setDaemon(true);
        pump.start();
        DevRuntime runtime = new DevRuntime(p, data, mgmtPort);
        Runtime.getRuntime().addShutdownHook(new Thread(runtime::stop, "mosaic-dev-stop-runtime"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!ready.await(100, TimeUnit.MILLISECONDS)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                stopRuntime(p);
                err.println("mosaic dev: the runtime did not start (its output is above)");
                return null;
            }
        }
        if (debug != null) {
            out.println(DevCommand.stamp() + " debugger on 127.0.0.1:" + debug + ": jdb -attach 127.0.0.1:" + debug
                    + ", or an IDE's remote JVM debug (attach) to that port");
        }
        runtime.marked = mark(mgmtPort, data);
        return runtime;
    }

    /** @return its management API */
    String base() {
        return "http://127.0.0.1:" + mgmtPort + "/api/v1";
    }

    /** @return its management token */
    String token() throws IOException {
        return Files.readString(data.resolve("mgmt-token")).trim();
    }

    /** Stops it (at most 20 s, then forcibly), and takes its name away; again, nothing more. */
    void stop() {
        stopRuntime(process);
        unmark(marked, data);
    }

    private static void stopRuntime(Process p) {
        if (p.isAlive()) {
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** @return the status the management API answers without a token (401 from a runtime), or -1 if nothing answers */
    static int probe(String url, String withToken) {
        try {
            return Http.exchange("GET", url + "/health", withToken == null ? Map.of()
                    : Map.of("Authorization", "Bearer " + withToken), null, Duration.ofSeconds(5)).status();
        } catch (IOException | IllegalArgumentException e) {
            return -1; // nothing answers (ConnectException), or not in time
        }
    }
}
