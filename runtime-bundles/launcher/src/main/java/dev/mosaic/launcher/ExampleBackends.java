package dev.mosaic.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The example backends ({@code recommendations}, {@code bookmarks}) the examples call, so that
 * the first README command needs no service of its own: a small HTTP server on loopback, in the
 * launcher's process, outside the framework (the JDK's server: nothing to add). Its latency and
 * failure rate can be changed while it runs, to see a deadline fire or a breaker open:
 *
 * <pre>
 *   curl -X POST 'http://127.0.0.1:PORT/_control?backend=recommendations&amp;latency=300ms&amp;failureRate=0.5'
 * </pre>
 *
 * It runs whenever the data directory declares the example backends: its port is kept in
 * {@code <data>/example-backends.port}, written when a fresh data directory is seeded.
 */
final class ExampleBackends implements AutoCloseable {

    static final String PORT_FILE = "example-backends.port";

    /** Latency in milliseconds and failure rate (0..1) of one example backend. */
    record Behaviour(long latencyMillis, double failureRate) {
    }

    private final HttpServer server;
    private final ScheduledExecutorService timer;
    private final Map<String, Behaviour> behaviour = new ConcurrentHashMap<>();

    private ExampleBackends(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 100);
        timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "mosaic-example-backends");
            t.setDaemon(true);
            return t;
        });
        behaviour.put("recommendations", new Behaviour(20, 0));
        behaviour.put("bookmarks", new Behaviour(10, 0));
        server.setExecutor(timer);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Starts the example backends if the data directory declares them, or is about to be seeded.
     *
     * @return the server, or null when it is not wanted or its port is taken (said on {@code err})
     */
    static ExampleBackends startIfWanted(Path data, boolean seeding, PrintStream err) {
        Path portFile = data.resolve(PORT_FILE);
        boolean fresh = !Files.exists(data.resolve("journal.jsonl")) && !Files.exists(data.resolve("snapshot.json"));
        try {
            if (Files.isRegularFile(portFile)) {
                int port = Integer.parseInt(Files.readString(portFile).trim());
                try {
                    return new ExampleBackends(port);
                } catch (BindException e) {
                    err.println("mosaic: WARNING: the example backends' port " + port + " (" + portFile
                            + ") is taken; calls to them will fail");
                    return null;
                }
            }
            if (seeding && fresh) {
                ExampleBackends b = new ExampleBackends(0);
                Files.writeString(portFile, Integer.toString(b.port()) + "\n");
                return b;
            }
        } catch (IOException | NumberFormatException e) {
            err.println("mosaic: WARNING: the example backends did not start: " + e.getMessage());
        }
        return null;
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String[] parts = path.split("/");
        if (path.equals("/_control")) {
            control(exchange);
            return;
        }
        if (parts.length != 3 || !behaviour.containsKey(parts[1]) || !exchange.getRequestMethod().equals("GET")) {
            send(exchange, 404, "{\"error\":\"no such example resource: " + parts.length + " " + exchange.getRequestMethod()
                    + "\"}");
            return;
        }
        String backend = parts[1];
        String profile = parts[2].replaceAll("[^A-Za-z0-9_-]", "");
        Behaviour b = behaviour.get(backend);
        boolean fail = ThreadLocalRandom.current().nextDouble() < b.failureRate();
        String body = fail ? "{\"error\":\"example failure\"}" : backend.equals("recommendations")
                ? "{\"profile\":\"" + profile + "\",\"titles\":[{\"id\":\"t7\",\"name\":\"Stranger Tides\"},"
                        + "{\"id\":\"t3\",\"name\":\"The Long Night\"},{\"id\":\"t9\",\"name\":\"Ocean Deep\"}]}"
                : "{\"profile\":\"" + profile + "\",\"titles\":[{\"id\":\"t2\",\"name\":\"City of Glass\",\"positionSeconds\":1325}]}";
        // answered later, from the timer: a slow example backend holds no thread while it waits
        timer.schedule(() -> {
            try {
                send(exchange, fail ? 503 : 200, body);
            } catch (IOException e) {
                exchange.close();
            }
        }, b.latencyMillis(), TimeUnit.MILLISECONDS);
    }

    /** {@code POST /_control?backend=NAME&latency=300ms&failureRate=0.5}; {@code GET /_control} shows them. */
    private void control(HttpExchange exchange) throws IOException {
        if (exchange.getRequestMethod().equals("POST")) {
            Map<String, String> q = query(exchange.getRequestURI());
            String name = q.get("backend");
            Behaviour old = name == null ? null : behaviour.get(name);
            if (old == null) {
                send(exchange, 400, "{\"error\":\"say which: backend=recommendations or backend=bookmarks\"}");
                return;
            }
            try {
                long latency = q.containsKey("latency") ? millis(q.get("latency")) : old.latencyMillis();
                double rate = q.containsKey("failureRate") ? Double.parseDouble(q.get("failureRate")) : old.failureRate();
                if (latency < 0 || latency > 60_000 || rate < 0 || rate > 1) {
                    throw new NumberFormatException();
                }
                behaviour.put(name, new Behaviour(latency, rate));
            } catch (NumberFormatException e) {
                send(exchange, 400, "{\"error\":\"latency is 0ms to 60s (e.g. 300ms), failureRate 0 to 1 (e.g. 0.5)\"}");
                return;
            }
        }
        StringBuilder b = new StringBuilder("{");
        behaviour.forEach((n, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(n).append("\":{\"latencyMillis\":")
                .append(v.latencyMillis()).append(",\"failureRate\":").append(v.failureRate()).append('}'));
        send(exchange, 200, b.append('}').toString());
    }

    private static long millis(String text) {
        String t = text.trim();
        if (t.endsWith("ms")) {
            return Long.parseLong(t.substring(0, t.length() - 2));
        }
        if (t.endsWith("s")) {
            return Long.parseLong(t.substring(0, t.length() - 1)) * 1000;
        }
        return Long.parseLong(t);
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        timer.shutdownNow();
    }
}
