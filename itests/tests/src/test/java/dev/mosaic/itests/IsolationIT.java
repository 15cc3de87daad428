package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mosaic.deployer.Health;
import dev.mosaic.deployer.RouteView;

/**
 * One tenant cannot hurt another: deadlines, bulkheads, leak detection, and a device port
 * that keeps malformed or abusive requests away from adapters.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class IsolationIT extends MosaicSupport {

    private static final String SLOW = "dev.mosaic.fixtures.slow";

    @Configuration
    public Option[] config() {
        return runtime(
                // the operator's configuration for one adapter: overrides its manifest and the defaults
                frameworkProperty("mosaic.limits." + SLOW + ".timeout").value("1s"),
                frameworkProperty("mosaic.limits." + SLOW + ".concurrency").value("10"),
                frameworkProperty("mosaic.leaks.gcIntervalMillis").value("0"),
                frameworkProperty("mosaic.leaks.graceMillis").value("0"));
    }

    @Test
    public void aCallPastItsDeadlineIsAnsweredWith504AtTheDeadline() throws Exception {
        deploy(fixture("slow-1.0.0"));
        try {
            long t0 = System.nanoTime();
            HttpResponse<String> r = get("/fixtures/slow?ms=20000");
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(504, r.statusCode());
            JsonNode e = json(r);
            assertEquals("deadline_exceeded", e.get("error").asText());
            assertEquals(SLOW, e.get("adapter").asText());
            assertTrue(e.get("message").asText(), e.get("message").asText().contains("within 1000 ms"));
            assertTrue("answered at the deadline, not after the 20 s the handler wanted: " + took + " ms", took < 15_000);
            RouteView route = route("/fixtures/slow");
            assertEquals(1000, route.timeoutMillis());
            assertEquals(10, route.concurrency());
            assertEquals(1, route.timeouts());
            assertEquals(200, get("/fixtures/slow?ms=0").statusCode());
        } finally {
            undeploySlow();
        }
    }

    @Test
    public void aSaturatedAdapterGetsFast503sWhileAHealthyOneAnswersEveryRequest() throws Exception {
        deploy(fixture("slow-1.0.0"));
        HttpClient flood = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        AtomicBoolean flooding = new AtomicBoolean(true);
        ConcurrentHashMap<Integer, AtomicLong> floodStatus = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> floods = new ArrayList<>();
        int port = port();
        try {
            // 200 clients keep asking the slow adapter for a call that never ends in time
            for (int i = 0; i < 200; i++) {
                floods.add(CompletableFuture.runAsync(() -> {
                    while (flooding.get()) {
                        try {
                            int status = flood.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                    + "/fixtures/slow?ms=60000")).timeout(Duration.ofSeconds(30)).build(),
                                    HttpResponse.BodyHandlers.discarding()).statusCode();
                            floodStatus.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                        } catch (Exception e) {
                            floodStatus.computeIfAbsent(-1, s -> new AtomicLong()).incrementAndGet();
                        }
                    }
                }, LaunchedRuntime.ASYNC));
            }
            eventually("the slow adapter is saturated", () -> count(floodStatus, 503) > 100);

            long worst = 0;
            for (int i = 0; i < 200; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = get("/mobile/home");
                worst = Math.max(worst, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                assertEquals(r.body(), 200, r.statusCode());
                assertEquals("1.0.0", json(r).get("moduleVersion").asText());
            }
            assertTrue("a healthy adapter answered in " + worst + " ms at worst while its neighbour was saturated", worst < 2_000);
            RouteView slow = route("/fixtures/slow");
            assertTrue("rejected: " + slow.rejected(), slow.rejected() > 100);
            assertEquals("healthy route failures", 0, route("/mobile/home").failures());
        } finally {
            flooding.set(false);
            CompletableFuture.allOf(floods.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            undeploySlow();
        }
        assertTrue("503s: " + floodStatus, count(floodStatus, 503) > 0);
        assertEquals("nothing but 503 and 504 for the saturated adapter: " + floodStatus, 0, count(floodStatus, -1) + count(floodStatus, 200));
    }

    @Test
    public void aRetiredAdapterThatLeaksIsReportedAndACleanOneIsNot() throws Exception {
        deploy(fixture("leaky"));
        assertEquals(200, get("/fixtures/leaky").statusCode());
        deployer().undeploy("prod", "dev.mosaic.fixtures.leaky", null, false, "itest");
        deploy(fixture("failing"));
        assertEquals(202, get("/fixtures/echo/x").statusCode());
        deployer().undeploy("prod", "dev.mosaic.fixtures.failing", null, false, "itest");

        eventually("the clean adapter is released and only the leaky one is reported", () -> {
            Health h = health();
            return h.leaks().size() == 1 && h.leaks().get(0).name().equals("dev.mosaic.fixtures.leaky");
        });
        Health h = health();
        assertEquals(Health.Status.DEGRADED, h.status());
        assertEquals("1.0.0", h.leaks().get(0).version());
        assertEquals("prod", h.leaks().get(0).environment());
        assertTrue(h.leaks().get(0).hint(), h.leaks().get(0).hint().contains("thread"));
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("leaky-fixture-worker")) {
                t.interrupt(); // clean up the fixture's thread
            }
        }
    }

    @Test
    public void abusiveAndMalformedRequestsNeverReachAnAdapter() throws Exception {
        deploy(fixture("failing"));
        try {
            long before = route("/fixtures/echo").requests();
            String hugeHeader = raw("POST /fixtures/echo HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(16_000)
                    + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
            assertTrue(hugeHeader, hugeHeader.startsWith("HTTP/1.1 431"));
            assertTrue(hugeHeader, hugeHeader.contains("headers_too_large"));
            String hugeUri = raw("POST /fixtures/echo?" + "q=1&".repeat(4000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(hugeUri, hugeUri.startsWith("HTTP/1.1 414") || hugeUri.startsWith("HTTP/1.1 431"));
            String badVersion = raw("POST /fixtures/echo HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(badVersion, badVersion.startsWith("HTTP/1.1 505"));
            assertTrue(badVersion, badVersion.contains("http_version_not_supported"));
            // an HTTP/2 client with prior knowledge gets a 426 in JSON that names HTTP/1.1, not an empty answer
            String preface = raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
            assertTrue(preface, preface.startsWith("HTTP/1.1 426"));
            assertTrue(preface, preface.contains("Upgrade: HTTP/1.1") && preface.contains("\"error\":\"http_version_not_supported\"")
                    && preface.contains("serves HTTP/1.1 only"));
            String badLength = raw("POST /fixtures/echo HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\nConnection: close\r\n\r\n");
            assertTrue(badLength, badLength.startsWith("HTTP/1.1 400"));
            // a body over the limit is refused on its declared length, before a byte of it is read: sent whole, the
            // client may still be writing when the answer and the close come (a broken pipe, not the 413)
            String tooBig = raw("POST /fixtures/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + 1_200_003 + "\r\nConnection: close\r\n\r\n[0,");
            assertTrue(tooBig, tooBig.startsWith("HTTP/1.1 413") && tooBig.contains("body_too_large"));

            // a client that sends its body at a few bytes a second is cut off
            long t0 = System.nanoTime();
            String slow = slowBody(5_000);
            assertTrue("slow client answered: " + slow, slow.isEmpty() || slow.startsWith("HTTP/1.1 4") || slow.startsWith("HTTP/1.1 5"));
            assertTrue("cut off within 20 s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 20);

            assertEquals("none of these reached the adapter", before, route("/fixtures/echo").requests());
            assertEquals(200, send("POST", "/fixtures/echo", "{\"ok\":1}", "Content-Type", "application/json").statusCode());
        } finally {
            deployer().undeploy("prod", "dev.mosaic.fixtures.failing", null, false, "itest");
        }
    }

    // ------------------------------------------------------------------ helpers

    private Health health() {
        try {
            return deployer().health();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private RouteView route(String path) throws Exception {
        return deployer().routes().stream().filter(r -> r.path().equals(path)).findFirst().orElseThrow();
    }

    private void undeploySlow() throws Exception {
        deployer().undeploy("prod", SLOW, null, false, "itest");
    }

    private static long count(ConcurrentHashMap<Integer, AtomicLong> statuses, int status) {
        AtomicLong n = statuses.get(status);
        return n == null ? 0 : n.get();
    }

    private String raw(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketException e) {
            return "";
        }
    }

    /** Announces a body and trickles it a byte at a time; returns what the server answered, or "" if it hung up. */
    private String slowBody(int length) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /fixtures/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + length
                    + "\r\n\r\n[").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            try {
                for (int i = 0; i < 40 && !socket.isInputShutdown(); i++) {
                    out.write('1');
                    out.flush();
                    TimeUnit.MILLISECONDS.sleep(250);
                    if (socket.getInputStream().available() > 0) {
                        break;
                    }
                }
            } catch (java.io.IOException e) {
                return ""; // the server hung up on us
            }
            byte[] answer = socket.getInputStream().readNBytes(4096);
            return new String(answer, StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketException e) {
            return "";
        }
    }
}
