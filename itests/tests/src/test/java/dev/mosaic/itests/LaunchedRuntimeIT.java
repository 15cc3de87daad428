package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.Assume;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mosaic.itests.LaunchedRuntime.CliResult;

/**
 * The runtime as people run it ({@code bin/mosaic run}, the launcher in its own JVM): the
 * ready line, the CLI, clean restarts, and {@code kill -9} at any moment, including in the
 * middle of a deploy.
 */
public class LaunchedRuntimeIT {

    private static final String CATALOG = "dev.mosaic.examples.catalog";
    private static final String TV = "dev.mosaic.examples.tv-home";

    private static Path example(String file) {
        return LaunchedRuntime.dist().resolve("examples").resolve(file);
    }

    @Test
    public void runPrintsTheReadyLineServesTheExamplesAndStopsCleanly() throws Exception {
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir())) {
            System.out.println("start to ready: " + rt.startMillis() + " ms");
            assertEquals("1.1.0", rt.json("/tv/home").get("moduleVersion").asText());
            assertEquals("1.0.0", rt.json("/mobile/home").get("moduleVersion").asText());
            assertEquals("2.0.0", rt.json("/glasses/play/42").get("moduleVersion").asText());
            assertTrue(rt.mgmtUrl, rt.mgmtUrl.startsWith("http://127.0.0.1:"));
            // provenance: what the build wrote in the bundle (the commit that last changed its sources) is what ls shows
            java.util.jar.Manifest manifest;
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(example("seed/tv-home-1.0.0.jar").toFile())) {
                manifest = jar.getManifest();
            }
            String commit = manifest.getMainAttributes().getValue("Mosaic-SCM-Commit");
            if (Files.exists(Path.of(System.getProperty("mosaic.root"), ".git"))) {
                assertTrue("the build fills the commit: " + commit, commit != null && commit.matches("[0-9a-f]{40}"));
            }
            JsonNode tv = null;
            for (JsonNode d : LaunchedRuntime.JSON.readTree(rt.cli("ls", "--json").out())) {
                tv = d.get("name").asText().equals(TV) ? d : tv;
            }
            assertEquals(String.valueOf(commit), tv.get("scmCommit").asText());
            // ls shows the columns a terminal has room for; --wide the provenance too
            String ls = rt.cli("ls").out();
            assertTrue(ls, ls.lines().anyMatch(l -> l.contains(TV) && l.contains("running")));
            assertFalse(ls, ls.contains("COMMIT"));
            // ls NAME: that adapter only; a misspelt one exits 1 saying so
            String one = rt.cli("ls", TV).out();
            assertEquals(one, 2, one.lines().count());
            assertTrue(one, one.lines().skip(1).allMatch(l -> l.contains(TV)));
            CliResult misspelt = rt.cli("ls", TV + "s");
            assertEquals(misspelt.out(), 1, misspelt.exit());
            assertTrue(misspelt.err(), misspelt.err().contains("no " + TV + "s is deployed in any environment (did you mean "
                    + TV + "?)"));
            String wide = rt.cli("ls", "--wide").out();
            assertTrue(wide, wide.lines().findFirst().orElse("").contains("SHA256"));
            assertTrue(wide, wide.lines().anyMatch(l -> l.contains(TV) && l.contains("devices-team@example.com")
                    && l.contains(commit == null ? "" : commit.substring(0, 12))));
            // the CLI finds the data directory, and so the token, from MOSAIC_DATA as from --data
            ProcessBuilder cli = new ProcessBuilder(LaunchedRuntime.java(), "-jar",
                    LaunchedRuntime.dist().resolve("lib/launcher.jar").toString(), "routes", "--url", rt.mgmtUrl);
            cli.environment().remove("MOSAIC_TOKEN");
            cli.environment().put("MOSAIC_DATA", rt.data.toString());
            cli.redirectErrorStream(true);
            Process p = cli.start();
            String routes = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(routes, 0, p.waitFor());
            assertTrue(routes, routes.contains("/tv/home"));
            assertTrue(rt.cli("routes", "--env", "prod").out().contains("/tv/home"));
            assertEquals("(none)", rt.cli("routes", "--env", "test").out().strip());
            // an environment nothing is deployed or declared in is said to be one (a misspelt one is not just empty)
            for (String command : List.of("routes", "ls", "history", "graph")) {
                CliResult unused = rt.cli(command, "--env", "tset");
                assertEquals(unused.err(), 0, unused.exit());
                assertTrue(command + ": " + unused.out(), unused.out().startsWith("(none: nothing is deployed or declared in"
                        + " tset; in use: ") && unused.out().strip().endsWith("(did you mean test?))"));
            }
            assertEquals("[ ]", rt.cli("ls", "--env", "tset", "--json").out().strip());
            // a smoke test: --fail exits 1 when the route answers an error, and still shows the answer
            CliResult served = rt.cli("call", "--fail", "/tv/home");
            assertEquals(served.err(), 0, served.exit());
            assertTrue(served.out(), served.out().startsWith("HTTP 200"));
            CliResult missing = rt.cli("call", "--fail", "/tv/hoem");
            assertEquals(missing.out() + missing.err(), 1, missing.exit());
            assertTrue(missing.out(), missing.out().startsWith("HTTP 404"));
            assertTrue(missing.out(), missing.out().contains("no such route in prod; did you mean GET /tv/home?"));
            assertFalse(served.out(), served.out().contains("did you mean"));
            assertEquals("without --fail, any answer is a call done", 0, rt.cli("call", "/tv/hoem").exit());
            assertTrue("a clean stop ends the process", rt.stop());
        }
    }

    @Test
    public void healthProbesAnswerWithoutATokenOnTheManagementPortAndOnAPortOfTheirOwnThatServesNothingElse() throws Exception {
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), List.of(),
                List.of("--no-console", "--health-port", "0"))) {
            String line = rt.stdout().stream().filter(l -> l.startsWith("mosaic health probes on ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no health line in " + rt.stdout()));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("http://0\\.0\\.0\\.0:(\\d+)/health/live").matcher(line);
            assertTrue(line, m.find());
            String health = "http://127.0.0.1:" + m.group(1);
            String mgmt = rt.mgmtUrl.substring(0, rt.mgmtUrl.indexOf("/api/v1"));
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            for (String base : List.of(health, mgmt)) {
                HttpResponse<String> ready = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base
                        + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(base + ": " + ready.body(), 200, ready.statusCode());
                assertEquals(true, LaunchedRuntime.JSON.readTree(ready.body()).get("ready").asBoolean());
                HttpResponse<String> live = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base
                        + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, live.statusCode());
            }
            // the probes' port serves nothing else, whatever the token; the management port still wants one
            String token = Files.readString(rt.data.resolve("mgmt-token")).trim();
            HttpResponse<String> api = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(health
                    + "/api/v1/deployments")).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(api.body(), 404, api.statusCode());
            HttpResponse<String> noToken = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(mgmt
                    + "/api/v1/deployments")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, noToken.statusCode());
            assertEquals(200, rt.api("GET", "/deployments", null).statusCode());
        }
    }

    @Test
    public void everyChangeHasADryRunThatWritesNothingAndExitsOneWhereTheChangeWouldBeRefused() throws Exception {
        Path fixtures = Path.of(System.getProperty("mosaic.fixtures"));
        Path manual;
        Path forbidden;
        try (Stream<Path> jars = Files.list(fixtures)) {
            List<Path> all = jars.toList();
            manual = all.stream().filter(j -> j.getFileName().toString().endsWith("-manual.jar")).findFirst().orElseThrow();
            forbidden = all.stream().filter(j -> j.getFileName().toString().endsWith("-forbidden-socket.jar")).findFirst().orElseThrow();
        }
        Path data = LaunchedRuntime.newDataDir();
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            // something for every command to act on: a newer adapter (rollback), a release (yank), a manual
            // consumer (adopt), an adapter in test (promote)
            for (List<String> setUp : List.of(List.of("deploy", example("tv-home-1.1.0.jar").toString()),
                    List.of("deploy", manual.toString()), List.of("deploy", example("catalog-1.2.0.jar").toString()),
                    List.of("deploy", example("catalog-1.2.0.jar").toString(), "--env", "test"),
                    List.of("deploy", example("show-page-1.0.0.jar").toString(), "--env", "test"))) {
                assertEquals(setUp.toString(), 0, rt.cli(setUp.toArray(String[]::new)).exit());
            }
            byte[] journal = Files.readAllBytes(data.resolve("journal.jsonl"));
            String deployments = rt.cli("ls", "--json").out();
            List<String> answers = List.of(rt.get("/tv/home").body(), rt.get("/mobile/home").body(), rt.get("/glasses/play/42").body());

            // each: the command, the exit code of its dry run, what its answer starts with
            List<List<String>> dryRuns = List.of(
                    List.of("0", "dry run: would deploy dev.mosaic.examples.tv-home 1.0.0 to prod, replacing 1.1.0", "deploy",
                            LaunchedRuntime.dist().resolve("examples/seed/tv-home-1.0.0.jar").toString()),
                    List.of("1", "dry run: would fail to deploy", "deploy", forbidden.toString()),
                    List.of("0", "dry run: would undeploy dev.mosaic.examples.tv-home 1.1.0 from prod", "undeploy", TV),
                    List.of("1", "", "undeploy", CATALOG, "1.2.0"),
                    List.of("0", "dry run: would undeploy " + CATALOG + " 1.2.0 from prod; would move:", "undeploy", CATALOG,
                            "1.2.0", "--force"),
                    List.of("0", "dry run: would yank " + CATALOG + " 1.2.0 in prod; would move: " + TV, "yank", CATALOG, "1.2.0"),
                    List.of("0", CATALOG + " 1.2.0 is not yanked in prod; nothing to do", "unyank", CATALOG, "1.2.0"),
                    List.of("0", "dry run: would roll " + TV + " in prod back from 1.1.0 to 1.0.0", "rollback", TV),
                    List.of("0", "dry run: would adopt for dev.mosaic.fixtures.manual in prod", "adopt", "dev.mosaic.fixtures.manual"),
                    List.of("0", "dry run: would promote dev.mosaic.examples.show-page 1.0.0 from test to prod", "promote",
                            "dev.mosaic.examples.show-page", "--from", "test", "--to", "prod"),
                    List.of("0", "dry run: " + TV + " 1.1.0 in prod would expire", "ttl", TV, "1d"),
                    List.of("0", "", "sunset", "--unused-for", "1s"));
            for (List<String> dry : dryRuns) {
                List<String> command = new java.util.ArrayList<>(dry.subList(2, dry.size()));
                command.add("--dry-run");
                LaunchedRuntime.CliResult r = rt.cli(command.toArray(String[]::new));
                assertEquals(command + ": " + r.out() + r.err(), Integer.parseInt(dry.get(0)), r.exit());
                assertTrue(command + " answered: " + r.out() + r.err(), r.out().startsWith(dry.get(1)) || r.exit() == 1);
                assertTrue(command + " wrote to the journal", java.util.Arrays.equals(journal,
                        Files.readAllBytes(data.resolve("journal.jsonl"))));
            }
            // a TTL says what expiring does to an adapter (its routes answer 404), not to a module version
            assertTrue(rt.cli("ttl", TV, "1d", "--dry-run").out().contains("; then it is undeployed and its routes in prod"
                    + " answer 404; nothing was changed"));
            assertFalse(rt.cli("ttl", CATALOG, "1.2.0", "1d", "--dry-run").out().contains("404"));
            assertEquals("the deployments are as they were", deployments, rt.cli("ls", "--json").out());
            assertEquals("the answers are as they were", answers,
                    List.of(rt.get("/tv/home").body(), rt.get("/mobile/home").body(), rt.get("/glasses/play/42").body()));
            // a command that changes nothing takes no --dry-run, rather than ignoring it
            assertEquals(2, rt.cli("routes", "--dry-run").exit());
            // and the real yank does what its dry run said
            assertEquals(0, rt.cli("yank", CATALOG, "1.2.0").exit());
            assertEquals("1.1.0", rt.json("/tv/home").get("moduleVersion").asText());
        }
    }

    @Test
    public void aStopLetsTheCallsInFlightFinishAndTakesNoNewOnesBeforeTheAdaptersStop() throws Exception {
        Path slow = LaunchedRuntime.fixture("slow-1.0.0");
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir())) {
            assertEquals(0, rt.cli("deploy", slow.toString()).exit());
            // one second: in flight through the stop, well inside the adapter's default 2 s deadline (2 s raced it)
            CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    return rt.get("/fixtures/slow?ms=1000");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, LaunchedRuntime.ASYNC);
            // the call has started once the gateway counts it
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!slowCallStarted(rt)) {
                assertTrue("the slow call never started", System.nanoTime() < deadline);
                TimeUnit.MILLISECONDS.sleep(10);
            }
            rt.process.destroy(); // SIGTERM
            // while it drains, other requests are refused (503, or no connection), never a 404 of a stopped adapter
            while (rt.process.isAlive() && !inFlight.isDone()) {
                try {
                    HttpResponse<String> r = rt.get("/tv/home");
                    assertTrue(r.statusCode() + " " + r.body(), r.statusCode() == 200
                            || (r.statusCode() == 503 && r.body().contains("\"shutting_down\"")));
                } catch (java.io.IOException refused) {
                    // the listener is closed
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
            HttpResponse<String> answered = inFlight.get(30, TimeUnit.SECONDS);
            assertEquals(answered.body(), 200, answered.statusCode());
            assertTrue("a clean stop ends the process", rt.process.waitFor(60, TimeUnit.SECONDS));
            String log = rt.log();
            assertTrue(log, log.contains("stopped serving devices: the calls in flight finished in"));
            assertFalse("no adapter is stopped while it serves:\n" + log, log.contains("stopped while serving"));
        }
    }

    private static boolean slowCallStarted(LaunchedRuntime rt) throws Exception {
        for (JsonNode route : LaunchedRuntime.JSON.readTree(rt.api("GET", "/routes", null).body())) {
            if (route.path("path").asText().equals("/fixtures/slow") && route.path("requests").asLong() > 0) {
                return true;
            }
        }
        return false;
    }

    @Test
    public void theConsoleIsOnTheTerminalWhenThereIsOneAndNotOtherwise() throws Exception {
        Assume.assumeTrue("needs script(1) to give the runtime a terminal", Files.isExecutable(Path.of("/usr/bin/script")));
        Path data = LaunchedRuntime.newDataDir();
        String run = LaunchedRuntime.java() + " -jar " + LaunchedRuntime.dist().resolve("lib/launcher.jar")
                + " run --port 0 --mgmt-port 0 --data " + data;
        // script(1) runs the launcher on a pseudo-terminal and forwards what we type
        Process p = new ProcessBuilder("/usr/bin/script", "-qfec", run, "/dev/null").redirectErrorStream(true).start();
        StringBuffer screen = new StringBuffer();
        Thread reader = new Thread(() -> {
            try {
                byte[] buffer = new byte[4096];
                for (int n; (n = p.getInputStream().read(buffer)) > 0;) {
                    screen.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.UTF_8));
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        reader.start();
        try {
            awaitScreen(p, screen, "g! ");
            assertTrue("the prompt comes after the ready line", screen.indexOf("mosaic ready on port") < screen.indexOf("g! "));
            p.getOutputStream().write("mosaic:list\n".getBytes());
            p.getOutputStream().flush();
            awaitScreen(p, screen, "dev.mosaic.examples.glasses-play");
            p.getOutputStream().write("stop 0\n".getBytes());
            p.getOutputStream().flush();
            assertTrue("stop 0 at the console ends the runtime", p.waitFor(60, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        // without a terminal (and without --no-console) there is no console: no prompt, and the
        // end of stdin does not stop the runtime
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), List.of(), List.of())) {
            rt.process.getOutputStream().close();
            assertEquals("1.1.0", rt.json("/tv/home").get("moduleVersion").asText());
            assertFalse(String.join("\n", rt.stdout()).contains("g!"));
            assertTrue(rt.process.isAlive());
        }
    }

    private static void awaitScreen(Process p, StringBuffer screen, String text) throws InterruptedException {
        long deadline = System.nanoTime() + LaunchedRuntime.READY.toNanos();
        while (screen.indexOf(text) < 0) {
            assertTrue("'" + text + "' never appeared:\n" + screen, p.isAlive() && System.nanoTime() < deadline);
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    @Test
    public void theManagementApiGoesOffLoopbackOnlyWhenToldExplicitly() throws Exception {
        String output = refusedRun("--port", "0", "--mgmt-port", "0", "--mgmt-host", "0.0.0.0", "--data",
                LaunchedRuntime.newDataDir().toString());
        assertTrue(output, output.contains("--mgmt-allow-remote"));

        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), List.of(),
                List.of("--no-console", "--mgmt-host", "0.0.0.0", "--mgmt-allow-remote"))) {
            assertTrue(rt.mgmtUrl, rt.mgmtUrl.startsWith("http://0.0.0.0:"));
            assertTrue(rt.log().contains("WARNING: the management API listens on 0.0.0.0"));
        }
    }

    @Test
    public void aPortAnotherProgramHoldsIsRefusedAtOnceSayingWhichFlagChoosesAnother() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            long start = System.nanoTime();
            String output = refusedRun("--port", Integer.toString(taken.getLocalPort()), "--mgmt-port", "0", "--data",
                    LaunchedRuntime.newDataDir().toString());
            assertTrue(output, output.contains("cannot listen for device traffic on *:" + taken.getLocalPort()));
            assertTrue(output, output.contains("--port"));
            assertTrue("refused before the ready timeout, not after it",
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < LaunchedRuntime.READY.toSeconds());
        }
    }

    @Test
    public void aSecondRuntimeOnTheSameDataDirectoryIsRefused() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        try (LaunchedRuntime first = LaunchedRuntime.start(data)) {
            String output = refusedRun("--port", "0", "--mgmt-port", "0", "--data", data.toString());
            assertTrue(output, output.contains("is in use by another running Mosaic"));
            assertEquals("1.1.0", first.json("/tv/home").get("moduleVersion").asText());
        }
    }

    /**
     * Runs {@code mosaic run ARGS --no-console}, which must refuse to start: exit code 2 (bad
     * arguments or environment) within a minute.
     *
     * @return what it printed, standard output and error together
     */
    static String refusedRun(String... runArgs) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(LaunchedRuntime.java(), "-jar",
                LaunchedRuntime.dist().resolve("lib/launcher.jar").toString(), "run"));
        command.addAll(List.of(runArgs));
        command.add("--no-console");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(output, p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(output, 2, p.exitValue());
        return output;
    }

    @Test
    public void theCliDeploysListsAndReportsFailuresWithExitCodes() throws Exception {
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir())) {
            CliResult release = rt.cli("deploy", example("catalog-1.2.0.jar").toString());
            assertEquals(release.err(), 0, release.exit());
            assertTrue(release.out(), release.out().contains("released " + CATALOG + " 1.2.0 in prod"));
            assertTrue(release.out(), release.out().contains(TV + " 1.0.0: " + CATALOG + " 1.1.0 -> 1.2.0 (uptake)"));
            assertEquals("1.2.0", rt.json("/tv/home").get("moduleVersion").asText());

            CliResult ls = rt.cli("ls", "--json");
            assertEquals(0, ls.exit());
            assertEquals(7, LaunchedRuntime.JSON.readTree(ls.out()).size());

            CliResult routes = rt.cli("routes");
            assertTrue(routes.out(), routes.out().lines().anyMatch(l -> l.contains("/mobile/home") && l.contains(CATALOG + " 1.0.0")));

            CliResult unknown = rt.cli("yank", CATALOG, "9.9.9");
            assertEquals(1, unknown.exit());
            assertTrue(unknown.err(), unknown.err().contains("not_found"));

            CliResult usage = rt.cli("yank", CATALOG);
            assertEquals(2, usage.exit());

            CliResult badToken = CliResult.run(List.of("ls", "--url", rt.mgmtUrl, "--token-file", Files.writeString(
                    Files.createTempFile(rt.data.getParent(), "token", ""), "wrong").toString()));
            assertEquals(3, badToken.exit());
            assertTrue(badToken.err(), badToken.err().contains("not valid"));

            CliResult unreachable = CliResult.run(List.of("ls", "--url", "http://127.0.0.1:1/api/v1", "--data", rt.data.toString()));
            assertEquals(3, unreachable.exit());

            // the runtime as its log names it, without the API's path (and with a slash): the same answer
            String runtime = rt.mgmtUrl.substring(0, rt.mgmtUrl.indexOf("/api/v1")) + "/";
            CliResult bare = CliResult.run(List.of("ls", "--json", "--url", runtime, "--data", rt.data.toString()));
            assertEquals(bare.err(), 0, bare.exit());
            assertEquals(LaunchedRuntime.JSON.readTree(ls.out()), LaunchedRuntime.JSON.readTree(bare.out()));

            CliResult history = rt.cli("history", "--limit", "1");
            assertEquals(0, history.exit());
            assertTrue(history.out(), history.out().contains("api:cli:"));
        }
    }

    @Test
    public void anUploadOverTheLimitIsRefusedWithAnErrorThatNamesTheLimit() throws Exception {
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), "-Dmosaic.mgmt.maxUploadBytes=1024")) {
            // large enough that the client is usually still writing when the runtime answers and closes
            Path big = Files.write(Files.createTempFile(rt.data.getParent(), "big", ".jar"), new byte[8 << 20]);
            String before = rt.cli("ls", "--json").out();
            CliResult refused = rt.cli("deploy", big.toString());
            assertTrue(refused.err(), refused.exit() != 0);
            assertTrue("either the 413 answer or the closed upload, each naming the limit: " + refused.err(),
                    refused.err().contains("the limit is 1024") || refused.err().contains("mosaic.mgmt.maxUploadBytes"));
            assertEquals("1.1.0", rt.json("/tv/home").get("moduleVersion").asText());
            assertEquals("nothing was deployed", before, rt.cli("ls", "--json").out());
        }
    }

    /**
     * A chunked upload (no length announced) is read as it arrives into a file, never held in
     * memory, and cut as soon as it passes the limit: half-way through 32 MiB, the runtime's
     * heap after a full GC has grown by less than 8 MB; past the limit, a 413 in JSON.
     */
    @Test
    public void aChunkedUploadIsStreamedToDiskAndCutAtTheLimit() throws Exception {
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), "-Dmosaic.mgmt.maxUploadBytes=" + (40 << 20))) {
            long before = heapAfterGc(rt);
            URI api = URI.create(rt.mgmtUrl);
            String token = Files.readString(rt.data.resolve("mgmt-token")).trim();
            try (java.net.Socket s = new java.net.Socket(api.getHost(), api.getPort())) {
                java.io.OutputStream out = s.getOutputStream();
                java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
                Thread reader = new Thread(() -> {
                    try {
                        s.getInputStream().transferTo(answer); // from the start: a reset would drop an answer not read yet
                    } catch (java.io.IOException e) {
                        // the connection closed under the writer
                    }
                });
                reader.start();
                out.write(("POST " + api.getPath() + "/deployments HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " + token
                        + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                byte[] chunk = new byte[1 << 20];
                byte[] size = ("100000\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                byte[] end = "\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                long sent = 0;
                try {
                    for (int i = 0; i < 64; i++) {
                        out.write(size);
                        out.write(chunk);
                        out.write(end);
                        sent += chunk.length;
                        if (i == 31) {
                            out.flush();
                            long during = heapAfterGc(rt);
                            assertTrue("32 MiB into the upload the heap after GC grew by " + (during - before) / 1024 + " KiB",
                                    during - before < 8 << 20);
                        }
                    }
                } catch (java.io.IOException e) {
                    // the runtime answered and closed: what this test expects past the limit
                }
                reader.join(TimeUnit.SECONDS.toMillis(30));
                String text = answer.toString(java.nio.charset.StandardCharsets.UTF_8);
                assertTrue("sent " + (sent >> 20) + " MiB, answered: " + text, text.startsWith("HTTP/1.1 413 "));
                assertTrue(text, text.contains("\"body_too_large\"") && text.contains("mosaic.mgmt.maxUploadBytes"));
            }
            assertEquals("1.1.0", rt.json("/tv/home").get("moduleVersion").asText());
            try (java.util.stream.Stream<Path> left = Files.list(rt.data.resolve("artifacts/.incoming"))) {
                assertEquals("the cut upload's file is gone", 0, left.count());
            }
        }
    }

    /** @return the launched runtime's heap in use after a full GC, in bytes (jcmd) */
    private static long heapAfterGc(LaunchedRuntime rt) throws Exception {
        Path jcmd = Path.of(LaunchedRuntime.java()).resolveSibling("jcmd");
        String pid = Long.toString(rt.process.pid());
        new ProcessBuilder(jcmd.toString(), pid, "GC.run").redirectErrorStream(true).start().waitFor(60, TimeUnit.SECONDS);
        Process info = new ProcessBuilder(jcmd.toString(), pid, "GC.heap_info").redirectErrorStream(true).start();
        String text = new String(info.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        info.waitFor(60, TimeUnit.SECONDS);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(text);
        assertTrue("jcmd GC.heap_info said: " + text, m.find());
        return Long.parseLong(m.group(1)) * 1024;
    }

    @Test
    public void aRestoreThatOutlastsTheReadyTimeoutIsWaitedForAndSaysHowFarItHasGotOnTheTerminalAndTheApi() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            assertTrue(rt.stop()); // the examples are recorded now
        }
        int mgmtPort = LaunchedRuntime.freePort();
        String token = Files.readString(data.resolve("mgmt-token")).trim();
        // the restore is held for 4 s; the runtime may take 1 s to be ready, but it is busy, not stuck
        CompletableFuture<LaunchedRuntime> starting = CompletableFuture.supplyAsync(() -> {
            try {
                return LaunchedRuntime.start(data, List.of("-Dmosaic.test.holdAt=restoring:4000"),
                        List.of("--no-console", "--ready-timeout", "1", "--mgmt-port", Integer.toString(mgmtPort),
                                "--platform-bundle", LaunchedRuntime.holdAt().toString()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, LaunchedRuntime.ASYNC);
        // meanwhile the management API answers, and says why it cannot do anything yet
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        HttpResponse<String> busy = null;
        while (busy == null && System.nanoTime() < deadline && !starting.isDone()) {
            try {
                busy = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + mgmtPort
                        + "/api/v1/deployments")).header("Authorization", "Bearer " + token).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException notListeningYet) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
        HttpResponse<String> notReady = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                + mgmtPort + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        try (LaunchedRuntime rt = starting.get(60, TimeUnit.SECONDS)) {
            assertTrue("the management API answered during the restore", busy != null);
            assertEquals("not ready while restoring, no token needed: " + notReady.body(), 503, notReady.statusCode());
            assertTrue(notReady.body(), notReady.body().contains("restoring its recorded deployments"));
            assertEquals(busy.body(), 503, busy.statusCode());
            assertEquals("5", busy.headers().firstValue("Retry-After").orElse(null));
            assertEquals(busy.body(), "restoring", LaunchedRuntime.JSON.readTree(busy.body()).get("error").asText());
            java.util.regex.Matcher progress = java.util.regex.Pattern.compile("restoring its recorded deployments \\((\\d+) of"
                    + " (\\d+) installed\\)").matcher(busy.body());
            assertTrue(busy.body(), progress.find());
            assertTrue(busy.body(), Integer.parseInt(progress.group(1)) <= Integer.parseInt(progress.group(2)));
            assertTrue(busy.body(), Integer.parseInt(progress.group(2)) >= 6); // the examples' six bundles, at least
            assertTrue("ready after the restore: " + rt.startMillis() + " ms", rt.startMillis() >= 4000);
            assertEquals("1.1.0", rt.json("/tv/home").get("moduleVersion").asText());
            assertTrue("the management API line is printed too: " + rt.stdout(), rt.mgmtUrl != null);
            assertEquals(0, rt.cli("ls").exit());
            assertTrue(String.join("\n", rt.stdout()), rt.stdout().stream().anyMatch(
                    l -> l.matches("mosaic: restoring the recorded deployments: \\d+ of \\d+ installed")));
        }
    }

    @Test
    public void restartsRestoreDeploymentsBindingsAndYanksWhetherStoppedOrKilled() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            assertEquals(0, rt.cli("deploy", example("catalog-1.2.0.jar").toString()).exit());
            assertEquals(0, rt.cli("deploy", example("tv-home-1.1.0.jar").toString()).exit());
            assertEquals(0, rt.cli("yank", CATALOG, "1.2.0").exit());
            assertServes(rt, "1.1.0", "1.1.0");
            assertTrue(rt.stop());
        }
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            assertServes(rt, "1.1.0", "1.1.0");
            assertTrue("1.2.0 is still yanked", yanked(rt, "1.2.0"));
            assertEquals(0, rt.cli("unyank", CATALOG, "1.2.0").exit());
            assertServes(rt, "1.1.0", "1.2.0");
            rt.kill();
        }
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            assertServes(rt, "1.1.0", "1.2.0");
            assertFalse(yanked(rt, "1.2.0"));
            assertEquals(0, rt.cli("rollback", TV).exit());
            assertServes(rt, "1.0.0", "1.2.0");
            assertEquals("1.0.0", rt.json("/mobile/home").get("moduleVersion").asText());
        }
    }

    @Test
    public void backendsAreDeclaredWithTheCliAndTheComposedExampleServesAcrossKillsWithTheExampleBackends() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            JsonNode seeded = LaunchedRuntime.JSON.readTree(rt.cli("backends", "--json").out());
            assertEquals("recommendations and bookmarks, in prod and in test", 4, seeded.size());
            assertEquals(0, rt.cli("deploy", example("tv-home-1.2.0.jar").toString()).exit());
            JsonNode page = rt.json("/tv/home?profile=kids");
            assertEquals(page.toString(), "[]", page.get("leftOut").toString());
            assertTrue(page.toString(), page.toString().contains("Continue watching") && page.toString().contains("Recommended for you"));
            CliResult callers = rt.cli("dependents", "backend:bookmarks", "--env", "prod");
            assertTrue(callers.out(), callers.out().contains("prod backend:bookmarks\n  called by (1)\n    " + TV + " 1.2.0"));
            CliResult deps = rt.cli("deps", TV);
            assertTrue(deps.out(), deps.out().contains("calls backends: recommendations, bookmarks"));

            byte[] journal = Files.readAllBytes(data.resolve("journal.jsonl"));
            CliResult dry = rt.cli("backend", "set", "ratings", "--env", "test", "--base-url", "http://127.0.0.1:9",
                    "--timeout", "300ms", "--header", "X-Client=tv", "--dry-run");
            assertEquals(dry.err(), 0, dry.exit());
            assertTrue(dry.out(), dry.out().startsWith("dry run: would declare backend ratings in test"));
            CliResult inUse = rt.cli("backend", "rm", "bookmarks", "--dry-run");
            assertEquals("removing a backend in use would be refused", 1, inUse.exit());
            assertTrue(inUse.err(), inUse.err().contains(TV + " 1.2.0"));
            assertTrue("dry runs write nothing", java.util.Arrays.equals(journal, Files.readAllBytes(data.resolve("journal.jsonl"))));
            CliResult credential = rt.cli("backend", "set", "ratings", "--env", "test", "--base-url", "http://127.0.0.1:9",
                    "--header", "Authorization=Bearer hunter2");
            assertEquals(1, credential.exit());
            assertTrue(credential.err(), credential.err().contains("--secret-header") && !credential.err().contains("hunter2"));
            CliResult set = rt.cli("backend", "set", "ratings", "--env", "test", "--base-url", "http://127.0.0.1:9",
                    "--timeout", "300ms", "--header", "X-Client=tv");
            assertEquals(set.err(), 0, set.exit());
            rt.kill();
        }
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            CliResult listed = rt.cli("backends", "--env", "test");
            assertTrue(listed.out(), listed.out().contains("ratings") && listed.out().contains("300ms"));
            // the example backends are back on their port: the composed page has both rows again
            JsonNode page = rt.json("/tv/home?profile=kids");
            assertEquals(page.toString(), "[]", page.get("leftOut").toString());
            assertEquals(0, rt.cli("backend", "rm", "ratings", "--env", "test").exit());
            CliResult history = rt.cli("history", "--limit", "1");
            assertTrue(history.out(), history.out().contains("backend-remove"));
        }
    }

    @Test
    public void environmentsTtlsPromotionsAndYanksSurviveRestarts() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        String before;
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            assertEquals(0, rt.cli("deploy", example("catalog-1.2.0.jar").toString(), "--env", "test", "--ttl", "2h").exit());
            assertEquals(0, rt.cli("deploy", example("seed/tv-home-1.0.0.jar").toString(), "--env", "test").exit());
            CliResult promote = rt.cli("promote", CATALOG, "1.2.0", "--from", "test", "--to", "prod");
            assertEquals(promote.err(), 0, promote.exit());
            assertEquals(0, rt.cli("yank", CATALOG, "1.1.0").exit());
            CliResult dependents = rt.cli("dependents", CATALOG, "1.2.0", "--env", "prod");
            assertTrue(dependents.out(), dependents.out().contains(TV + " 1.0.0  adapter  uptake auto"));
            CliResult misspelt = rt.cli("dependents", CATALOG.replace("catalog", "catalgo"));
            assertEquals(misspelt.err(), 1, misspelt.exit());
            assertTrue(misspelt.err(), misspelt.err().contains("no module " + CATALOG.replace("catalog", "catalgo")
                    + " is deployed in any environment (did you mean " + CATALOG + "?); bin/mosaic ls --kind module lists what is"));
            CliResult uptake = rt.cli("uptake", CATALOG, "--json");
            assertEquals("test's 1.x line, prod's 1.x and 2.x lines", 3, LaunchedRuntime.JSON.readTree(uptake.out()).size());
            CliResult dry = rt.cli("deploy", example("tv-home-1.1.0.jar").toString(), "--dry-run");
            assertEquals(0, dry.exit());
            assertTrue(dry.out(), dry.out().startsWith("dry run: would deploy " + TV + " 1.1.0 to prod"));
            CliResult dot = rt.cli("graph", "--dot", "--env", "test");
            assertTrue(dot.out(), dot.out().startsWith("digraph mosaic {"));
            before = deployments(rt);
            assertTrue(rt.stop());
        }
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            assertEquals(before, deployments(rt));
            assertEquals("1.2.0", rt.json("/tv/home").get("moduleVersion").asText());
            JsonNode testModules = LaunchedRuntime.JSON.readTree(rt.api("GET", "/deployments?env=test&kind=module", null).body());
            assertEquals(1, testModules.size());
            assertEquals("1.2.0", testModules.get(0).get("version").asText());
            rt.kill();
        }
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            assertEquals(before, deployments(rt));
        }
    }

    /** Every deployment as the API lists it, minus what says which process serves it. */
    private static String deployments(LaunchedRuntime rt) throws Exception {
        JsonNode list = LaunchedRuntime.JSON.readTree(rt.api("GET", "/deployments", null).body());
        for (JsonNode d : list) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) d).remove("bundleId");
        }
        return list.toString();
    }

    @Test
    public void killedInTheMiddleOfADeployBeforeItsCommitTheDeployIsNotThere() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        killWhileADeployHoldsAt(data, "prepared");
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            assertServes(rt, "1.0.0", "1.1.0");
            JsonNode history = LaunchedRuntime.JSON.readTree(rt.api("GET", "/history", null).body());
            assertEquals("what the seed did (4 example backends declared, 6 example bundles deployed), nothing more", 10,
                    history.size());
            assertFalse("no artifact of an uncommitted deploy is kept",
                    Files.exists(data.resolve("artifacts").resolve(TV).resolve("1.1.0.jar")));
            try (Stream<Path> incoming = Files.list(data.resolve("artifacts/.incoming"))) {
                assertEquals(0, incoming.count());
            }
        }
    }

    @Test
    public void killedInTheMiddleOfADeployAfterItsCommitTheDeployIsThere() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        killWhileADeployHoldsAt(data, "recorded");
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            assertServes(rt, "1.1.0", "1.1.0");
            assertTrue(Files.exists(data.resolve("artifacts").resolve(TV).resolve("1.1.0.jar")));
        }
    }

    /** Deploys tv-home 1.1.0 with the change held at a point (before or after its commit), and kills the runtime there. */
    private static void killWhileADeployHoldsAt(Path data, String point) throws Exception {
        try (LaunchedRuntime rt = LaunchedRuntime.start(data, List.of("-Dmosaic.test.holdAt=" + point + ":60000"),
                List.of("--no-console", "--platform-bundle", LaunchedRuntime.holdAt().toString()))) {
            CompletableFuture<HttpResponse<String>> deploy = CompletableFuture.supplyAsync(() -> call(rt,
                    example("tv-home-1.1.0.jar")), LaunchedRuntime.ASYNC);
            rt.awaitLog("holding the change at " + point);
            // the new version is installed and started next to the old one, which still serves
            assertEquals("1.0.0", rt.json("/tv/home").get("adapterVersion").asText());
            rt.kill();
            deploy.handle((r, e) -> null).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    public void killedAtRandomMomentsUnderChangesItRestartsServingExactlyWhatWasLastCommitted() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        Random random = new Random(42);
        byte[] release = Files.readAllBytes(example("catalog-1.2.0.jar"));
        byte[] tv11 = Files.readAllBytes(example("tv-home-1.1.0.jar"));
        for (int round = 0; round < 3; round++) {
            // a snapshot every 3 changes: kills land between its steps too (archive, snapshot, empty the journal)
            try (LaunchedRuntime rt = LaunchedRuntime.start(data, "-Dmosaic.journal.snapshotEvery=3")) {
                assertServesWhatIsRecorded(rt);
                assertHistoryWhole(rt);
                AtomicBoolean go = new AtomicBoolean(true);
                Thread changes = new Thread(() -> {
                    List<Runnable> ops = List.of(
                            () -> quietly(rt, "POST", "/deployments", release),
                            () -> quietly(rt, "POST", "/modules/" + CATALOG + "/1.2.0/yank", null),
                            () -> quietly(rt, "POST", "/modules/" + CATALOG + "/1.2.0/unyank", null),
                            () -> quietly(rt, "POST", "/deployments", tv11),
                            () -> quietly(rt, "POST", "/deployments/prod/" + TV + "/rollback", null));
                    int i = 0;
                    while (go.get()) {
                        ops.get(i++ % ops.size()).run();
                    }
                }, "changes");
                changes.start();
                TimeUnit.MILLISECONDS.sleep(200 + random.nextInt(1300));
                rt.kill();
                go.set(false);
                changes.join(30_000);
            }
        }
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            assertServesWhatIsRecorded(rt);
            assertHistoryWhole(rt);
            assertEquals("1.0.0", rt.json("/mobile/home").get("moduleVersion").asText());
            assertEquals("2.0.0", rt.json("/glasses/play/42").get("moduleVersion").asText());
        }
    }

    /**
     * A data directory whose journal holds every change (as runtimes before snapshots wrote
     * it, or one that never reached the threshold) is snapshotted when a runtime with a
     * lower threshold starts on it: the journal is emptied, the history stays whole, and a
     * restart serves the same from the snapshot.
     */
    @Test
    public void aLongJournalIsSnapshottedAtStartAndTheHistoryStaysWhole() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        String before;
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            assertEquals(201, rt.api("POST", "/deployments", Files.readAllBytes(example("catalog-1.2.0.jar"))).statusCode());
            for (int i = 0; i < 20; i++) {
                int status = rt.api("POST", "/modules/" + CATALOG + "/1.1.0/" + (i % 2 == 0 ? "yank" : "unyank"), null)
                        .statusCode();
                assertTrue("a change: " + status, status == 200 || status == 201);
            }
            before = recorded(rt);
            assertTrue(rt.stop());
        }
        long journalLines = Files.readAllLines(data.resolve("journal.jsonl")).size();
        assertTrue("every change is in the journal: " + journalLines, journalLines >= 27);
        assertFalse(Files.exists(data.resolve("snapshot.json")));
        for (int restart = 0; restart < 2; restart++) {
            try (LaunchedRuntime rt = LaunchedRuntime.start(data, "-Dmosaic.journal.snapshotEvery=10")) {
                assertEquals(before, recorded(rt));
                assertServesWhatIsRecorded(rt);
                assertEquals(journalLines, assertHistoryWhole(rt));
                assertTrue(rt.stop());
            }
            assertTrue(Files.exists(data.resolve("snapshot.json")));
            assertEquals("the journal was emptied into the snapshot and the history", 0,
                    Files.readAllLines(data.resolve("journal.jsonl")).size());
        }
    }

    /** @return what is recorded of each deployment (not what differs from one start to the next, such as bundle ids) */
    private static String recorded(LaunchedRuntime rt) throws Exception {
        StringBuilder text = new StringBuilder();
        for (JsonNode d : LaunchedRuntime.JSON.readTree(rt.api("GET", "/deployments", null).body())) {
            text.append(d.get("environment")).append(' ').append(d.get("name")).append(' ').append(d.get("version")).append(' ')
                    .append(d.get("yanked")).append(' ').append(d.get("bindings")).append(' ').append(d.get("sha256")).append('\n');
        }
        return text.toString();
    }

    /** @return how many changes {@code history} lists: every one from the first, none twice, in order */
    private static long assertHistoryWhole(LaunchedRuntime rt) throws Exception {
        JsonNode history = LaunchedRuntime.JSON.readTree(rt.api("GET", "/history?limit=100000", null).body());
        for (int i = 0; i < history.size(); i++) {
            assertEquals("change " + (i + 1) + " of the history: " + history, i + 1, history.get(i).get("sequence").asLong());
        }
        return history.size();
    }

    // ------------------------------------------------------------------ helpers

    /** /tv/home is answered by the adapter version and catalog version the registry records. */
    private static void assertServesWhatIsRecorded(LaunchedRuntime rt) throws Exception {
        JsonNode deployments = LaunchedRuntime.JSON.readTree(rt.api("GET", "/deployments", null).body());
        JsonNode tv = null;
        for (JsonNode d : deployments) {
            if (d.get("name").asText().equals(TV)) {
                tv = d;
            }
        }
        assertEquals("running", tv.get("state").asText());
        assertServes(rt, tv.get("version").asText(), tv.get("bindings").get(CATALOG).asText());
    }

    private static void assertServes(LaunchedRuntime rt, String adapterVersion, String moduleVersion) throws Exception {
        JsonNode page = rt.json("/tv/home");
        assertEquals(page.toString(), adapterVersion, page.get("adapterVersion").asText());
        assertEquals(page.toString(), moduleVersion, page.get("moduleVersion").asText());
    }

    private static boolean yanked(LaunchedRuntime rt, String version) throws Exception {
        for (JsonNode d : LaunchedRuntime.JSON.readTree(rt.api("GET", "/deployments", null).body())) {
            if (d.get("name").asText().equals(CATALOG) && d.get("version").asText().equals(version)) {
                return d.get("yanked").asBoolean();
            }
        }
        throw new AssertionError("no " + CATALOG + " " + version);
    }

    private static HttpResponse<String> call(LaunchedRuntime rt, Path jar) {
        try {
            return rt.api("POST", "/deployments", Files.readAllBytes(jar));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void quietly(LaunchedRuntime rt, String method, String path, byte[] body) {
        try {
            rt.api(method, path, body);
        } catch (Exception e) {
            // the runtime is being killed under us: that is the point
        }
    }
}
