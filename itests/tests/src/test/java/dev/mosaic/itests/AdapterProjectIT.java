package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
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
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.After;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * An adapter team's own project, as the README makes it: generated from the archetype, built, and served by
 * {@code bin/mosaic dev}, offline, with nothing of this repository but the artifacts its build would install and
 * publish (copied into a local repository of the test's own; everything else Maven needs comes from the build's local
 * repository as a file mirror). Then the edit loop: a changed class serves within moments, the old answer until then,
 * and a build the runtime refuses leaves the previous one serving; a development build is never promoted.
 */
public class AdapterProjectIT {

    private static final String VERSION = "0.1.0-SNAPSHOT";
    private static Path root;
    private static Path home;
    private static Path privateRepo;

    private final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A Maven of the test's own: a fresh local repository holding what the build publishes, the rest by file mirror. */
    @BeforeClass
    public static void privateMaven() throws Exception {
        root = Path.of(System.getProperty("mosaic.root")).toRealPath();
        home = LaunchedRuntime.newDataDir();
        privateRepo = home.resolve("repository");
        Path buildRepo = Path.of(System.getProperty("org.ops4j.pax.url.mvn.localRepository",
                System.getProperty("user.home") + "/.m2/repository")).toRealPath();
        Files.createDirectories(home.resolve(".m2"));
        Files.writeString(home.resolve(".m2/settings.xml"), """
                <settings>
                  <mirrors>
                    <mirror><id>build-repository</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
                  </mirrors>
                </settings>
                """.formatted(buildRepo.toUri()));
        // what `mvn install` (or a release) would put in a repository for a team outside this one
        install(root.resolve("pom.xml"), null, "mosaic-parent", VERSION);
        install(root.resolve("bnd/pom.xml"), null, "mosaic-bundle-parent", VERSION);
        install(root.resolve("bnd/adapter/pom.xml"), null, "mosaic-adapter-parent", VERSION);
        install(root.resolve("bnd/module/pom.xml"), null, "mosaic-module-parent", VERSION);
        install(root.resolve("runtime-bundles/pom.xml"), null, "runtime-bundles", VERSION);
        installJar(root.resolve("bnd/adapter-archetype"), "mosaic-adapter-archetype", VERSION);
        installJar(root.resolve("bnd/module-archetype"), "mosaic-module-archetype", VERSION);
        installJar(root.resolve("runtime-bundles/testkit"), "testkit", VERSION);
        installJar(root.resolve("runtime-bundles/api"), "api", System.getProperty("mosaic.api.version"));
        installJar(root.resolve("runtime-bundles/backends"), "backends", System.getProperty("mosaic.backends.version"));
    }

    private static void install(Path pom, Path jar, String artifactId, String version) throws IOException {
        Path dir = privateRepo.resolve("dev/mosaic").resolve(artifactId).resolve(version);
        Files.createDirectories(dir);
        Files.copy(pom, dir.resolve(artifactId + "-" + version + ".pom"));
        if (jar != null) {
            Files.copy(jar, dir.resolve(artifactId + "-" + version + ".jar"));
        }
    }

    private static void installJar(Path module, String artifactId, String version) throws IOException {
        Path jar = module.resolve("target").resolve(artifactId + "-" + version + ".jar");
        assertTrue("the build made " + jar, Files.isRegularFile(jar));
        install(module.resolve("pom.xml"), jar, artifactId, version);
    }

    @After
    public void stopAll() throws Exception {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    public void fromNothingToServedThenEditedLive() throws Exception {
        Path work = Files.createDirectories(home.resolve("work"));
        // offline: Maven finds .mvn/maven.config above the folder it runs in, as in any multi-module checkout
        Files.createDirectories(work.resolve(".mvn"));
        Files.writeString(work.resolve(".mvn/maven.config"), "-o\n");

        // the README's three commands (generate, build, deploy), then its curl, as written
        List<ReadmeIT.Step> steps = ReadmeIT.steps(ReadmeIT.section(Files.readString(root.resolve("README.md")),
                "## Write an adapter"), "sh");
        assertEquals("the README's project walk-through: " + steps, 4, steps.size());
        assertTrue(steps.get(0).command().startsWith("mvn -B org.apache.maven.plugins:maven-archetype-plugin:3.4.1:generate"));
        Run generate = run(work, "bash", "-c", steps.get(0).command());
        assertEquals(generate.out, 0, generate.exit);

        String build = steps.get(1).command();
        assertTrue(build, build.startsWith("cd kids-home && "));
        Path project = work.resolve("kids-home");
        Path handler = project.resolve("src/main/java/com/example/kids/Hello.java");
        assertTrue(Files.isRegularFile(handler));
        Run built = run(work, "bash", "-c", build);
        assertEquals(built.out, 0, built.exit);
        assertTrue("the generated project's own test ran, and passed",
                Files.readString(project.resolve("target/surefire-reports/com.example.kids.HelloTest.txt"))
                        .contains("Tests run: 1, Failures: 0, Errors: 0"));
        assertTrue(Files.isRegularFile(project.resolve("target/kids-home-1.0.0-SNAPSHOT.jar")));

        // deploy: `mosaic dev` starts a runtime (none answers at its URL) and deploys the project to dev; the test's
        // own ports are the only thing added
        int port = LaunchedRuntime.freePort();
        int mgmt = LaunchedRuntime.freePort();
        assertEquals("mosaic dev", steps.get(2).command());
        List<String> lines = new CopyOnWriteArrayList<>();
        Process dev = start(project, lines, "bash", "-c", "exec " + steps.get(2).command() + " --port " + port + " --mgmt-port " + mgmt);
        await(lines, l -> l.contains("watching target/classes"), dev);
        Run curl = run(project, "bash", "-c", steps.get(3).command().replace("localhost:8080", "127.0.0.1:" + port));
        assertEquals(curl.out, 0, curl.exit);
        JsonNode expected = LaunchedRuntime.JSON.readTree(steps.get(3).comment());
        assertEquals(curl.out, expected, LaunchedRuntime.JSON.readTree(curl.out));
        assertEquals("only in dev", 404, get(port, "/kids-home/hello", Map.of()).statusCode());

        // 4. an edit to bnd.bnd (a header the classes do not show) builds the project again with Maven: a backend its
        // environment does not declare is refused and the last build serves on; the edit undone, it is deployed again
        Path bnd = project.resolve("bnd.bnd");
        String headers = Files.readString(bnd);
        Files.writeString(bnd, headers + "Mosaic-Backends: nowhere\n");
        await(lines, l -> l.contains("not reloaded:") && l.contains("nowhere") && l.contains("the previous build keeps serving"), dev);
        assertTrue("a refusal, not a fault, with how to declare it: " + lines, lines.stream().anyMatch(l -> l.contains(
                "[undeclared_backend, HTTP 422]") && l.contains("bin/mosaic backend set nowhere --env dev --base-url http://")));
        assertTrue(lines.stream().anyMatch(l -> l.contains("bnd.bnd changed: building the project again")));
        assertTrue(get(port, "/kids-home/hello?name=kids").body().contains("hello, kids"));
        Files.writeString(bnd, headers);
        await(lines, l -> l.contains("reloaded com.example.kids.kids-home 1.0.0.SNAPSHOT in") && l.contains("(built with Maven)"), dev);
        assertEquals(200, get(port, "/kids-home/hello?name=kids").statusCode());

        // 5. an edit, compiled as an IDE or `mvn compile` would: the new answer serves, the old one until then
        int before = lines.size();
        AtomicBoolean polling = new AtomicBoolean(true);
        List<String> answers = new CopyOnWriteArrayList<>();
        Thread poller = new Thread(() -> {
            while (polling.get()) {
                try {
                    HttpResponse<String> r = get(port, "/kids-home/hello?name=kids");
                    answers.add(r.statusCode() + " " + r.body());
                } catch (Exception e) {
                    answers.add("failed " + e);
                }
            }
        });
        poller.start();
        Files.writeString(handler, Files.readString(handler).replace("\"hello, \"", "\"hi again, \""));
        Run compile = run(project, mvn(), "-B", "-o", "-q", "compile");
        assertEquals(compile.out, 0, compile.exit);
        await(lines, l -> l.contains("reloaded com.example.kids.kids-home 1.0.0.SNAPSHOT in") && l.contains("(bundle "), dev);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (answers.stream().noneMatch(a -> a.contains("hi again, kids")) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        polling.set(false);
        poller.join(10_000);
        int firstNew = -1;
        for (int i = 0; i < answers.size(); i++) {
            String a = answers.get(i);
            assertTrue("every request answered 200, with the old answer or the new one: " + a, a.startsWith("200 ")
                    && (a.contains("hello, kids") || a.contains("hi again, kids")));
            if (firstNew < 0 && a.contains("hi again, kids")) {
                firstNew = i;
            }
            if (firstNew >= 0) {
                assertTrue("once the new build serves, the old one never answers again: " + a, a.contains("hi again, kids"));
            }
        }
        assertTrue("the old answer served until the new one: " + answers.size() + " answers", firstNew > 0);
        assertTrue("Maven deletes the classes before it compiles them again: no failure is printed for that moment: " + lines,
                lines.subList(before, lines.size()).stream().noneMatch(l -> l.contains("not reloaded")));

        // 6. a build the runtime refuses (a handler without its component annotation): said, and the last one serves on;
        // the edit undone, the classes are the serving build's again, and that is said too
        String whole = Files.readString(handler);
        Files.writeString(handler, whole.replace("@Component(", "// @Component(")
                .replace("import org.osgi.service.component.annotations.Component;\n", ""));
        compile = run(project, mvn(), "-B", "-o", "-q", "compile");
        assertEquals(compile.out, 0, compile.exit);
        await(lines, l -> l.contains("not reloaded:") && l.contains("provides no route handler")
                && l.contains("the previous build keeps serving"), dev);
        assertTrue(get(port, "/kids-home/hello?name=kids").body().contains("hi again, kids"));
        Files.writeString(handler, whole);
        compile = run(project, mvn(), "-B", "-o", "-q", "compile");
        assertEquals(compile.out, 0, compile.exit);
        await(lines, l -> l.contains("the classes are the serving build's again: nothing to reload"), dev);

        // 7. a development build is never promoted; and outside dev its version is never given other bytes
        Path data = project.resolve("target/mosaic-dev/runtime");
        String url = "http://127.0.0.1:" + mgmt + "/api/v1";
        Run promote = run(project, cli(), "promote", "com.example.kids.kids-home", "--from", "dev", "--to", "prod",
                "--url", url, "--data", data.toString());
        assertEquals(promote.out, 1, promote.exit);
        assertTrue(promote.out, promote.out.contains("development build") && promote.out.contains("never promoted"));
        Run elsewhere = run(project, cli(), "deploy", "target/kids-home-1.0.0-SNAPSHOT.jar", "--env", "test", "--url", url,
                "--data", data.toString());
        assertEquals(elsewhere.out, 1, elsewhere.exit);
        assertTrue(elsewhere.out, elsewhere.out.contains("outside development environments"));

        // Ctrl-C: dev stops, and so does the runtime it started
        dev.destroy();
        assertTrue(dev.waitFor(60, TimeUnit.SECONDS));
        assertNotEquals("the runtime dev started is stopped", 200, status(mgmt));

        // the replaced bytes are what was recorded: a restart serves the last build that was deployed
        try (LaunchedRuntime again = LaunchedRuntime.start(data)) {
            HttpResponse<String> r = get(again.port, "/kids-home/hello?name=kids");
            assertEquals(r.body(), 200, r.statusCode());
            assertTrue(r.body(), r.body().contains("hi again, kids"));
        }
    }

    /**
     * What stands in dev's way is said, and dev stops: a server that is not a Mosaic runtime where dev would find or
     * start one, a device port another program holds (where it went on, built, and failed on a null URL).
     */
    @Test
    public void devSaysWhatStandsInItsWay() throws Exception {
        Path project = Files.createDirectories(home.resolve("in-the-way"));
        Files.writeString(project.resolve("pom.xml"), "<project/>\n");
        com.sun.net.httpserver.HttpServer other = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        other.createContext("/", x -> {
            x.sendResponseHeaders(404, -1);
            x.close();
        });
        other.start();
        try {
            int port = other.getAddress().getPort();
            Run notMosaic = run(project, cli(), "dev", "--mgmt-port", Integer.toString(port));
            assertEquals(notMosaic.out, 3, notMosaic.exit);
            assertTrue(notMosaic.out, notMosaic.out.contains("what answers at http://127.0.0.1:" + port
                    + "/api/v1 is not a Mosaic runtime (HTTP 404 to /health") && notMosaic.out.contains("--mgmt-port N"));

            Run portTaken = run(project, cli(), "dev", "--port", Integer.toString(port), "--mgmt-port",
                    Integer.toString(LaunchedRuntime.freePort()));
            assertEquals(portTaken.out, 3, portTaken.exit);
            assertTrue(portTaken.out, portTaken.out.contains("another program has that port")
                    && portTaken.out.contains("mosaic dev: the runtime did not start"));
            assertFalse("it stops there: no build, no deploy: " + portTaken.out, portTaken.out.contains("building ")
                    || portTaken.out.contains("Exception"));
        } finally {
            other.stop(0);
        }
    }

    /**
     * Emulating the cloud: {@code mosaic dev --record} keeps the answers the adapter's backend calls get in files of the
     * project (credentials redacted); {@code --replay} serves them with the backend gone; the project's own unit test
     * replays them with the test kit.
     */
    @Test
    public void recordedBackendAnswersAreReplayedOfflineAndInTests() throws Exception {
        Path project = generated("recording", "mosaic-adapter-archetype", "com.example.words", "words-home");
        // the adapter now asks a backend for its word, with a credential of its own
        Files.writeString(project.resolve("src/main/java/com/example/words/Hello.java"), """
                package com.example.words;

                import org.osgi.service.component.annotations.Component;
                import org.osgi.service.component.annotations.ConfigurationPolicy;

                import dev.mosaic.api.Request;
                import dev.mosaic.api.Route;
                import dev.mosaic.api.RouteHandler;

                @Component(configurationPolicy = ConfigurationPolicy.IGNORE)
                @Route(method = "GET", path = "/words-home/hello")
                public class Hello implements RouteHandler {
                    public record Greeting(String greeting, String environment) {}
                    public record Word(String word) {}

                    @Override
                    public Object handle(Request request) {
                        String name = request.query("name") == null ? "world" : request.query("name");
                        return request.backend("words").get("/words/{name}", name).header("Authorization", "Bearer s3cret")
                                .as(Word.class).thenApply(w -> new Greeting(w.word() + ", " + name, request.environment()));
                    }
                }
                """);
        Files.delete(project.resolve("src/test/java/com/example/words/HelloTest.java"));
        Files.writeString(project.resolve("bnd.bnd"), "Mosaic-Backends: words\n");
        assertEquals(0, run(project, "mvn", "-B", "-q", "package", "-DskipTests").exit);

        dev.mosaic.backends.testing.TestBackend words = dev.mosaic.backends.testing.TestBackend.start()
                .behave(dev.mosaic.backends.testing.TestBackend.Behaviour.json("{\"word\":\"bonjour\"}"));
        Path recordings = project.resolve("src/test/resources/mosaic-recordings");
        int port = LaunchedRuntime.freePort();
        try {
            List<String> lines = new CopyOnWriteArrayList<>();
            Process dev = start(project, lines, cli(), "dev", "--record", "--backend", "words=" + words.url(), "--port",
                    Integer.toString(port), "--mgmt-port", Integer.toString(LaunchedRuntime.freePort()));
            await(lines, l -> l.contains("watching target/classes"), dev);
            assertTrue(String.join("\n", lines), lines.stream().anyMatch(l -> l.contains("recording the backend calls in dev to "
                    + recordings)));
            HttpResponse<String> live = get(port, "/words-home/hello?name=kids");
            assertEquals(live.body(), 200, live.statusCode());
            assertTrue(live.body(), live.body().contains("\"greeting\":\"bonjour, kids\""));
            Path file = awaitFile(recordings.resolve("words"));
            String recorded = Files.readString(file);
            assertTrue(recorded, recorded.contains("\"target\" : \"/words/kids\"") && recorded.contains("bonjour"));
            assertTrue("the credential is redacted: " + recorded, recorded.contains("REDACTED") && !recorded.contains("s3cret"));
            dev.destroy();
            assertTrue(dev.waitFor(60, TimeUnit.SECONDS));
        } finally {
            words.close();
        }

        // the backend is gone: replayed, the adapter answers as it did; a call never recorded fails, saying so
        List<String> lines = new CopyOnWriteArrayList<>();
        port = LaunchedRuntime.freePort();
        Process replaying = start(project, lines, cli(), "dev", "--replay", "--port", Integer.toString(port), "--mgmt-port",
                Integer.toString(LaunchedRuntime.freePort()));
        await(lines, l -> l.contains("watching target/classes"), replaying);
        HttpResponse<String> replayed = get(port, "/words-home/hello?name=kids");
        assertEquals(replayed.body(), 200, replayed.statusCode());
        assertTrue(replayed.body(), replayed.body().contains("\"greeting\":\"bonjour, kids\""));
        HttpResponse<String> unrecorded = get(port, "/words-home/hello?name=adults");
        assertEquals(unrecorded.body(), 502, unrecorded.statusCode());
        assertTrue(unrecorded.body(), unrecorded.body().contains("no recording of GET /words/adults for backend words"));
        replaying.destroy();
        assertTrue(replaying.waitFor(60, TimeUnit.SECONDS));

        // the project's own test, deterministic: the recordings through the test kit
        Files.writeString(project.resolve("src/test/java/com/example/words/HelloTest.java"), """
                package com.example.words;

                import static org.junit.jupiter.api.Assertions.assertEquals;

                import java.nio.file.Path;

                import org.junit.jupiter.api.Test;

                import dev.mosaic.testkit.Adapters;
                import dev.mosaic.testkit.FakeBackends;
                import dev.mosaic.testkit.TestRequest;

                class HelloTest {
                    @Test
                    void greetsWithTheRecordedWord() {
                        FakeBackends recorded = new FakeBackends().replaying(Path.of("src/test/resources/mosaic-recordings"));
                        Adapters.TestResponse r = Adapters.call(new Hello(),
                                TestRequest.get("/words-home/hello?name=kids").environment("dev").backends(recorded));
                        assertEquals(200, r.status());
                        assertEquals("bonjour, kids", r.json().get("greeting").asText());
                    }
                }
                """);
        Run test = run(project, "mvn", "-B", "-q", "verify");
        assertEquals(test.out, 0, test.exit);
        assertTrue(Files.readString(project.resolve("target/surefire-reports/com.example.words.HelloTest.txt"))
                .contains("Tests run: 1, Failures: 0, Errors: 0"));
    }

    private static Path awaitFile(Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(dir)) {
                try (var files = Files.list(dir)) {
                    Path found = files.filter(f -> f.toString().endsWith(".json")).findFirst().orElse(null);
                    if (found != null) {
                        return found;
                    }
                }
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        throw new AssertionError("no recording appeared in " + dir);
    }

    /** A shared module's project, from its archetype: its test passes, and it builds as a module exporting its version. */
    @Test
    public void aModuleProjectFromItsArchetype() throws Exception {
        Path project = generated("modules", "mosaic-module-archetype", "com.example.texts", "greetings");
        Run build = run(project, "mvn", "-B", "-q", "verify");
        assertEquals(build.out, 0, build.exit);
        assertTrue(Files.readString(project.resolve("target/surefire-reports/com.example.texts.GreetingsTest.txt"))
                .contains("Tests run: 1, Failures: 0, Errors: 0"));
        java.util.jar.Attributes m;
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(project.resolve("target/greetings-1.0.0-SNAPSHOT.jar").toFile())) {
            m = jar.getManifest().getMainAttributes();
        }
        assertEquals("module", m.getValue("Mosaic-Kind"));
        assertEquals("com.example.texts", m.getValue("Mosaic-Owner"));
        assertEquals("com.example.texts.greetings", m.getValue("Bundle-SymbolicName"));
        assertTrue(m.getValue("Export-Package"), m.getValue("Export-Package").matches("com\\.example\\.texts;version=\"1\\.0\\.0\".*"));
        assertEquals("a module imports no version of its own API", null, m.getValue("Import-Package") == null ? null
                : m.getValue("Import-Package").contains("com.example.texts") ? "imports itself" : null);

        // released to dev by mosaic dev (a runtime of its own, its data kept in target/mosaic-dev); then, rebuilt with
        // other bytes under the same SNAPSHOT version, released again: in dev a version may take new bytes
        String port = Integer.toString(LaunchedRuntime.freePort());
        String mgmt = Integer.toString(LaunchedRuntime.freePort());
        Run first = run(project, cli(), "dev", "--once", "--port", port, "--mgmt-port", mgmt);
        assertEquals(first.out, 0, first.exit);
        assertTrue(first.out, first.out.contains("deployed com.example.texts.greetings 1.0.0.SNAPSHOT to dev"));
        Path source = project.resolve("src/main/java/com/example/texts/Greetings.java");
        Files.writeString(source, Files.readString(source).replace("\"hello, \"", "\"hi, \""));
        Run again = run(project, cli(), "dev", "--once", "--port", port, "--mgmt-port", mgmt);
        assertEquals(again.out, 0, again.exit);
        assertTrue(again.out, again.out.contains("deployed com.example.texts.greetings 1.0.0.SNAPSHOT to dev"));
        try (LaunchedRuntime rt = LaunchedRuntime.start(project.resolve("target/mosaic-dev/runtime"))) {
            LaunchedRuntime.CliResult ls = rt.cli("ls", "--env", "dev", "--json");
            assertEquals(ls.err(), 0, ls.exit());
            com.fasterxml.jackson.databind.JsonNode listed = LaunchedRuntime.JSON.readTree(ls.out());
            String sha;
            try (var in = Files.newInputStream(project.resolve("target/greetings-1.0.0-SNAPSHOT.jar"))) {
                sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
            }
            assertEquals("the runtime keeps the second build: " + listed, sha, listed.get(0).get("sha256").asText());
        }

        // the module's dev runs on; an adapter team's project next to it deploys to the runtime it started, with no token
        // named: that dev says where it found it; once the first dev stops, the runtime is no longer named
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Process moduleDev = start(project, lines, cli(), "dev", "--port", port, "--mgmt-port", mgmt);
        await(lines, l -> l.contains("watching target/classes"), moduleDev);
        Path marker = home.resolve(".mosaic/dev/runtime-" + mgmt);
        assertEquals(project.resolve("target/mosaic-dev/runtime").toRealPath().toString(), Files.readString(marker).strip());
        Path adapter = generated("modules-adapter", "mosaic-adapter-archetype", "com.example.texts", "texts-home");
        Run beside = run(adapter, cli(), "dev", "--once", "-o", "--mgmt-port", mgmt);
        assertEquals(beside.out, 0, beside.exit);
        assertTrue(beside.out, beside.out.contains("using the runtime at http://127.0.0.1:" + mgmt + "/api/v1 that mosaic dev"
                + " started for " + project.toRealPath()));
        assertTrue(beside.out, beside.out.contains("deployed com.example.texts.texts-home 1.0.0.SNAPSHOT to dev"));
        assertEquals(200, get(Integer.parseInt(port), "/texts-home/hello?name=kids").statusCode());
        moduleDev.destroy();
        assertTrue(moduleDev.waitFor(60, TimeUnit.SECONDS));
        assertFalse("the marker goes with the runtime", Files.exists(marker));
    }

    /** @return a new project from the archetype, generated offline in a folder of its own under the test's home */
    private static Path generated(String folder, String archetype, String groupId, String artifactId) throws Exception {
        Path work = Files.createDirectories(home.resolve(folder));
        Files.createDirectories(work.resolve(".mvn"));
        Files.writeString(work.resolve(".mvn/maven.config"), "-o\n");
        Run generate = run(work, "mvn", "-B", "org.apache.maven.plugins:maven-archetype-plugin:3.4.1:generate",
                "-DarchetypeGroupId=dev.mosaic", "-DarchetypeArtifactId=" + archetype, "-DarchetypeVersion=" + VERSION,
                "-DgroupId=" + groupId, "-DartifactId=" + artifactId);
        assertEquals(generate.out, 0, generate.exit);
        return work.resolve(artifactId);
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return get(port, path, Map.of("X-Mosaic-Env", "dev"));
    }

    private HttpResponse<String> get(int port, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private int status(int mgmt) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mgmt + "/api/v1/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }


    private record Run(int exit, String out) {
    }

    private static String mvn() {
        String mavenHome = System.getProperty("maven.home");
        if (mavenHome != null && new File(mavenHome, "bin/mvn").isFile()) {
            return new File(mavenHome, "bin/mvn").getPath();
        }
        return "mvn";
    }

    private static String cli() {
        return root.resolve("bin/mosaic").toString();
    }

    /** The environment every command runs in: the private Maven, the distribution's Java, no stray Mosaic settings. */
    private static ProcessBuilder process(Path dir, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("MAVEN_OPTS", "-Duser.home=" + home + " -Dmaven.repo.local=" + privateRepo
                // offline, but a file: mirror is no network
                + " -Daether.offline.protocols=file");
        env.put("MOSAIC_MVN", mvn());
        // mosaic on the PATH, as the README says; this build's Maven and Java
        env.put("PATH", root.resolve("bin") + File.pathSeparator + Path.of(mvn()).toAbsolutePath().getParent()
                + File.pathSeparator + Path.of(LaunchedRuntime.java()).getParent() + File.pathSeparator + System.getenv("PATH"));
        env.put("MOSAIC_HOME", LaunchedRuntime.dist().toString());
        // what mosaic dev shares between projects (~/.mosaic/dev) goes to the test's home, not the developer's
        env.put("MOSAIC_JAVA_OPTS", "-Duser.home=" + home);
        env.remove("MOSAIC_TOKEN");
        env.remove("MOSAIC_URL");
        env.remove("MOSAIC_DATA");
        return pb;
    }

    private static Run run(Path dir, String... command) throws Exception {
        Process p = process(dir, List.of(command)).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("did not finish: " + List.of(command), p.waitFor(5, TimeUnit.MINUTES));
        return new Run(p.exitValue(), out);
    }

    private Process start(Path dir, List<String> lines, String... command) throws IOException {
        Process p = Output.collect(process(dir, List.of(command)), lines);
        started.add(p);
        return p;
    }

    private static void await(List<String> lines, Predicate<String> line, Process p) throws InterruptedException {
        Output.await(lines, line, p, 180);
    }
}
