package dev.mosaic.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Edit to served with {@code bin/mosaic dev}: a project made from the adapter archetype, watched by {@code dev} (which
 * starts its own runtime), and a class file of its output folder replaced by another build of it, alternately; the
 * time runs from the replace to the first response with the new answer, polled from outside over HTTP. For reference,
 * from the start of {@code mvn -q -o compile} after a source edit; and, as the baseline measured in the same run, the
 * flow without {@code dev}: {@code mvn -q -o package} and {@code bin/mosaic deploy}, to the new answer. The Mosaic
 * artifacts must be in the local Maven repository ({@code bench/run devloop} installs them).
 */
final class DevLoop {

    private DevLoop() {
    }

    static void run(String[] args) throws Exception {
        int edits = Bench.arg(args, 0, 20);
        int compiles = Bench.arg(args, 1, 5);
        Path work = Bench.tempDir("bench-devloop-");
        String version = System.getProperty("mosaic.version", "0.1.0-SNAPSHOT");
        mvn(work, "-B", "-q", "-o", "org.apache.maven.plugins:maven-archetype-plugin:3.4.1:generate",
                "-DarchetypeGroupId=dev.mosaic", "-DarchetypeArtifactId=mosaic-adapter-archetype",
                "-DarchetypeVersion=" + version, "-DgroupId=com.example.bench", "-DartifactId=bench-home");
        Path project = work.resolve("bench-home");
        Path source = project.resolve("src/main/java/com/example/bench/Hello.java");
        Path compiled = project.resolve("target/classes/com/example/bench/Hello.class");
        String original = Files.readString(source);

        // two builds of the handler's class, answering "one, ..." and "two, ...": what an IDE writes on save
        Path[] variants = new Path[2];
        for (int i = 0; i < 2; i++) {
            Files.writeString(source, original.replace("\"hello, \"", "\"" + (i == 0 ? "one" : "two") + ", \""));
            mvn(project, "-B", "-q", "-o", "compile");
            variants[i] = Files.copy(compiled, work.resolve("Hello-" + i + ".class"));
        }
        Files.writeString(source, original);
        mvn(project, "-B", "-q", "-o", "compile");

        int port = freePort();
        int mgmt = freePort();
        List<String> lines = new CopyOnWriteArrayList<>();
        ProcessBuilder pb = new ProcessBuilder("bin/mosaic", "dev", "--project", project.toString(), "-o", "--port",
                Integer.toString(port), "--mgmt-port", Integer.toString(mgmt)).redirectErrorStream(true);
        pb.environment().remove("MOSAIC_URL");
        pb.environment().remove("MOSAIC_TOKEN");
        Process dev = pb.start();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(dev.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // ended
            }
        });
        pump.setDaemon(true);
        pump.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (lines.stream().noneMatch(l -> l.contains("watching"))) {
                if (!dev.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("mosaic dev did not start:\n" + String.join("\n", lines));
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
            URI route = URI.create("http://127.0.0.1:" + port + "/bench-home/hello");
            awaitAnswer(route, "hello, world", System.nanoTime());
            List<Double> get = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                long t0 = System.nanoTime();
                answer(route);
                get.add((System.nanoTime() - t0) / 1e6);
            }

            // edits: a class file replaced (atomically, as a compiler's rename would), to the new answer served
            List<Double> served = new ArrayList<>();
            for (int i = 0; i < edits + 2; i++) {
                int v = i % 2;
                Path temp = compiled.resolveSibling("Hello.class.tmp");
                Files.copy(variants[v], temp, StandardCopyOption.REPLACE_EXISTING);
                long t0 = System.nanoTime();
                Files.move(temp, compiled, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                double ms;
                try {
                    ms = awaitAnswer(route, (v == 0 ? "one" : "two") + ", world", t0);
                } catch (IllegalStateException e) {
                    throw new IllegalStateException(e.getMessage() + "; mosaic dev printed:\n" + String.join("\n", lines), e);
                }
                if (i >= 2) { // the first two warm the path up
                    served.add(ms);
                }
            }

            // for reference: a source edit and mvn -q -o compile, from the compile's start
            List<Double> viaCompile = new ArrayList<>();
            for (int i = 0; i < compiles; i++) {
                String word = "edit" + i;
                Files.writeString(source, original.replace("\"hello, \"", "\"" + word + ", \""));
                long t0 = System.nanoTime();
                mvn(project, "-B", "-q", "-o", "compile");
                viaCompile.add(awaitAnswer(route, word + ", world", t0));
            }

            // baseline, the flow without dev: package with Maven, deploy the jar with the CLI, to a runtime of its own
            // (dev, still watching, redeploys the packaged classes to its runtime, not to this one)
            List<Double> packaged = new ArrayList<>();
            try (Bench.Runtime plain = Bench.Runtime.start(Bench.tempDir("bench-devloop-plain-"), List.of(), "--no-seed")) {
                URI plainRoute = plain.route("/bench-home/hello");
                for (int i = 0; i < compiles; i++) {
                    String word = "packaged" + i;
                    Files.writeString(source, original.replace("\"hello, \"", "\"" + word + ", \""));
                    long t0 = System.nanoTime();
                    mvn(project, "-B", "-q", "-o", "-DskipTests", "package");
                    run(project, List.of(Path.of("bin/mosaic").toAbsolutePath().toString(), "deploy",
                            "target/bench-home-1.0.0-SNAPSHOT.jar", "--env", "dev", "--url", plain.mgmt, "--data",
                            plain.data.toString()));
                    packaged.add(awaitAnswer(plainRoute, word + ", world", t0));
                }
            }

            System.out.printf(Locale.ROOT, "%-44s %5s %9s %9s %9s%n", "measure (ms)", "n", "median", "p95", "max");
            row("GET of the route (baseline)", get);
            row("class file changed -> new answer (dev)", served);
            row("mvn -q -o compile start -> new answer (dev)", viaCompile);
            row("mvn -q -o package + deploy -> new answer", packaged);
            System.out.printf(Locale.ROOT, "summary: edit -> served median %.0f ms, p95 %.0f ms (target median <= 500 ms);"
                    + " from mvn compile %.0f ms; package + deploy %.0f ms (%.1fx the dev loop's edit -> served); %s%n",
                    Bench.median(served), Bench.percentile(served, 95), Bench.median(viaCompile), Bench.median(packaged),
                    Bench.median(packaged) / Bench.median(served), Bench.machine());
            List<String> reloads = lines.stream().filter(l -> l.contains(" reloaded ")).toList();
            System.out.println("dev's own lines, last 3: " + reloads.subList(Math.max(0, reloads.size() - 3), reloads.size()));
        } finally {
            dev.destroy();
            if (!dev.waitFor(30, TimeUnit.SECONDS)) {
                dev.destroyForcibly();
            }
        }
    }

    /** @return milliseconds from t0 until the route answers with the text */
    private static double awaitAnswer(URI route, String text, long t0) throws Exception {
        long deadline = t0 + Duration.ofSeconds(60).toNanos();
        while (true) {
            String body = answer(route);
            if (body.contains(text)) {
                return (System.nanoTime() - t0) / 1e6;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("never answered '" + text + "': " + body);
            }
        }
    }

    private static String answer(URI route) throws Exception {
        return Bench.HTTP.send(HttpRequest.newBuilder(route).header("X-Mosaic-Env", "dev").build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void mvn(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("mvn"));
        command.addAll(List.of(args));
        run(dir, command);
    }

    private static void run(Path dir, List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void row(String name, List<Double> v) {
        System.out.printf(Locale.ROOT, "%-44s %5d %9.1f %9.1f %9.1f%n", name, v.size(), Bench.median(v), Bench.percentile(v, 95),
                Bench.percentile(v, 100));
    }
}
