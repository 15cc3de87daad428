package dev.mosaic.gateway.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.api.HttpException;
import dev.mosaic.gateway.internal.RoutingTable.Entry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/** The span of each device request, made by OpenTelemetry's SDK and read from its in-memory exporter. */
class ServerSpansTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private final SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exported)).build();
    private final ServerSpans spans = new ServerSpans();
    private final Tenant tenant = new Tenant(7, "com.example.adapter", "1.2.3", 2000, 8);
    private Server server;
    private LocalConnector connector;
    private ExecutorService pool;
    private Deadlines deadlines;

    @BeforeEach
    void start() throws Exception {
        pool = Executors.newCachedThreadPool();
        deadlines = new Deadlines(5);
        server = new Server();
        connector = new LocalConnector(server);
        server.addConnector(connector);
        server.setErrorHandler(new JsonErrorHandler(mapper));
        Map<String, RoutingTable<Target>> tables = Map.of("prod", table());
        server.setHandler(new DeviceHandler(() -> tables, mapper, pool, deadlines,
                TestSettings.of(GatewaySettings.Mode.NONBLOCKING, 100), null, new Followers(), spans));
        server.start();
    }

    private RoutingTable<Target> table() throws Exception {
        List<Entry<Target>> entries = new ArrayList<>();
        for (Target t : List.of(
                new Target(null, r -> Map.of("id", r.pathParam("id")), tenant, "GET", RouteTemplate.parse("/tv/{id}"), false),
                new Target(null, r -> {
                    throw new HttpException(503, "downstream down");
                }, tenant, "GET", RouteTemplate.parse("/down"), false))) {
            entries.add(new Entry<>(t.method, t.template, t));
        }
        return RoutingTable.of(entries);
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        deadlines.close();
        pool.shutdownNow();
        provider.shutdown();
    }

    private HttpTester.Response get(String path, String... headers) throws Exception {
        StringBuilder raw = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            raw.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        return HttpTester.parseResponse(connector.getResponse(raw.append("\r\n").toString()));
    }

    private List<SpanData> awaitSpans(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (exported.getFinishedSpanItems().size() < n) {
            assertTrue(System.nanoTime() < deadline, "spans: " + exported.getFinishedSpanItems());
            Thread.sleep(5);
        }
        return exported.getFinishedSpanItems();
    }

    @Test
    void aRequestIsAServerSpanContinuingItsCallersTraceWithTheAdapterOnIt() throws Exception {
        // not tracing: no span
        assertEquals(200, get("/tv/1").getStatus());
        spans.tracer(provider.get("test"));
        HttpTester.Response r = get("/tv/42", "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertEquals(200, r.getStatus());
        SpanData span = awaitSpans(1).get(0);
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", span.getTraceId());
        assertEquals("00f067aa0ba902b7", span.getParentSpanId());
        assertEquals(SpanKind.SERVER, span.getKind());
        assertEquals("GET /tv/{id}", span.getName(), "named for the route, not the path: bounded");
        assertEquals("com.example.adapter", span.getAttributes().get(AttributeKey.stringKey("mosaic.adapter")));
        assertEquals("1.2.3", span.getAttributes().get(AttributeKey.stringKey("mosaic.adapter.version")));
        assertEquals("prod", span.getAttributes().get(AttributeKey.stringKey("mosaic.environment")));
        assertEquals("/tv/42", span.getAttributes().get(AttributeKey.stringKey("url.path")));
        assertEquals(r.get("X-Request-Id"), span.getAttributes().get(AttributeKey.stringKey("mosaic.request_id")));
        assertEquals(200L, span.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertFalse(span.getStatus().getStatusCode() == StatusCode.ERROR);

        // a 5xx is an error; no traceparent: a new trace
        assertEquals(503, get("/down").getStatus());
        SpanData down = awaitSpans(2).get(1);
        assertFalse(down.getParentSpanContext().isValid(), "the root of a new trace");
        assertEquals(StatusCode.ERROR, down.getStatus().getStatusCode());
        assertEquals(503L, down.getAttributes().get(AttributeKey.longKey("http.response.status_code")));

        // tracing goes away: no more spans
        spans.tracer(null);
        assertEquals(200, get("/tv/2").getStatus());
        assertEquals(2, exported.getFinishedSpanItems().size());
    }
}
