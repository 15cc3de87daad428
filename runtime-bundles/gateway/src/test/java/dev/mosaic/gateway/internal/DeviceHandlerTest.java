package dev.mosaic.gateway.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.Invocable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.api.HttpException;
import dev.mosaic.api.Response;
import dev.mosaic.api.RouteHandler;
import dev.mosaic.gateway.internal.RoutingTable.Entry;

/** The device handler driven in-process through Jetty's LocalConnector: no framework, no sockets. */
class DeviceHandlerTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<Entry<Target>> entries = new ArrayList<>();
    private volatile Map<String, RoutingTable<Target>> tables = Map.of();
    private Tenant tenant = new Tenant(7, "com.example.adapter", "1.2.3", 2000, 8);
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
        server.setHandler(new DeviceHandler(() -> tables, mapper, pool, deadlines, TestSettings.of(GatewaySettings.Mode.NONBLOCKING, 100)));
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        deadlines.close();
        pool.shutdownNow();
    }

    private Target route(String method, String path, RouteHandler handler) throws Exception {
        return route(method, path, handler, false);
    }

    private Target route(String method, String path, RouteHandler handler, boolean inline) throws Exception {
        Target t = new Target(null, handler, tenant, method, RouteTemplate.parse(path), inline);
        entries.add(new Entry<>(method, t.template, t));
        tables = Map.of("prod", RoutingTable.of(entries));
        return t;
    }

    private HttpTester.Response send(String method, String path, String... headersAndBody) throws Exception {
        StringBuilder raw = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
        String body = null;
        for (int i = 0; i < headersAndBody.length; i += 2) {
            if (headersAndBody[i].equals("body")) {
                body = headersAndBody[i + 1];
            } else {
                raw.append(headersAndBody[i]).append(": ").append(headersAndBody[i + 1]).append("\r\n");
            }
        }
        if (body != null) {
            raw.append("Content-Type: application/json\r\nContent-Length: ").append(body.getBytes().length).append("\r\n");
        }
        raw.append("\r\n").append(body == null ? "" : body);
        return HttpTester.parseResponse(connector.getResponse(raw.toString()));
    }

    /**
     * A request counts as running until its answer is serialised and handed to Jetty, which
     * can be just after the client has read it: poll rather than expect it at once.
     */
    private void assertIdle() throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (tenant.active() != 0) {
            assertTrue(System.nanoTime() < deadline, "requests still counted as running: " + tenant.active());
            Thread.sleep(1);
        }
    }

    private JsonNode json(HttpTester.Response r) throws Exception {
        return mapper.readTree(r.getContent());
    }

    @Test
    void valueIsWrittenAsJsonWithARequestId() throws Exception {
        route("GET", "/tv/{id}", r -> Map.of("id", r.pathParam("id"), "q", String.valueOf(r.query("q"))));
        HttpTester.Response r = send("GET", "/tv/42?q=x");
        assertEquals(200, r.getStatus());
        assertEquals("application/json", r.get("Content-Type"));
        assertEquals(Map.of("id", "42", "q", "x"), mapper.readValue(r.getContent(), Map.class));
        assertTrue(r.get("X-Request-Id").matches("[0-9a-f]{16}"), r.get("X-Request-Id"));
        assertIdle();
    }

    @Test
    void nullIsNoContentAndResponseChoosesStatusHeadersAndRawBytes() throws Exception {
        route("DELETE", "/lists/{id}", r -> null);
        route("GET", "/raw", r -> Response.status(201).header("Content-Type", "text/plain").header("X-A", "1")
                .body("hi".getBytes()));
        HttpTester.Response none = send("DELETE", "/lists/1");
        assertEquals(204, none.getStatus());
        assertEquals("", none.getContent());
        HttpTester.Response raw = send("GET", "/raw");
        assertEquals(201, raw.getStatus());
        assertEquals("text/plain", raw.get("Content-Type"));
        assertEquals("1", raw.get("X-A"));
        assertEquals("hi", raw.getContent());
    }

    @Test
    void completionStagesAreWrittenWhenTheyComplete() throws Exception {
        route("GET", "/async", r -> CompletableFuture.supplyAsync(() -> Map.of("late", true)));
        route("GET", "/async-fail", r -> CompletableFuture.failedFuture(new HttpException(503, "downstream down")));
        assertEquals(true, json(send("GET", "/async")).get("late").asBoolean());
        HttpTester.Response failed = send("GET", "/async-fail");
        assertEquals(503, failed.getStatus());
        assertEquals("downstream down", json(failed).get("message").asText());
        assertIdle();
    }

    @Test
    void adapterExceptionsAre500NamingTheAdapterAndCountAsFailures() throws Exception {
        Target t = route("GET", "/boom", r -> {
            throw new IllegalStateException("secret internals");
        });
        HttpTester.Response r = send("GET", "/boom");
        assertEquals(500, r.getStatus());
        JsonNode e = json(r);
        assertEquals("adapter_failed", e.get("error").asText());
        assertEquals("com.example.adapter", e.get("adapter").asText());
        assertEquals("1.2.3", e.get("adapterVersion").asText());
        assertEquals(r.get("X-Request-Id"), e.get("requestId").asText());
        assertTrue(!r.getContent().contains("secret internals"));
        assertEquals(1, t.failures.sum());
        assertEquals(1, t.requests.sum());
        assertIdle();
    }

    @Test
    void httpExceptionsKeepTheirStatusAndMessage() throws Exception {
        Target t = route("GET", "/titles/{id}", r -> {
            throw new HttpException(404, "no title " + r.pathParam("id"));
        });
        HttpTester.Response r = send("GET", "/titles/9");
        assertEquals(404, r.getStatus());
        assertEquals("adapter_error", json(r).get("error").asText());
        assertEquals("no title 9", json(r).get("message").asText());
        assertEquals(0, t.failures.sum(), "a 4xx is the caller's problem, not a failure of the adapter");
    }

    @Test
    void unserializableAnswersAre500SayingSo() throws Exception {
        route("GET", "/odd", r -> new Object());
        HttpTester.Response r = send("GET", "/odd");
        assertEquals(500, r.getStatus());
        assertEquals("response_not_serializable", json(r).get("error").asText());
        assertEquals("application/json", r.get("Content-Type"));
    }

    record Order(List<Integer> items) {
    }

    @Test
    void bodiesAreReadAsJsonAndBadOrHugeOnesRefused() throws Exception {
        route("POST", "/echo", r -> Map.of("got", r.bodyAs(Map.class)));
        assertEquals(1, json(send("POST", "/echo", "body", "{\"n\":1}")).get("got").get("n").asInt());
        HttpTester.Response bad = send("POST", "/echo", "body", "{nope");
        assertEquals(400, bad.getStatus());
        assertTrue(json(bad).get("message").asText().startsWith("the request came with a body that is not JSON ("),
                json(bad).get("message").asText());
        route("POST", "/order", r -> r.bodyAs(Order.class));
        assertEquals(2, json(send("POST", "/order", "body", "{\"items\":[1,2]}")).get("items").get(1).asInt());
        HttpTester.Response misfit = send("POST", "/order", "body", "{\"items\":[1,{\"n\":2}]}");
        assertEquals(400, misfit.getStatus());
        assertTrue(json(misfit).get("message").asText().startsWith("the request came with JSON that does not fit Order at"
                + " items[1] ("), json(misfit).get("message").asText());
        HttpTester.Response huge = send("POST", "/echo", "body", "[" + "1,".repeat(600) + "1]");
        assertEquals(413, huge.getStatus());
        assertEquals("body_too_large", json(huge).get("error").asText());
        HttpTester.Response empty = send("POST", "/echo");
        assertEquals(400, empty.getStatus());
        assertTrue(json(empty).get("message").asText().contains("no body"));
    }

    @Test
    void aRequestWhoseBodyIsStillArrivingHoldsItsPlaceSoADrainWaitsForIt() throws Exception {
        route("POST", "/echo", r -> Map.of("got", r.bodyAs(Map.class)));
        String body = "{\"n\":1}";
        LocalConnector.LocalEndPoint device = connector.executeRequest("POST /echo HTTP/1.1\r\nHost: test\r\n"
                + "Connection: close\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
                + body.substring(0, 3));
        // routed to this adapter, body not all here: the adapter's version must not be retired under it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (tenant.active() != 1) {
            assertTrue(System.nanoTime() < deadline, "a request reading its body does not count as running");
            Thread.sleep(1);
        }
        device.addInputAndExecute(org.eclipse.jetty.util.BufferUtil.toBuffer(body.substring(3)));
        HttpTester.Response r = HttpTester.parseResponse(device.waitForResponse(false, 5, TimeUnit.SECONDS));
        assertEquals(200, r.getStatus());
        assertEquals(1, json(r).get("got").get("n").asInt());
        assertIdle();
    }

    @Test
    void unknownPathsMethodsAndEnvironmentsAreJsonErrors() throws Exception {
        route("GET", "/tv/home", r -> "ok");
        HttpTester.Response notFound = send("GET", "/tv/away");
        assertEquals(404, notFound.getStatus());
        assertEquals("/tv/away", json(notFound).get("path").asText());
        HttpTester.Response wrongMethod = send("PUT", "/tv/home");
        assertEquals(405, wrongMethod.getStatus());
        assertEquals("GET, HEAD", wrongMethod.get("Allow"));
        HttpTester.Response noEnv = send("GET", "/tv/home", "X-Mosaic-Env", "test");
        assertEquals(404, noEnv.getStatus());
        assertTrue(json(noEnv).get("message").asText().contains("nothing is deployed in environment 'test'"));
        HttpTester.Response badEnv = send("GET", "/tv/home", "X-Mosaic-Env", "../prod");
        assertEquals(400, badEnv.getStatus());
        assertEquals("invalid_environment", json(badEnv).get("error").asText());
    }

    @Test
    void aHandlerPastItsDeadlineGetsItsCaller504AndIsInterrupted() throws Exception {
        tenant = new Tenant(7, "com.example.slow", "1.0.0", 200, 8);
        CountDownLatch interrupted = new CountDownLatch(1);
        route("GET", "/hang", r -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return "too late";
        });
        long t0 = System.nanoTime();
        HttpTester.Response r = send("GET", "/hang");
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(504, r.getStatus());
        assertEquals("deadline_exceeded", json(r).get("error").asText());
        assertTrue(json(r).get("message").asText().contains("within 200 ms"));
        assertTrue(tookMillis < 30_000, "answered at the deadline, not when the handler gave up: " + tookMillis + " ms");
        assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the handler's thread is interrupted at the deadline");
        assertEquals(1, tenant.timeouts.sum());
        assertIdle();
    }

    @Test
    void aStageThatNeverCompletesIs504AtTheDeadline() throws Exception {
        tenant = new Tenant(7, "com.example.async", "1.0.0", 150, 8);
        CompletableFuture<Object> never = new CompletableFuture<>();
        route("GET", "/never", r -> never);
        assertEquals(504, send("GET", "/never").getStatus());
        assertEquals(1, tenant.active(), "the call still counts until its stage completes");
        never.complete("late");
        assertIdle();
    }

    @Test
    void aSaturatedAdapterGetsFast503sAndItsPlacesComeBackWhenItsHandlersReturn() throws Exception {
        tenant = new Tenant(7, "com.example.busy", "1.0.0", 100, 2);
        CountDownLatch release = new CountDownLatch(1);
        route("GET", "/busy", r -> {
            while (true) { // a stuck adapter: ignores interruption, keeps its place past the deadline
                try {
                    release.await();
                    return "done";
                } catch (InterruptedException e) {
                    // keep waiting
                }
            }
        });
        // two calls fill the bulkhead; they time out but their handlers are still running
        assertEquals(504, send("GET", "/busy").getStatus());
        assertEquals(504, send("GET", "/busy").getStatus());
        HttpTester.Response refused = send("GET", "/busy");
        assertEquals(503, refused.getStatus());
        assertEquals("adapter_saturated", json(refused).get("error").asText());
        assertEquals("1", refused.get("Retry-After"));
        assertEquals(1, tenant.rejected.sum());
        release.countDown();
        assertIdle();
        assertEquals(200, send("GET", "/busy").getStatus());
    }

    private static boolean onPool() {
        return Thread.currentThread().getName().startsWith("pool-");
    }

    @Test
    void onlyHandlersDeclaredNonBlockingRunOnTheThreadJettyCalledWith() throws Exception {
        List<Boolean> inline = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Boolean> pooled = new java.util.concurrent.CopyOnWriteArrayList<>();
        route("GET", "/inline", r -> {
            inline.add(onPool());
            return Map.of("ok", true);
        }, true);
        route("GET", "/pooled", r -> {
            pooled.add(onPool());
            return Map.of("ok", true);
        }, false);
        for (int i = 0; i < 10; i++) {
            assertEquals(200, send("GET", "/inline").getStatus());
            assertEquals(200, send("GET", "/pooled").getStatus());
        }
        assertEquals(List.of(), inline.stream().filter(p -> p).toList(), "non-blocking handlers run in place");
        assertEquals(10, pooled.stream().filter(p -> p).count(), "a handler that may block always goes to the adapter pool");
        assertIdle();
    }

    @Test
    void inBlockingModeHandlersRunWhereJettyCalledThem() throws Exception {
        blockingMode(100);
        List<Boolean> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
        route("GET", "/blocking", r -> {
            ran.add(onPool());
            return Map.of("ok", true);
        });
        route("POST", "/with-body", r -> {
            ran.add(onPool());
            return Map.of("ok", true);
        });
        for (int i = 0; i < 5; i++) {
            assertEquals(200, send("GET", "/blocking").getStatus());
        }
        assertEquals(List.of(false, false, false, false, false), ran);
        HttpTester.Response posted = send("POST", "/with-body", "body", "{}");
        assertEquals(200, posted.getStatus(), posted.getContent());
        assertEquals(true, ran.get(5), "a call whose body arrived later is started on the pool: the thread that"
                + " completed the read may not be free to block");
        IllegalArgumentException either = assertThrows(IllegalArgumentException.class,
                () -> GatewaySettings.from(Map.of("mosaic.gateway.invocationType", "either")::get));
        assertTrue(either.getMessage().contains("adaptive, blocking or nonblocking"), either.getMessage());
    }

    private void blockingMode(int inPlaceLimit) throws Exception {
        server.stop();
        server.setHandler(new DeviceHandler(() -> tables, mapper, pool, deadlines, TestSettings.of(GatewaySettings.Mode.BLOCKING, inPlaceLimit)));
        server.start();
    }

    @Test
    void inBlockingModeCallsBeyondTheInPlaceLimitGoToThePool() throws Exception {
        blockingMode(1);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        route("GET", "/hold", r -> {
            holding.countDown();
            release.await(10, TimeUnit.SECONDS);
            return Map.of("pool", onPool());
        });
        route("GET", "/where", r -> Map.of("pool", onPool()));
        CompletableFuture<HttpTester.Response> held = CompletableFuture.supplyAsync(() -> {
            try {
                return send("GET", "/hold");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(holding.await(10, TimeUnit.SECONDS));
        assertEquals(true, json(send("GET", "/where")).get("pool").asBoolean(),
                "the one Jetty thread allowed is taken: the next call runs on the adapter pool");
        release.countDown();
        assertEquals(false, json(held.get(10, TimeUnit.SECONDS)).get("pool").asBoolean());
        // the held call gives its Jetty thread back just after its answer is written: poll, with a deadline
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (json(send("GET", "/where")).get("pool").asBoolean()) {
            assertTrue(System.nanoTime() < deadline, "free again: calls run in place once the held one has returned");
            Thread.sleep(1);
        }
    }

    @Test
    void aNonBlockingHandlerThatBlocksIsMovedToThePool() throws Exception {
        List<Boolean> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
        route("GET", "/liar", r -> {
            ran.add(onPool());
            Thread.sleep(80); // over the 50 ms budget of this test
            return "slept";
        }, true);
        for (int i = 0; i < 5; i++) {
            assertEquals(200, send("GET", "/liar").getStatus());
        }
        assertTrue(tenant.demoted);
        assertEquals(List.of(false, false, false, true, true), ran, "after three slow calls it runs on the adapter pool");
    }

    @Test
    void slowCallsNotInARowDoNotMoveANonBlockingHandler() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        route("GET", "/hiccup", r -> {
            if (calls.incrementAndGet() % 2 == 0) {
                Thread.sleep(80); // over the budget every other call: a GC pause, say, not a handler that blocks
            }
            return "ok";
        }, true);
        for (int i = 0; i < 8; i++) {
            assertEquals(200, send("GET", "/hiccup").getStatus());
        }
        assertFalse(tenant.demoted, "four slow calls, never two in a row: still inline");
    }

    @Test
    void callsSlowAtTheSameTimeCountOnce() throws Exception {
        CountDownLatch inside = new CountDownLatch(4);
        route("GET", "/paused", r -> {
            inside.countDown();
            inside.await(10, TimeUnit.SECONDS); // four calls slow together, as in a GC pause
            Thread.sleep(80);
            return "ok";
        }, true);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Integer>> all = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                all.add(clients.submit(() -> send("GET", "/paused").getStatus()));
            }
            for (java.util.concurrent.Future<Integer> f : all) {
                assertEquals(200, f.get(10, TimeUnit.SECONDS));
            }
        } finally {
            clients.shutdownNow();
        }
        assertFalse(tenant.demoted, "four calls slow at the same time are one slow moment, not a handler that blocks");
        assertEquals(1, tenant.slowInlineCalls.get());
    }

    @Test
    void aNonBlockingHandlerReturningAStageStillHasItsDeadline() throws Exception {
        tenant = new Tenant(7, "com.example.async", "1.0.0", 150, 8);
        route("GET", "/inline-never", r -> new CompletableFuture<>(), true);
        assertEquals(504, send("GET", "/inline-never").getStatus());
        route("GET", "/inline-done", r -> CompletableFuture.completedFuture(Map.of("done", true)), true);
        assertEquals(true, json(send("GET", "/inline-done")).get("done").asBoolean());
    }

    @Test
    void onceTheRuntimeStopsNewRequestsGet503AndTheirConnectionClosed() throws Exception {
        route("GET", "/tv/home", r -> Map.of("ok", true));
        assertEquals(200, send("GET", "/tv/home").getStatus());
        ((DeviceHandler) server.getHandler()).refuseNewCalls();
        HttpTester.Response r = send("GET", "/tv/home");
        assertEquals(503, r.getStatus());
        assertEquals("shutting_down", json(r).get("error").asText());
        assertEquals("close", r.get("Connection"));
        assertEquals("1", r.get("Retry-After"));
        assertEquals(0, tenant.rejected.sum(), "not counted against the adapter");
    }

    @Test
    void percentEncodedPathSegmentsAreDecodedForTheHandler() throws Exception {
        route("GET", "/search/{term}", r -> Map.of("term", r.pathParam("term")));
        assertEquals("stranger things", json(send("GET", "/search/stranger%20things")).get("term").asText());
        assertEquals(400, send("GET", "/search/a%2Fb").getStatus(), "an encoded '/' is ambiguous and refused");
    }
}
