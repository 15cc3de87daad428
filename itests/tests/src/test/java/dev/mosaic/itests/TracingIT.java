package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.After;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import dev.mosaic.backends.testing.TestBackend;
import dev.mosaic.backends.testing.TestBackend.Behaviour;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * Traces from a runtime as {@code bin/mosaic run --otlp-endpoint} starts it, read by this test as an OTLP/HTTP collector
 * would read them (protobuf, OpenTelemetry's own message classes): a device request's span continues the trace its
 * {@code traceparent} names, its backend calls are its children, and each backend receives the {@code traceparent} of
 * its own call's span; the adapter, its version and the environment are on the spans; the collector's headers come from
 * the environment and are never logged; a trace the caller did not sample is passed on, not recorded.
 */
public class TracingIT {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Span> exported = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<TestBackend> backends = new java.util.ArrayList<>();
    private HttpServer collector;

    @After
    public void stop() {
        if (collector != null) {
            collector.stop(0);
        }
        backends.forEach(TestBackend::close);
    }

    private String startCollector() throws Exception {
        return startCollector(0);
    }

    private String startCollector(int port) throws Exception {
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        collector.createContext("/v1/traces", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
                authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                for (ResourceSpans rs : request.getResourceSpansList()) {
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        exported.addAll(ss.getSpansList());
                    }
                }
                exchange.sendResponseHeaders(200, -1);
            } catch (RuntimeException e) {
                exchange.sendResponseHeaders(400, -1);
            } finally {
                exchange.close();
            }
        });
        collector.start();
        return "http://127.0.0.1:" + collector.getAddress().getPort();
    }

    private TestBackend backend(String json) {
        TestBackend b = TestBackend.start().behave(Behaviour.json(json));
        backends.add(b);
        return b;
    }

    @Test
    public void aRequestAndItsBackendCallsAreSpansOfOneTraceExportedOverOtlp() throws Exception {
        String endpoint = startCollector();
        TestBackend recs = backend("{\"profile\":\"kids\",\"titles\":[{\"id\":\"1\",\"name\":\"Recommended A\"}]}");
        TestBackend marks = backend("{\"profile\":\"kids\",\"titles\":[]}");
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(),
                List.of("-Dmosaic.tracing.exportDelay=100ms", "-Dmosaic.access.log=on"),
                List.of("--otlp-endpoint", endpoint, "--trace-callers", "followed"),
                Map.of("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20collector-secret"))) {
            // behind a proxy of one's own: every trace it sampled is kept (the default caps them: see below)
            rt.awaitLog("tracing: a span per device request and per backend call, new traces kept: at most 100 a second,"
                    + " traces a caller sampled: all, exported to "
                    + endpoint + "/v1/traces with headers [Authorization]");
            declare(rt, "recommendations", recs.url());
            declare(rt, "bookmarks", marks.url());
            deploy(rt, "catalog-1.2.0.jar");
            deploy(rt, "tv-home-1.2.0.jar");

            String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
            String callerSpan = "00f067aa0ba902b7";
            HttpResponse<String> page = get(rt, "/tv/home?profile=kids", "traceparent", "00-" + traceId + "-" + callerSpan + "-01");
            assertEquals(page.body(), 200, page.statusCode());

            // the backends received the trace, each with the id of its own call's span
            String recsParent = recs.seen().get(0).headers().get("traceparent");
            assertTrue(recsParent, recsParent.matches("00-" + traceId + "-[0-9a-f]{16}-01"));
            String recsCall = recsParent.substring(36, 52);

            Span server = await(s -> hex(s.getTraceId()).equals(traceId) && s.getKind() == Span.SpanKind.SPAN_KIND_SERVER);
            assertEquals("the device request's span continues the caller's", callerSpan, hex(server.getParentSpanId()));
            assertEquals("GET /tv/home", server.getName());
            assertEquals("dev.mosaic.examples.tv-home", attribute(server, "mosaic.adapter"));
            assertEquals("1.2.0", attribute(server, "mosaic.adapter.version"));
            assertEquals("stage", attribute(server, "mosaic.environment"));
            assertEquals("/tv/home", attribute(server, "http.route"));
            assertEquals("200", attribute(server, "http.response.status_code"));

            Span call = await(s -> hex(s.getSpanId()).equals(recsCall));
            assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, call.getKind());
            assertEquals("a backend call is the child of its request's span", hex(server.getSpanId()), hex(call.getParentSpanId()));
            assertEquals(traceId, hex(call.getTraceId()));
            assertEquals("recommendations", attribute(call, "mosaic.backend"));
            assertEquals("GET recommendations", call.getName());
            assertEquals("dev.mosaic.examples.tv-home", attribute(call, "mosaic.adapter"));
            assertEquals("1.2.0", attribute(call, "mosaic.adapter.version"));
            assertEquals("stage", attribute(call, "mosaic.environment"));
            assertEquals("200", attribute(call, "http.response.status_code"));
            assertEquals(recs.url() + "/kids", attribute(call, "url.full"));
            await(s -> hex(s.getParentSpanId()).equals(hex(server.getSpanId())) && "bookmarks".equals(attribute(s, "mosaic.backend")));
            assertTrue(authorizations.contains("Bearer collector-secret"));

            // no traceparent: a trace starts here, and the access log names it
            HttpResponse<String> fresh = get(rt, "/tv/home?profile=kids");
            assertEquals(200, fresh.statusCode());
            String requestId = fresh.headers().firstValue("X-Request-Id").orElseThrow();
            Span root = await(s -> requestId.equals(attribute(s, "mosaic.request_id")) && s.getKind() == Span.SpanKind.SPAN_KIND_SERVER);
            assertTrue("a new trace has no parent", root.getParentSpanId().isEmpty());
            assertNotEquals(traceId, hex(root.getTraceId()));
            assertTrue(recs.seen().get(1).headers().get("traceparent").startsWith("00-" + hex(root.getTraceId()) + "-"));
            String line = awaitAccessLine(rt, requestId);
            assertTrue(line, line.contains("\"trace_id\":\"" + hex(root.getTraceId()) + "\""));

            // a trace its caller did not sample: passed on to the backends as it is, no span recorded
            String unsampled = "0af7651916cd43dd8448eb211c80319c";
            assertEquals(200, get(rt, "/tv/home?profile=kids", "traceparent", "00-" + unsampled + "-b7ad6b7169203331-00").statusCode());
            assertTrue(recs.seen().get(2).headers().get("traceparent").matches("00-" + unsampled + "-[0-9a-f]{16}-00"));
            get(rt, "/tv/home?profile=kids", "X-Request-Id", "after-the-unsampled-one");
            await(s -> "after-the-unsampled-one".equals(attribute(s, "mosaic.request_id")));
            assertFalse(exported.stream().anyMatch(s -> hex(s.getTraceId()).equals(unsampled)));

            // /metrics in OpenMetrics, as Prometheus asks for it: a latency bucket's exemplar is a request whose trace was
            // kept, its server span exported; the trace its caller did not sample is none; the plain text has no exemplars
            String base = rt.mgmtUrl.substring(0, rt.mgmtUrl.indexOf("/api/v1"));
            HttpResponse<String> open = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).header("Authorization",
                    "Bearer " + Files.readString(rt.data.resolve("mgmt-token")).trim()).header("Accept",
                    "application/openmetrics-text;version=1.0.0,text/plain;q=0.5").build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(open.headers().firstValue("Content-Type").orElse(""), open.headers().firstValue("Content-Type").orElse("")
                    .startsWith("application/openmetrics-text"));
            java.util.regex.Matcher exemplar = java.util.regex.Pattern.compile("mosaic_request_duration_seconds_bucket\\{[^}]*"
                    + "route=\"/tv/home\",version=\"1.2.0\",le=\"[^\"]+\"\\} \\d+ # \\{span_id=\"([0-9a-f]{16})\","
                    + "trace_id=\"([0-9a-f]{32})\"\\} [0-9.]+ [0-9.]+").matcher(open.body());
            int exemplars = 0;
            while (exemplar.find()) {
                exemplars++;
                String span = exemplar.group(1);
                String trace = exemplar.group(2);
                assertNotEquals(unsampled, trace);
                await(s -> hex(s.getSpanId()).equals(span) && hex(s.getTraceId()).equals(trace)
                        && s.getKind() == Span.SpanKind.SPAN_KIND_SERVER);
            }
            assertTrue(open.body(), exemplars > 0);
            // and a backend's attempts: each exemplar an exported client span of a call to it
            java.util.regex.Matcher attempt = java.util.regex.Pattern.compile("mosaic_backend_attempt_duration_seconds_bucket"
                    + "\\{backend=\"recommendations\",[^}]*\\} \\d+ # \\{span_id=\"([0-9a-f]{16})\",trace_id=\"([0-9a-f]{32})\"\\}")
                    .matcher(open.body());
            int attempts = 0;
            while (attempt.find()) {
                attempts++;
                String span = attempt.group(1);
                assertNotEquals(unsampled, attempt.group(2));
                await(s -> hex(s.getSpanId()).equals(span) && s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT
                        && "recommendations".equals(attribute(s, "mosaic.backend")));
            }
            assertTrue(open.body(), attempts > 0);
            assertFalse(MetricsIT.scrape(http, rt, base).contains(" # {"));

            assertFalse("the collector's credential is never logged", rt.log().contains("collector-secret"));
        }
    }

    @Test
    public void tracesAreKeptUpToTheNumberASecondAskedForWhoeverSaysSampledAndEveryRequestStillHasOne() throws Exception {
        String endpoint = startCollector();
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(),
                List.of("-Dmosaic.tracing.exportDelay=100ms", "-Dmosaic.access.log=on"),
                List.of("--otlp-endpoint", endpoint, "--trace-sample", "5/s"))) {
            rt.awaitLog("tracing: a span per device request and per backend call, new traces kept: at most 5 a second,"
                    + " traces a caller sampled: at most 5 a second, exported to " + endpoint + "/v1/traces");
            deploy(rt, "catalog-1.2.0.jar");
            deploy(rt, "tv-home-1.1.0.jar"); // in stage, where X-Mosaic-Trace is taken; no backend calls
            int requests = 40;
            List<String> ids = new java.util.ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                HttpResponse<String> r = get(rt, "/tv/home", "X-Request-Id", "capped-" + i);
                assertEquals(r.body(), 200, r.statusCode());
                ids.add("capped-" + i);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // a device whose every request says sampled (traceparent): its traces are kept within the cap too, in a bucket of
            // their own, and each keeps the trace its caller named, kept or not
            List<String> callerIds = new java.util.ArrayList<>();
            start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                String traceparent = "00-" + String.format("4bf92f3577b34da6a3ce929d%08x", i + 1) + "-00f067aa0ba902b7-01";
                HttpResponse<String> r = get(rt, "/tv/home", "traceparent", traceparent, "X-Request-Id", "caller-" + i);
                assertEquals(r.body(), 200, r.statusCode());
                callerIds.add("caller-" + i);
            }
            double callerSeconds = (System.nanoTime() - start) / 1e9;
            // a request that asked to be traced is kept whatever the cap: once it is exported, so is every span before it
            get(rt, "/tv/home", "X-Mosaic-Trace", "1", "X-Request-Id", "marker");
            await(s -> "marker".equals(attribute(s, "mosaic.request_id")));
            List<String> kept = keptOf("capped-");
            assertEquals("a second's worth at once after a quiet time", ids.subList(0, 5), kept.subList(0, Math.min(5, kept.size())));
            long most = 5 + (long) Math.ceil(seconds * 5) + 1;
            assertTrue(kept.size() + " of " + requests + " traces kept in " + seconds + " s, at most 5 a second: " + kept,
                    kept.size() <= most && kept.size() < requests);
            List<String> callersKept = keptOf("caller-");
            assertEquals("the callers' bucket was full: their first five", callerIds.subList(0, 5),
                    callersKept.subList(0, Math.min(5, callersKept.size())));
            assertTrue(callersKept.size() + " of " + requests + " traces their caller sampled kept in " + callerSeconds + " s: "
                    + callersKept, callersKept.size() <= 5 + (long) Math.ceil(callerSeconds * 5) + 1 && callersKept.size() < requests);
            for (int i = 0; i < requests; i++) {
                assertEquals("the caller's trace, kept or not", String.format("4bf92f3577b34da6a3ce929d%08x", i + 1),
                        LaunchedRuntime.JSON.readTree(awaitAccessLine(rt, callerIds.get(i))).get("trace_id").asText());
            }
            // each request has a trace all the same, in its access log line, kept or not
            java.util.Set<String> traces = new java.util.HashSet<>();
            for (String id : ids) {
                String trace = LaunchedRuntime.JSON.readTree(awaitAccessLine(rt, id)).get("trace_id").asText();
                assertTrue(trace, trace.matches("[0-9a-f]{32}") && !trace.equals("0".repeat(32)));
                traces.add(trace);
            }
            assertEquals("a trace of its own for each request", requests, traces.size());

            // a request that asks to be traced (X-Mosaic-Trace, here outside prod) is kept whatever the cap
            int asked = 20;
            List<String> answered = new java.util.ArrayList<>();
            for (int i = 0; i < asked; i++) {
                HttpResponse<String> r = get(rt, "/tv/home", "X-Request-Id", "asked-" + i, "X-Mosaic-Trace", "1");
                assertTrue(r.headers().firstValue("Server-Timing").isPresent());
                answered.add(r.headers().firstValue("traceresponse").orElse("none"));
            }
            for (int i = 0; i < asked; i++) {
                String id = "asked-" + i;
                Span s = await(span -> id.equals(attribute(span, "mosaic.request_id")));
                String tr = answered.get(i); // its answer names its trace and span, sampled (W3C traceresponse)
                assertTrue(tr, tr.startsWith("00-" + hex(s.getTraceId()) + "-" + hex(s.getSpanId()) + "-")
                        && (Integer.parseInt(tr.substring(tr.length() - 2), 16) & 1) == 1);
                assertEquals("true", String.valueOf(s.getAttributesList().stream().filter(kv -> kv.getKey().equals("mosaic.trace.asked"))
                        .map(kv -> kv.getValue().getBoolValue()).findFirst().orElse(null)));
            }

            // /metrics says how many traces the sampling kept: the operator's view of the cap
            String m = MetricsIT.scrape(http, rt, rt.mgmtUrl.substring(0, rt.mgmtUrl.indexOf("/api/v1")));
            assertEquals(kept.size() + 1 + asked, MetricsIT.value(m, "mosaic_traces_total{kept=\"true\",origin=\"here\"}"), 0);
            assertEquals(requests - kept.size(), MetricsIT.value(m, "mosaic_traces_total{kept=\"false\",origin=\"here\"}"), 0);
            assertEquals(callersKept.size(), MetricsIT.value(m, "mosaic_traces_total{kept=\"true\",origin=\"caller\"}"), 0);
            assertEquals(requests - callersKept.size(), MetricsIT.value(m, "mosaic_traces_total{kept=\"false\",origin=\"caller\"}"), 0);
            assertFalse("only a request that asks is told its trace",
                    get(rt, "/tv/home").headers().firstValue("traceresponse").isPresent());
        }
    }

    @Test
    public void aCollectorThatIsDownIsSaidInOneLineAndSoIsItsReturn() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + port + "/v1/traces";
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), List.of("-Dmosaic.tracing.exportDelay=100ms"),
                List.of("--otlp-endpoint", "http://127.0.0.1:" + port))) {
            assertEquals(200, rt.get("/tv/home").statusCode());
            // after the exporter's own retries (some 10 s)
            rt.awaitLog("tracing: could not export spans to " + endpoint + ": ConnectException");
            assertFalse("no stack trace from the exporter", rt.log().contains("at io.opentelemetry") || rt.log().contains("SEVERE"));
            startCollector(port);
            HttpResponse<String> after = rt.get("/tv/home");
            String requestId = after.headers().firstValue("X-Request-Id").orElseThrow();
            await(s -> requestId.equals(attribute(s, "mosaic.request_id")));
            rt.awaitLog("tracing: spans reach " + endpoint + " again");
        }
    }

    @Test
    public void aBadTracingOptionIsRefusedAtTheCommandLineSayingWhy() throws Exception {
        Map<List<String>, String> refusals = Map.of(
                List.of("--otlp-endpoint", "collector:4318"), "--otlp-endpoint takes the http or https URL of an OTLP/HTTP"
                        + " collector, such as http://127.0.0.1:4318 (no credentials in it: OTEL_EXPORTER_OTLP_HEADERS), not"
                        + " 'collector:4318'",
                List.of("--trace-callers", "trusted"), "--trace-callers is capped (a trace its caller sampled is kept by the"
                        + " --trace-sample share and cap, the default) or followed (whatever they say), not 'trusted'");
        for (Map.Entry<List<String>, String> r : refusals.entrySet()) {
            Path data = LaunchedRuntime.newDataDir();
            List<String> command = new java.util.ArrayList<>(List.of(LaunchedRuntime.java(), "-jar",
                    LaunchedRuntime.dist().resolve("lib/launcher.jar").toString(), "run", "--port", "0", "--mgmt-port", "0",
                    "--data", data.toString()));
            command.addAll(r.getKey());
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(out, 2, p.exitValue());
            assertTrue(out, out.contains(r.getValue()));
        }
    }

    private void declare(LaunchedRuntime rt, String name, String url) throws Exception {
        HttpResponse<String> r = rt.api("PUT", "/backends/stage/" + name, ("{\"url\":\"" + url + "\"}").getBytes(StandardCharsets.UTF_8));
        assertEquals(r.body(), 200, r.statusCode());
    }

    private void deploy(LaunchedRuntime rt, String example) throws Exception {
        byte[] jar = Files.readAllBytes(Path.of(System.getProperty("mosaic.dist"), "examples", example));
        HttpResponse<String> r = rt.api("POST", "/deployments?env=stage", jar);
        assertEquals(r.body(), 201, r.statusCode());
    }

    private HttpResponse<String> get(LaunchedRuntime rt, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.port + path)).timeout(Duration.ofSeconds(30))
                .header("X-Mosaic-Env", "stage");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** @return the first span exported that matches, waiting for the exporter's next batches */
    private Span await(Predicate<Span> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (Span s : exported) {
                if (wanted.test(s)) {
                    return s;
                }
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        fail("no such span was exported; exported: " + exported.stream().map(s -> s.getName() + " " + hex(s.getTraceId())).toList());
        return null;
    }

    /** @return the request ids of the spans exported so far that start so, in the order they came */
    private List<String> keptOf(String prefix) {
        return exported.stream().map(s -> attribute(s, "mosaic.request_id")).filter(id -> id != null && id.startsWith(prefix)).toList();
    }

    private static String awaitAccessLine(LaunchedRuntime rt, String requestId) throws Exception {
        Path log = rt.data.resolve("logs").resolve("access.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    if (line.contains("\"request_id\":\"" + requestId + "\"")) {
                        JsonNode parsed = LaunchedRuntime.JSON.readTree(line);
                        assertNotNull(parsed.get("trace_id"));
                        return line;
                    }
                }
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        fail("no access log line for request " + requestId);
        return null;
    }

    private static String hex(com.google.protobuf.ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    private static String attribute(Span span, String key) {
        for (KeyValue kv : span.getAttributesList()) {
            if (kv.getKey().equals(key)) {
                return kv.getValue().hasIntValue() ? Long.toString(kv.getValue().getIntValue()) : kv.getValue().getStringValue();
            }
        }
        return null;
    }
}
