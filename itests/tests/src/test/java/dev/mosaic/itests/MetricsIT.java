package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * {@code /metrics} on the management port of a runtime as {@code bin/mosaic run} starts it: refused without the token;
 * with it, Prometheus text whose series count what was served (by route, adapter version and status class, with a
 * latency histogram), the backend calls, the management API's own calls, the consumers of each module version, the
 * bundles and the JVM; a version that no longer serves leaves no series behind.
 */
public class MetricsIT {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    public void metricsCountWhatWasServedAndForgetWhatRetired() throws Exception {
        int metricsPort = LaunchedRuntime.freePort();
        // the access log turned on by run's flag (the same as -Dmosaic.access.log=on, which the other tests here use)
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), java.util.List.of(),
                java.util.List.of("--metrics-port", Integer.toString(metricsPort), "--access-log"))) {
            String base = rt.mgmtUrl.substring(0, rt.mgmtUrl.indexOf("/api/v1"));
            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("no token, no metrics", 401, anonymous.statusCode());

            for (int i = 0; i < 3; i++) {
                assertEquals(200, rt.get("/tv/home").statusCode());
            }
            assertEquals(404, rt.get("/glasses/play/%22caf%C3%A9").statusCode()); // the adapter answers: no such title
            String m = scrape(rt, base);
            assertFalse("traces are counted only while the runtime traces", m.contains("mosaic_traces"));
            String tv = "adapter=\"dev.mosaic.examples.tv-home\",environment=\"prod\",method=\"GET\",route=\"/tv/home\"";
            assertEquals(3, value(m, "mosaic_requests_total{" + tv + ",status=\"2xx\",version=\"1.0.0\"}"), 0);
            assertEquals(3, value(m, "mosaic_request_duration_seconds_count{" + tv + ",version=\"1.0.0\"}"), 0);
            assertEquals(3, value(m, "mosaic_request_duration_seconds_bucket{" + tv + ",version=\"1.0.0\",le=\"+Inf\"}"), 0);
            assertTrue(value(m, "mosaic_request_duration_seconds_sum{" + tv + ",version=\"1.0.0\"}") > 0);
            assertEquals(1, value(m, "mosaic_module_consumers{environment=\"prod\",module=\"dev.mosaic.examples.catalog\","
                    + "version=\"1.1.0\"}"), 0);
            assertTrue(m, value(m, "mosaic_bundles{state=\"active\"}") > 20);
            String tvVersion = "adapter=\"dev.mosaic.examples.tv-home\",environment=\"prod\",version=\"1.0.0\"";
            assertEquals(0, value(m, "mosaic_adapter_requests_in_flight{" + tvVersion + "}"), 0);
            assertFalse("no 504 yet, no series", m.contains("mosaic_adapter_timeouts_total{" + tvVersion));

            // a deadline missed: the version's 504 counter appears
            assertEquals(201, rt.api("POST", "/deployments", Files.readAllBytes(LaunchedRuntime.fixture("slow-1.0.0"))).statusCode());
            assertEquals(504, rt.get("/fixtures/slow?ms=2500").statusCode()); // its deadline is the default 2 s
            assertEquals(1, value(scrape(rt, base), "mosaic_adapter_timeouts_total{adapter=\"dev.mosaic.fixtures.slow\","
                    + "environment=\"prod\",version=\"1.0.0\"}"), 0);
            assertTrue("the JVM's own series", m.contains("\njvm_threads_current "));

            // a composed version replaces it: its backend calls are counted, and 1.0.0's series are gone
            byte[] composed = Files.readAllBytes(Path.of(System.getProperty("mosaic.dist"), "examples", "tv-home-1.2.0.jar"));
            assertEquals(201, rt.api("POST", "/deployments", composed).statusCode());
            // from a device behind a proxy, as its access log line says below
            HttpResponse<byte[]> kids = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.port
                    + "/tv/home?profile=kids")).header("User-Agent", "NetflixTV/7.1 (\"living room\")")
                    .header("X-Forwarded-For", "203.0.113.7, 10.0.0.1").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, kids.statusCode());
            assertEquals(200, rt.get("/tv/home?profile=kids&access_token=eyJ-not-for-logs").statusCode());
            String after = scrape(rt, base);
            assertEquals(2, value(after, "mosaic_requests_total{" + tv + ",status=\"2xx\",version=\"1.2.0\"}"), 0);
            assertTrue(m.contains(tv + ",status=\"2xx\",version=\"1.0.0\""));
            assertFalse("a retired version's series go away", after.contains(tv + ",status=\"2xx\",version=\"1.0.0\""));
            String recs = "{backend=\"recommendations\",environment=\"prod\"";
            assertTrue(after, value(after, "mosaic_backend_calls_total" + recs + "}") >= 2);
            // every attempt (a call and its retries) in the backend's histogram, which a fleet's instances sum
            double attempts = value(after, "mosaic_backend_calls_total" + recs + "}") + value(after, "mosaic_backend_retries_total"
                    + recs + "}");
            assertEquals(after, attempts, value(after, "mosaic_backend_attempt_duration_seconds_count" + recs + "}"), 0);
            assertEquals(after, attempts, value(after, "mosaic_backend_attempt_duration_seconds_bucket" + recs + ",le=\"+Inf\"}"), 0);
            assertTrue(after, value(after, "mosaic_backend_attempt_duration_seconds_sum" + recs + "}") > 0);
            assertEquals(4, value(after, "mosaic_route_backend_calls_total{" + tv + ",version=\"1.2.0\"}"), 0);
            assertEquals(1, value(after, "mosaic_backend_breaker_state{backend=\"bookmarks\",environment=\"prod\","
                    + "state=\"closed\"}"), 0);
            assertEquals("the two deploys (slow, then tv-home), by the management API's counter", 2, value(after, "mosaic_management_requests_total{"
                    + "method=\"POST\",route=\"/api/v1/deployments\",status=\"201\"}"), 0);
            rt.awaitLog("POST /api/v1/deployments by api: 201 in ");
            // the backends' warm-up at start made its calls, and nothing of them is counted
            rt.awaitLog("backend calls warmed up: 3 calls to an endpoint of the runtime's own in ");
            assertFalse(after, after.contains("mosaic-warmup"));

            // as Prometheus asks for it: gzip, the same text
            HttpResponse<byte[]> zipped = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).header("Authorization",
                    "Bearer " + Files.readString(rt.data.resolve("mgmt-token")).trim()).header("Accept-Encoding", "gzip").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals("gzip", zipped.headers().firstValue("Content-Encoding").orElse(""));
            String unzipped = new String(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body()))
                    .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(2, value(unzipped, "mosaic_requests_total{" + tv + ",status=\"2xx\",version=\"1.2.0\"}"), 0);
            assertTrue(zipped.body().length * 3 < after.length());

            // the metrics port: the same metrics without a token, and nothing else
            String own = "http://127.0.0.1:" + metricsPort;
            HttpResponse<String> open = http.send(HttpRequest.newBuilder(URI.create(own + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, open.statusCode());
            assertEquals(2, value(open.body(), "mosaic_requests_total{" + tv + ",status=\"2xx\",version=\"1.2.0\"}"), 0);
            HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(own + "/api/v1/routes")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());
            assertTrue(other.body(), other.body().contains("this port serves only /metrics"));

            // the access log: a JSON line per request an adapter answered, written off the request threads
            Path accessLog = rt.data.resolve("logs/access.log");
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            java.util.List<com.fasterxml.jackson.databind.JsonNode> read = java.util.List.of();
            while (read.size() < 7 && System.nanoTime() < deadline) {
                java.util.concurrent.TimeUnit.MILLISECONDS.sleep(20);
                read = !Files.exists(accessLog) ? java.util.List.of() : Files.readAllLines(accessLog).stream().map(l -> {
                    try {
                        return LaunchedRuntime.JSON.readTree(l);
                    } catch (java.io.IOException e) {
                        throw new AssertionError("not a JSON line: " + l, e);
                    }
                }).toList();
            }
            java.util.List<com.fasterxml.jackson.databind.JsonNode> lines = read;
            assertEquals("3 + 1 + 1 + 2 requests answered by adapters: " + lines, 7, lines.size());
            // lines of different threads may be some milliseconds out of order: found by what they say
            java.util.function.Function<java.util.function.Predicate<com.fasterxml.jackson.databind.JsonNode>,
                    com.fasterxml.jackson.databind.JsonNode> find = p -> lines.stream().filter(p).findFirst().orElseThrow();
            com.fasterxml.jackson.databind.JsonNode first = find.apply(l -> l.get("version").asText().equals("1.0.0")
                    && l.get("status").asInt() == 200);
            assertEquals("/tv/home", first.get("path").asText());
            assertEquals("dev.mosaic.examples.tv-home", first.get("adapter").asText());
            assertEquals("1.0.0", first.get("version").asText());
            assertEquals("dev.mosaic.examples.catalog 1.1.0", first.get("modules").asText());
            assertEquals(200, first.get("status").asInt());
            assertEquals("prod", first.get("environment").asText());
            assertTrue(first.toString(), first.get("request_id").asText().length() >= 8 && first.get("millis").asDouble() > 0
                    && first.get("time").asText().startsWith("20"));
            com.fasterxml.jackson.databind.JsonNode notFound = find.apply(l -> l.get("status").asInt() == 404);
            assertEquals("/glasses/play/{titleId}", notFound.get("route").asText());
            assertEquals("a quote and an accent, escaped in JSON", "/glasses/play/\"caf\u00e9", notFound.get("path").asText());
            assertTrue(find.apply(l -> l.get("status").asInt() == 504).get("millis").asDouble() >= 2000);
            com.fasterxml.jackson.databind.JsonNode withCalls = find.apply(l -> l.get("path").asText().equals("/tv/home?profile=kids"));
            assertEquals("1.2.0", withCalls.get("version").asText());
            assertEquals(2, withCalls.get("backend_calls").asInt());
            // who asked, through what, and how much it was sent
            assertEquals(kids.body().length, withCalls.get("bytes").asLong());
            assertEquals("127.0.0.1", withCalls.get("client").asText());
            assertEquals("NetflixTV/7.1 (\"living room\")", withCalls.get("user_agent").asText());
            assertEquals("203.0.113.7, 10.0.0.1", withCalls.get("forwarded_for").asText());
            assertTrue(first.toString(), first.get("user_agent").asText().startsWith("Java-http-client/")
                    && first.get("bytes").asLong() > 100 && !first.has("forwarded_for"));
            // and each call: which backend, what was asked, how it ended and how long it took
            com.fasterxml.jackson.databind.JsonNode calls = withCalls.get("backends");
            assertEquals(withCalls.toString(), 2, calls.size());
            java.util.Set<String> called = new java.util.TreeSet<>();
            for (com.fasterxml.jackson.databind.JsonNode c : calls) {
                called.add(c.get("name").asText() + " " + c.get("method").asText() + " " + c.get("target").asText());
                assertEquals(c.toString(), 200, c.get("status").asInt());
                assertEquals(c.toString(), "ok", c.get("outcome").asText());
                assertEquals(c.toString(), 1, c.get("attempts").asInt());
                assertTrue(c.toString(), c.get("millis").asDouble() > 0 && c.get("start_millis").asDouble() >= 0
                        && c.get("millis").asDouble() <= withCalls.get("millis").asDouble() + 0.01);
            }
            assertEquals(java.util.Set.of("bookmarks GET /kids", "recommendations GET /kids"), called);
            assertFalse("no backend called, no list", first.has("backends"));
            // a secret in a query stays out of the log: its value is replaced, the rest of the query kept
            assertEquals("1.2.0", find.apply(l -> l.get("path").asText().equals("/tv/home?profile=kids&access_token=REDACTED"))
                    .get("version").asText());
            assertFalse(Files.readString(accessLog).contains("eyJ-not-for-logs"));
            // and /metrics counts its lines: each one written, none dropped
            double written = value(scrape(rt, base), "mosaic_access_log_lines_total");
            while (written < 7 && System.nanoTime() < deadline) {
                java.util.concurrent.TimeUnit.MILLISECONDS.sleep(20); // counted just after the lines are handed to the file
                written = value(scrape(rt, base), "mosaic_access_log_lines_total");
            }
            assertEquals(7, written, 0);
            assertEquals(0, value(scrape(rt, base), "mosaic_access_log_dropped_total"), 0);
        }
    }

    @Test
    public void aSampledAccessLogWritesEveryFailureAndNoneOfTheRestAtNought() throws Exception {
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), java.util.List.of(
                "-Dmosaic.access.log.interval=5"), java.util.List.of("--access-log-sample", "0%"))) {
            assertEquals(201, rt.api("POST", "/deployments", Files.readAllBytes(LaunchedRuntime.fixture("failing"))).statusCode());
            for (int i = 0; i < 5; i++) {
                assertEquals(200, rt.get("/tv/home").statusCode());
                assertEquals(202, rt.get("/fixtures/echo/word").statusCode());
            }
            // its line, and none of the eleven answered below 500 (the 500 came last: theirs would be written by now)
            java.util.List<String> lines = linesToA500(rt);
            assertEquals(lines.toString(), 1, lines.size());
            assertTrue(lines.get(0), lines.get(0).contains("\"status\":500"));
        }
    }

    @Test
    public void aSampledAccessLogWritesTheLinesOfKeptTracesAndOfRequestsThatAskedToBeTraced() throws Exception {
        // no share sampled; tracing on, nowhere to send the spans, keeping by its default cap every trace of a quiet runtime
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), java.util.List.of(
                "-Dmosaic.access.log.interval=5", "-Dmosaic.tracing=on"), java.util.List.of("--access-log-sample", "0%"))) {
            assertEquals(201, rt.api("POST", "/deployments", Files.readAllBytes(LaunchedRuntime.fixture("failing"))).statusCode());
            // a caller that did not sample its trace: not kept, and no line
            String unsampled = "0af7651916cd43dd8448eb211c80319c";
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.port + "/tv/home"))
                        .header("traceparent", "00-" + unsampled + "-b7ad6b7169203331-00").timeout(Duration.ofSeconds(30))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
            }
            // a trace that starts here, kept: its line
            assertEquals(200, rt.get("/mobile/home").statusCode());
            // a request that asks to be traced (bin/mosaic call), from a caller that did not sample it: not kept, its line
            String asked = "4bf92f3577b34da6a3ce929d0e0e4736";
            LaunchedRuntime.CliResult called = rt.cli("call", "--fail", "/glasses/play/42", "-H",
                    "traceparent: 00-" + asked + "-00f067aa0ba902b7-00");
            assertEquals(called.err(), 0, called.exit());
            // the 500 came last: the lines of the requests before it are written by now, or never
            java.util.List<String> lines = linesToA500(rt);
            assertEquals(lines.toString(), 3, lines.size());
            assertFalse(lines.toString(), String.join("\n", lines).contains(unsampled));
            assertTrue(lines.get(0), lines.get(0).contains("\"path\":\"/mobile/home\"")
                    && lines.get(0).matches(".*\"trace_id\":\"[0-9a-f]{32}\".*"));
            assertTrue(lines.get(1), lines.get(1).contains("\"path\":\"/glasses/play/42\"")
                    && lines.get(1).contains("\"trace_id\":\"" + asked + "\""));
            assertTrue(lines.get(2), lines.get(2).contains("\"status\":500"));
        }
    }

    /**
     * Asks the failing fixture for a 500, whose line a sampled access log always writes, and waits for it.
     *
     * @return the access log's lines then: those of the requests answered before the 500 are in, or never will be
     */
    private static java.util.List<String> linesToA500(LaunchedRuntime rt) throws Exception {
        assertEquals(500, rt.get("/fixtures/boom").statusCode());
        Path accessLog = rt.data.resolve("logs/access.log");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!(Files.exists(accessLog) && Files.readString(accessLog).contains("/fixtures/boom"))) {
            assertTrue("the 500's line was not written: " + (Files.exists(accessLog) ? Files.readString(accessLog) : "no file"),
                    System.nanoTime() < deadline);
            java.util.concurrent.TimeUnit.MILLISECONDS.sleep(20);
        }
        return Files.readAllLines(accessLog);
    }

    @Test
    public void aCleanStopWritesTheAccessLogsLastLines() throws Exception {
        // the writer would take the lines in ten minutes: only the stop writes them
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), "-Dmosaic.access.log=on",
                "-Dmosaic.access.log.interval=600000", "-Dmosaic.backends.warmup=off")) {
            for (int i = 0; i < 2; i++) {
                assertEquals(200, rt.get("/tv/home").statusCode());
            }
            Path accessLog = rt.data.resolve("logs/access.log");
            assertTrue("nothing written yet", !Files.exists(accessLog) || Files.readAllLines(accessLog).isEmpty());
            assertTrue(rt.stop());
            java.util.List<String> lines = Files.readAllLines(accessLog);
            assertEquals(lines.toString(), 2, lines.size());
            assertTrue(lines.get(1), lines.get(1).contains("\"path\":\"/tv/home\""));
            assertFalse("no warm-up when it is off", rt.log().contains("backend calls warmed up"));
        }
    }

    @Test
    public void theAccessLogRollsOverAtItsSize() throws Exception {
        // 16 KB is some fifty lines; three files: access.log, access.1.log, access.2.log; written with direct I/O (the
        // other tests here write through the page cache, the default)
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), "-Dmosaic.access.log=on",
                "-Dmosaic.access.log.maxSize=16KB", "-Dmosaic.access.log.files=3", "-Dmosaic.access.log.direct=on")) {
            Path logs = rt.data.resolve("logs");
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            int served = 0;
            while (!Files.exists(logs.resolve("access.2.log")) || served < 400) {
                assertTrue("access.log was not rolled over twice after " + served + " requests: " + sizes(logs),
                        System.nanoTime() < deadline);
                for (int i = 0; i < 20; i++, served++) {
                    assertEquals(200, rt.get("/tv/home").statusCode());
                }
            }
            assertEquals(200, rt.get("/tv/home").statusCode());
            // stopped first: the file being written may end in part of a line until its next write (whole blocks go to
            // the disk directly), as a log shipper expects of any log; a stop writes what is held
            assertTrue(rt.stop());
            // rolled at every event past the size: a file is at most the size and the lines of one event over it
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            for (String name : java.util.List.of("access.log", "access.1.log", "access.2.log")) {
                Path f = logs.resolve(name);
                if (Files.exists(f)) {
                    assertTrue(sizes(logs), Files.size(f) < 16 * 1024 + 32 * 1024);
                    for (String line : Files.readAllLines(f)) {
                        assertEquals(line, "/tv/home", json.readTree(line).get("path").asText());
                    }
                }
            }
            assertFalse("no more than three files: " + sizes(logs), Files.exists(logs.resolve("access.3.log")));
        }
    }

    private static String sizes(Path logs) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = Files.list(logs)) {
            return s.map(p -> p.getFileName() + " " + p.toFile().length()).sorted().toList().toString();
        }
    }

    private String scrape(LaunchedRuntime rt, String base) throws Exception {
        return scrape(http, rt, base);
    }

    /** @return what /metrics on the management port answers with the runtime's token */
    static String scrape(HttpClient http, LaunchedRuntime rt, String base) throws Exception {
        String token = Files.readString(rt.data.resolve("mgmt-token")).trim();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(r.body(), 200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse(""), r.headers().firstValue("Content-Type").orElse("")
                .startsWith("text/plain; version=0.0.4"));
        return r.body();
    }

    /** @return the value of the series, exactly as named with its labels; fails naming what there is */
    static double value(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(metrics);
        if (!m.find()) {
            String family = series.substring(0, series.indexOf('{') < 0 ? series.length() : series.indexOf('{'));
            throw new AssertionError("no series " + series + "; " + family + " has:\n" + metrics.lines()
                    .filter(l -> l.startsWith(family)).reduce("", (a, b) -> a + b + "\n"));
        }
        return Double.parseDouble(m.group(1));
    }
}
