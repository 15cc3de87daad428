package dev.mosaic.gateway.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;

/**
 * A flood of requests whose headers are too large, for {@link CrossTalkTest} and for the
 * benchmarks (bench/, through this module's test-jar): four clients send them (alternately
 * one 64 KiB header and 930 {@code Host} headers of about 70 bytes), each on a new connection,
 * while three others send valid requests, each tagged with its own id, and check that the
 * answer is the answer to their request.
 */
public final class HeaderFlood {

    private static final String ONE_BIG_HEADER = "X-Big: " + "a".repeat(64 * 1024) + "\r\n";
    private static final String MANY_HEADERS;

    static {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 930; i++) {
            many.append("Host: h").append(i).append(".attacker.example:").append(1000 + i).append(' ').append("b".repeat(40))
                    .append("\r\n");
        }
        MANY_HEADERS = many.toString();
    }

    /** What a flood did: its attacks, and the valid requests answered rightly, wrongly, or not at all. */
    public record Result(AtomicLong attacks, AtomicLong right, AtomicLong wrong, AtomicLong readErrors,
            ConcurrentLinkedQueue<String> samples) {
        @Override
        public String toString() {
            return attacks + " oversized requests, " + right + " right answers, " + wrong + " wrong ones, " + readErrors
                    + " read errors " + samples;
        }
    }

    private HeaderFlood() {
    }

    /**
     * @param request the valid request for a tag and the port
     * @param check whether an answer is the answer to the request of that tag
     * @param done ends the flood before its time is up
     */
    public static Result run(int port, long nanos, BooleanSupplier done, BiFunction<String, Integer, String> request,
            BiPredicate<String, String> check) throws InterruptedException {
        Result r = new Result(new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong(), new ConcurrentLinkedQueue<>());
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService clients = Executors.newFixedThreadPool(7);
        try {
            for (int t = 0; t < 4; t++) {
                int attacker = t;
                clients.execute(() -> {
                    for (long n = 0; !stop.get(); n++) {
                        send(port, "GET /attack/" + attacker + "/" + n + " HTTP/1.1\r\nHost: attacker" + attacker + ":1\r\n"
                                + (n % 2 == 0 ? ONE_BIG_HEADER : MANY_HEADERS) + "\r\n");
                        r.attacks.incrementAndGet();
                    }
                });
            }
            for (int t = 0; t < 3; t++) {
                int victim = t;
                clients.execute(() -> {
                    for (long n = 0; !stop.get(); n++) {
                        String tag = "v" + victim + "x" + n;
                        String answer = send(port, request.apply(tag, port));
                        if (answer.startsWith("(read failed")) {
                            r.readErrors.incrementAndGet();
                        } else if (check.test(tag, answer)) {
                            r.right.incrementAndGet();
                        } else {
                            r.wrong.incrementAndGet();
                            if (r.samples.size() < 3) {
                                r.samples.add(answer.lines().findFirst().orElse("(empty)"));
                            }
                        }
                    }
                });
            }
            long deadline = System.nanoTime() + nanos;
            while (System.nanoTime() < deadline && !done.getAsBoolean()) {
                TimeUnit.MILLISECONDS.sleep(20); // polling the end condition, not synchronising
            }
        } finally {
            stop.set(true);
            clients.shutdown();
            clients.awaitTermination(60, TimeUnit.SECONDS);
        }
        return r;
    }

    /** Answers the request's path, Host and X-Tag, separated by | ({@link #echoed} checks it). */
    public static final class Echo extends Handler.Abstract {
        public Echo(InvocationType type) {
            super(type);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String body = request.getHttpURI().getPath() + "|" + request.getHeaders().get("Host") + "|"
                    + request.getHeaders().get("X-Tag");
            response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.ISO_8859_1)), callback);
            return true;
        }
    }

    /** A valid request to an echo handler ({@link #echoed}). */
    public static String echoRequest(String tag, int port) {
        return "GET /victim/" + tag + " HTTP/1.1\r\nHost: victim:" + port + "\r\nX-Tag: " + tag + "\r\nConnection: close\r\n\r\n";
    }

    /** Whether an echo handler's answer (path, Host and X-Tag, separated by |) is the answer to the request of that tag. */
    public static boolean echoed(String tag, String answer) {
        return answer.startsWith("HTTP/1.1 200 ") && answer.contains("\r\n\r\n/victim/" + tag + "|victim:")
                && answer.endsWith("|" + tag);
    }

    /** @return the whole answer to one request on a new connection, or what went wrong reading it */
    public static String send(int port, String request) {
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
