package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

/**
 * Hostile device traffic against a launched runtime, in each of the gateway's invocation
 * modes: while some clients flood requests whose headers are too large (a 64 KiB header, or
 * 930 headers of 70 bytes each with its own Host), others send valid requests, each tagged
 * with its own path, query and Host, and every answer they get must be the answer to their
 * own request. On Jetty 12.1.14 alone this fails: the bytes of one connection are parsed as
 * another's (see the gateway's DeviceEndPoint and bench/RESULTS.md).
 */
public class HostileTrafficIT {

    private static final long FLOOD_SECONDS = 12;

    @Test
    public void adaptive() throws Exception {
        floodWhileOthersAreServed("adaptive");
    }

    @Test
    public void blocking() throws Exception {
        floodWhileOthersAreServed("blocking");
    }

    @Test
    public void nonblocking() throws Exception {
        floodWhileOthersAreServed("nonblocking");
    }

    private void floodWhileOthersAreServed(String mode) throws Exception {
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(),
                "-Dmosaic.gateway.invocationType=" + mode)) {
            Path showPage = LaunchedRuntime.dist().resolve("examples/show-page-1.0.0.jar");
            assertEquals(0, rt.cli("deploy", showPage.toString()).exit());
            int port = rt.port;
            String oneBigHeader = "X-Big: " + "a".repeat(64 * 1024) + "\r\n";
            StringBuilder many = new StringBuilder();
            for (int i = 0; i < 930; i++) {
                many.append("Host: h").append(i).append(".attacker.example:").append(1000 + i).append(' ')
                        .append("b".repeat(40)).append("\r\n");
            }
            String manyHeaders = many.toString();

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong attacks = new AtomicLong();
            AtomicLong right = new AtomicLong();
            AtomicLong wrong = new AtomicLong();
            ConcurrentLinkedQueue<String> samples = new ConcurrentLinkedQueue<>();
            ExecutorService clients = Executors.newFixedThreadPool(7);
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int attacker = t;
                running.add(clients.submit(() -> {
                    for (long n = 0; !stop.get(); n++) {
                        send(port, "GET /mobile/home?a=" + attacker + "-" + n + " HTTP/1.1\r\nHost: attacker" + attacker + ":1\r\n"
                                + (n % 2 == 0 ? oneBigHeader : manyHeaders) + "\r\n");
                        attacks.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (int t = 0; t < 3; t++) {
                int victim = t;
                running.add(clients.submit(() -> {
                    for (long n = 0; !stop.get(); n++) {
                        String tag = "v" + victim + "x" + n;
                        boolean blockingRoute = n % 2 == 0;
                        String path = blockingRoute ? "/tv/shows/" + tag + "?profile=p" + tag : "/glasses/play/" + tag;
                        String answer = send(port, "GET " + path + " HTTP/1.1\r\nHost: victim" + victim + ":" + port
                                + "\r\nX-Request-Id: " + tag + "\r\nConnection: close\r\n\r\n");
                        // the blocking adapter echoes the path parameter and the query; the non-blocking one
                        // answers 404 naming the title it was asked for; each answer carries the request id sent
                        boolean ok = blockingRoute
                                ? answer.startsWith("HTTP/1.1 200 ") && answer.contains("\"showId\":\"" + tag + "\"")
                                        && answer.contains("\"profile\":\"p" + tag + "\"")
                                : answer.startsWith("HTTP/1.1 404 ") && answer.contains("no title with id " + tag + "\"");
                        if (ok && answer.contains("X-Request-Id: " + tag + "\r\n")) {
                            right.incrementAndGet();
                        } else {
                            wrong.incrementAndGet();
                            if (samples.size() < 5) {
                                samples.add(path + " -> " + answer.lines().findFirst().orElse("(no answer)"));
                            }
                        }
                    }
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FLOOD_SECONDS);
            while (System.nanoTime() < deadline && wrong.get() == 0) {
                TimeUnit.MILLISECONDS.sleep(50); // polling for a wrong answer, not synchronising
            }
            stop.set(true);
            clients.shutdown();
            assertTrue("the clients stopped", clients.awaitTermination(60, TimeUnit.SECONDS));
            for (Future<?> f : running) {
                f.get();
            }
            String summary = mode + ": " + attacks + " oversized requests, " + right + " right answers, " + wrong
                    + " wrong ones " + samples;
            System.out.println(summary);
            assertTrue("the flood ran: " + summary, attacks.get() > 200);
            assertTrue("valid requests were served throughout: " + summary, right.get() > 200);
            assertEquals("answers that were not to the request sent: " + summary, 0, wrong.get());
            assertTrue("/mobile/home still answers", rt.get("/mobile/home").statusCode() == 200);
            assertTrue("no buffer was released twice", !rt.log().contains("already released"));
        }
    }

    /** @return the whole answer to one request on a new connection, or what went wrong reading it */
    private static String send(int port, String request) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(read failed: " + e + ")";
        }
    }
}
