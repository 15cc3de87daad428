package dev.mosaic.gateway.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.gateway.internal.RoutingTable.Entry;

/**
 * The gateway's adaptive mode on a real Jetty over loopback: one keep-alive connection reads
 * its next request inline or where blocking is allowed, after what its last request went to.
 */
class DeviceConnectorTest {

    private final ObjectMapper mapper = new ObjectMapper();
    // a bulkhead wider than the 16 requests in flight: this test is about where calls run, not about 503s
    private final Tenant tenant = new Tenant(7, "com.example.adapter", "1.2.3", 2000, 64);
    /** Per call: where it ran, "pool" (the adapter pool) or "jetty", and whether blocking was allowed there. */
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private Server server;
    private DeviceConnector connector;
    private ExecutorService pool;
    private Deadlines deadlines;

    @BeforeEach
    void start() throws Exception {
        pool = Executors.newCachedThreadPool(r -> new Thread(r, "adapter-pool"));
        deadlines = new Deadlines(5);
        List<Entry<Target>> entries = new ArrayList<>();
        for (boolean inline : new boolean[] { true, false }) {
            Target t = new Target(null, r -> {
                calls.add((inline ? "inline " : "blocking ") + where());
                return Map.of("ok", true);
            }, tenant, "GET", RouteTemplate.parse(inline ? "/inline" : "/blocking"), inline);
            entries.add(t.entry());
        }
        Map<String, RoutingTable<Target>> tables = Map.of("prod", RoutingTable.of(entries));
        server = new Server(new QueuedThreadPool(20, 4));
        connector = new DeviceConnector(server, new HttpConnectionFactory(), true, 10_000, 0);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
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

    private static String where() {
        return (Thread.currentThread().getName().equals("adapter-pool") ? "pool" : "jetty")
                + (DeviceConnector.mayBlockHere() ? " may block" : " must not block");
    }

    @Test
    void aConnectionReadsItsNextRequestWhereItsLastOneWasBestServed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", connector.getLocalPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            HttpTester.Input in = HttpTester.from(socket.getInputStream());
            for (String path : List.of("/blocking", "/blocking", "/blocking", "/inline", "/inline", "/blocking", "/blocking")) {
                awaitReading();
                out.write(("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                HttpTester.Response r = HttpTester.parseResponse(in);
                assertEquals(200, r.getStatus(), path);
            }
        }
        assertEquals(List.of(
                "blocking pool must not block", // a new connection reads inline: a blocking call is handed off
                "blocking jetty may block", // from then on it reads where blocking is allowed, and runs in place
                "blocking jetty may block",
                "inline jetty may block", // a non-blocking handler runs wherever it is called
                "inline jetty must not block", // ... and the connection reads inline again
                "blocking pool must not block",
                "blocking jetty may block"), calls);
    }

    @Test
    void aBlockingHandlerNeverRunsWhereBlockingIsNotAllowedWhateverTheMix() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(pool).build();
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            // 16 requests in flight over the client's few connections, the two kinds of route interleaved at random
            String path = ThreadLocalRandom.current().nextBoolean() ? "/inline" : "/blocking";
            sent.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort() + path))
                    .build(), HttpResponse.BodyHandlers.ofString()));
            if (sent.size() >= 16) {
                assertEquals(200, sent.remove(0).get(10, TimeUnit.SECONDS).statusCode());
            }
        }
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            assertEquals(200, f.get(10, TimeUnit.SECONDS).statusCode());
        }
        assertEquals(400, calls.size());
        assertEquals(List.of(), calls.stream().filter(c -> c.equals("blocking jetty must not block")).toList());
        assertTrue(calls.contains("blocking jetty may block"), "some blocking calls ran in place: " + calls);
        assertTrue(calls.contains("inline jetty must not block"), "some non-blocking calls ran inline: " + calls);
    }

    /**
     * Sends the next request only once the connection waits to read it again: else it can be
     * read by the thread that finished the last answer (Jetty's own, not one this connector
     * scheduled), and served like one read inline; and only once that thread has left the
     * read loop, else the next read, asked for while it is still inside, runs on it.
     */
    private void awaitReading() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!connector.getConnectedEndPoints().stream()
                .allMatch(e -> e.isFillInterested() && !((DeviceEndPoint) e).insideReadLoop())) {
            assertTrue(System.nanoTime() < deadline, "the connection did not wait to read its next request");
            Thread.sleep(1);
        }
    }
}
