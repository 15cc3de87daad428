package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.Test;

import dev.mosaic.backends.testing.TestBackend;
import dev.mosaic.backends.testing.TestBackend.Behaviour;

/**
 * Watching one adapter, on the runtime as {@code bin/mosaic run} starts it (Logback, the launcher's log service):
 * {@code bin/mosaic tail} streams its requests with their backend calls and the lines it logs, each attributed to the
 * adapter, its version and the request (in the handler and in the continuation of a backend call, on another thread);
 * {@code bin/mosaic log-level} lowers one adapter's level at runtime, and puts it back.
 */
public class TailIT {

    private static final String CHATTY = "dev.mosaic.fixtures.chatty";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    public void tailStreamsAnAdaptersRequestsAndLogLinesAndItsLevelChangesAtRuntime() throws Exception {
        List<Process> started = new ArrayList<>();
        try (TestBackend echo = TestBackend.start().behave(Behaviour.json("{\"echo\":true}"));
                LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir())) {
            assertEquals(0, rt.cli("backend", "set", "echo", "--env", "dev", "--base-url", echo.url()).exit());
            HttpResponse<String> deployed = rt.api("POST", "/deployments?env=dev", fixture("chatty"));
            assertEquals(deployed.body(), 201, deployed.statusCode());

            // a name nobody deployed is refused, saying so; a deployed one is followed
            LaunchedRuntime.CliResult nope = rt.cli("tail", "dev.mosaic.fixtures.nope");
            assertEquals(1, nope.exit());
            assertTrue(nope.err(), nope.err().contains("no adapter dev.mosaic.fixtures.nope is deployed"));
            List<String> lines = new CopyOnWriteArrayList<>();
            Process tail = cli(rt, lines, "tail", CHATTY, "--env", "dev");
            started.add(tail);
            await(lines, l -> l.startsWith("following " + CHATTY + " in dev"), tail);

            for (int i = 1; i <= 3; i++) {
                assertEquals(200, get(rt, "/chatty?q=" + i, "tail-" + i).statusCode());
            }
            for (int i = 1; i <= 3; i++) {
                String req = "tail-" + i;
                String q = Integer.toString(i);
                await(lines, l -> l.contains("GET /chatty?q=" + q + " -> 200 in ") && l.contains("req=" + req + ")")
                        && l.contains("backends: echo GET /json/" + q + " 200"), tail);
                String whose = "[" + CHATTY + " 1.0.0 dev req=" + req + "]";
                await(lines, l -> l.contains("INFO Chatty - handling q=" + q) && l.endsWith(whose), tail);
                // the continuation of its backend call: attributed to the same request, on the thread that completed it
                await(lines, l -> l.contains("INFO Chatty - echo answered for q=" + q + " on ") && l.endsWith(whose), tail);
            }
            assertFalse("no DEBUG line at the default level", lines.stream().anyMatch(l -> l.contains("details of q=")));
            // the runtime's own log says whose each line is, too
            rt.awaitLog("INFO Chatty - echo answered for q=3");
            assertTrue(rt.log(), rt.log().lines().anyMatch(l -> l.contains("handling q=2") && l.endsWith("[" + CHATTY
                    + " 1.0.0 dev req=tail-2]")));

            // one adapter's level, lowered at runtime and put back
            LaunchedRuntime.CliResult loud = rt.cli("log-level", CHATTY, "LOUD");
            assertEquals(1, loud.exit());
            assertTrue(loud.err(), loud.err().contains("'LOUD' is not a log level"));
            LaunchedRuntime.CliResult misspelt = rt.cli("log-level", CHATTY + "y", "DEBUG");
            assertEquals(1, misspelt.exit());
            assertTrue(misspelt.err(), misspelt.err().contains("no adapter " + CHATTY + "y is deployed (did you mean " + CHATTY
                    + "?)"));
            LaunchedRuntime.CliResult debug = rt.cli("log-level", CHATTY, "DEBUG");
            assertEquals(debug.err(), 0, debug.exit());
            assertTrue(debug.out(), debug.out().contains("log level of " + CHATTY + " set to DEBUG"));
            assertTrue(rt.cli("log-level").out().contains(CHATTY));
            get(rt, "/chatty?q=4", "tail-4");
            await(lines, l -> l.contains("DEBUG Chatty - details of q=4") && l.endsWith("req=tail-4]"), tail);
            rt.awaitLog("DEBUG Chatty - details of q=4");
            LaunchedRuntime.CliResult reset = rt.cli("log-level", CHATTY, "reset");
            assertEquals(reset.err(), 0, reset.exit());
            get(rt, "/chatty?q=5", "tail-5");
            await(lines, l -> l.contains("echo answered for q=5"), tail);
            assertFalse("back to INFO", rt.log().contains("details of q=5"));
            assertTrue("the change was logged, with who made it", rt.log().contains("log level of " + CHATTY
                    + " set to DEBUG, by "));
        } finally {
            for (Process p : started) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    @Test
    public void theRuntimeLogIsAJsonObjectALineWhenAskedSayingWhoseEachLineIs() throws Exception {
        try (TestBackend echo = TestBackend.start().behave(Behaviour.json("{\"echo\":true}"));
                LaunchedRuntime rt = LaunchedRuntime.startScript(jsonLog(), LaunchedRuntime.newDataDir())) {
            assertEquals(0, rt.cli("backend", "set", "echo", "--env", "dev", "--base-url", echo.url()).exit());
            HttpResponse<String> deployed = rt.api("POST", "/deployments?env=dev", fixture("chatty"));
            assertEquals(deployed.body(), 201, deployed.statusCode());
            assertEquals(200, get(rt, "/chatty?q=7", "json-7").statusCode());
            rt.awaitLog("echo answered for q=7");
            List<com.fasterxml.jackson.databind.JsonNode> lines = new ArrayList<>();
            for (String line : rt.log().lines().filter(l -> !l.isBlank()).toList()) {
                try {
                    lines.add(LaunchedRuntime.JSON.readTree(line));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new AssertionError("a line of the runtime's log is not JSON: " + line, e);
                }
            }
            com.fasterxml.jackson.databind.JsonNode handling = lines.stream()
                    .filter(l -> l.path("message").asText().equals("handling q=7")).findFirst().orElseThrow();
            assertEquals("INFO", handling.get("level").asText());
            assertTrue(handling.toString(), handling.get("logger").asText().endsWith(".Chatty"));
            assertEquals(CHATTY, handling.get("adapter").asText());
            assertEquals("1.0.0", handling.get("version").asText());
            assertEquals("dev", handling.get("environment").asText());
            assertEquals("json-7", handling.get("request_id").asText());
            assertTrue("the runtime's own lines too, such as the change asked of the API, with who asked",
                    lines.stream().anyMatch(l -> l.path("message").asText().startsWith("POST /api/v1/deployments?env=dev by api")
                            && l.path("message").asText().contains(": 201 in ") && !l.has("adapter")));
        }
        // a format it does not know: refused before anything starts, saying what it takes
        Process p = new ProcessBuilder(LaunchedRuntime.java(), "-Dmosaic.log.format=xml", "-jar",
                LaunchedRuntime.dist().resolve("lib/launcher.jar").toString(), "run", "--port", "0", "--mgmt-port", "0",
                "--data", LaunchedRuntime.newDataDir().toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(out, 2, p.exitValue());
        assertTrue(out, out.contains("-Dmosaic.log.format (in MOSAIC_JAVA_OPTS) is text (the default) or json (a JSON object a"
                + " line, for a log shipper), not 'xml'"));
    }

    /** @return bin/mosaic run as a user starts it for a log shipper */
    private static ProcessBuilder jsonLog() throws IOException {
        ProcessBuilder pb = LaunchedRuntime.script();
        pb.environment().put("MOSAIC_JAVA_OPTS", "-Dmosaic.log.format=json");
        return pb;
    }

    private HttpResponse<String> get(LaunchedRuntime rt, String path, String requestId) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.port + path)).header("X-Mosaic-Env", "dev")
                .header("X-Request-Id", requestId).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] fixture(String name) throws IOException {
        return Files.readAllBytes(LaunchedRuntime.fixture(name));
    }

    /** The CLI, left running, its output collected line by line. */
    private static Process cli(LaunchedRuntime rt, List<String> lines, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(LaunchedRuntime.java(), "-jar",
                LaunchedRuntime.dist().resolve("lib/launcher.jar").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--url", rt.mgmtUrl, "--data", rt.data.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("MOSAIC_TOKEN");
        return Output.collect(pb, lines);
    }

    private static void await(List<String> lines, Predicate<String> line, Process p) throws InterruptedException {
        Output.await(lines, line, p, 30);
    }
}
