package dev.mosaic.shell.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.backends.BackendTrace;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.Kind;
import dev.mosaic.gateway.Gateway;
import dev.mosaic.gateway.Served;
import dev.mosaic.logs.RuntimeLogs;

/**
 * {@code GET /api/v1/tail?adapter=NAME[&env=E]}: one adapter's requests (method, path, status, time, backend calls) and
 * the lines it logs, streamed as they happen, one per line (JSON lines with {@code Accept: application/json}), until the
 * client goes away. Each tail has a queue of its own: a client that reads too slowly loses lines (it is told how many),
 * and never slows the requests it watches. An empty line every 10 s keeps an idle stream open and notices a client gone.
 */
final class Tails extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(Tails.class);
    private static final int MAX_TAILS = 16;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<Deployer> deployer;
    private final Supplier<Gateway> gateway;
    private final Supplier<RuntimeLogs> logs;
    private final AtomicInteger open = new AtomicInteger();

    Tails(Supplier<Deployer> deployer, Supplier<Gateway> gateway, Supplier<RuntimeLogs> logs) {
        this.deployer = deployer;
        this.gateway = gateway;
        this.logs = logs;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!request.getMethod().equals("GET")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET");
            Answers.error(response, callback, 405, "method_not_allowed", "tail is GET /api/v1/tail?adapter=NAME[&env=E]");
            return true;
        }
        Fields query = Request.extractQueryParameters(request);
        String adapter = query.getValue("adapter");
        String env = query.getValue("env");
        Deployer d = deployer.get();
        Gateway g = gateway.get();
        if (d == null || g == null) {
            Answers.error(response, callback, 503, "restoring", "the runtime is starting; try again shortly");
            return true;
        }
        if (adapter == null || adapter.isBlank()) {
            Answers.error(response, callback, 400, "invalid_argument", "name the adapter to follow: /api/v1/tail?adapter=NAME");
            return true;
        }
        if (env != null && !Gateway.ENVIRONMENT_NAME.matcher(env).matches()) {
            Answers.error(response, callback, 400, "invalid_environment", "'" + env + "' is not an environment name");
            return true;
        }
        List<dev.mosaic.deployer.DeploymentInfo> adapters;
        try {
            adapters = d.list(env, null, Kind.ADAPTER);
        } catch (RuntimeException e) {
            adapters = List.of();
        }
        List<String> where = adapters.stream().filter(i -> i.name().equals(adapter))
                .map(i -> i.environment() + " " + i.version()).toList();
        if (where.isEmpty()) {
            Answers.error(response, callback, 404, "not_found", "no adapter " + adapter + " is deployed" + (env == null ? ""
                    : " in " + env) + dev.mosaic.deployer.Suggestions.didYouMean(adapter,
                            adapters.stream().map(i -> i.name()).toList())
                    + "; bin/mosaic ls --kind adapter lists them");
            return true;
        }
        if (open.incrementAndGet() > MAX_TAILS) {
            open.decrementAndGet();
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "10");
            Answers.error(response, callback, 503, "too_many_tails", MAX_TAILS + " tails are open already, the limit");
            return true;
        }
        boolean json = String.valueOf(request.getHeaders().get(HttpHeader.ACCEPT)).contains("application/json");
        Stream stream = new Stream(adapter, env, json, response, callback, where);
        Thread t = new Thread(stream, "mosaic-tail-" + adapter);
        t.setDaemon(true);
        t.start();
        return true;
    }

    /** One client's tail: subscribed to the gateway and the log, written from its queue by its own thread. */
    private final class Stream implements Runnable {
        private final String adapter;
        private final String env;
        private final boolean json;
        private final Response response;
        private final Callback callback;
        private final List<String> where;
        private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(10_000);
        private final AtomicLong dropped = new AtomicLong();

        Stream(String adapter, String env, boolean json, Response response, Callback callback, List<String> where) {
            this.adapter = adapter;
            this.env = env;
            this.json = json;
            this.response = response;
            this.callback = callback;
            this.where = where;
        }

        private void offer(String line) {
            if (!queue.offer(line)) {
                dropped.incrementAndGet();
            }
        }

        @Override
        public void run() {
            List<AutoCloseable> subscriptions = new ArrayList<>();
            try {
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, json ? "application/x-ndjson" : "text/plain; charset=utf-8");
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
                subscriptions.add(gateway.get().follow(adapter, env, s -> offer(json ? json(s) : text(s))));
                RuntimeLogs log = logs.get();
                if (log != null) {
                    subscriptions.add(log.follow(adapter, env, line -> offer(json ? jsonLog(line) : line.stripTrailing())));
                }
                String hello = "following " + adapter + (env == null ? " in every environment" : " in " + env) + " (deployed: "
                        + String.join(", ", where) + "): its requests" + (log != null ? " and log lines" : " (this runtime"
                                + " has no log to follow)") + "; Ctrl-C stops";
                write(json ? jsonNote(hello) : hello);
                long lastWrite = System.nanoTime();
                while (true) {
                    String line = queue.poll(1, TimeUnit.SECONDS);
                    long lost = dropped.getAndSet(0);
                    if (lost > 0) {
                        String note = lost + " line(s) dropped: the client reads slower than they come";
                        write(json ? jsonNote(note) : "... " + note);
                    }
                    if (line != null) {
                        StringBuilder batch = new StringBuilder(line).append('\n');
                        for (String more; batch.length() < 64 * 1024 && (more = queue.poll()) != null;) {
                            batch.append(more).append('\n');
                        }
                        writeRaw(batch.toString());
                        lastWrite = System.nanoTime();
                    } else if (System.nanoTime() - lastWrite > TimeUnit.SECONDS.toNanos(10)) {
                        writeRaw("\n"); // keeps the stream open, and finds a client gone
                        lastWrite = System.nanoTime();
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the client went away (or the runtime stops): the tail ends
                callback.succeeded();
            } catch (RuntimeException e) {
                LOG.warn("the tail of {} failed: {}", adapter, e.toString());
                callback.failed(e);
            } finally {
                for (AutoCloseable s : subscriptions) {
                    try {
                        s.close();
                    } catch (Exception ignored) {
                        // nothing to undo
                    }
                }
                open.decrementAndGet();
            }
        }

        private void write(String line) throws IOException {
            writeRaw(line + "\n");
        }

        private void writeRaw(String text) throws IOException {
            try (Blocker.Callback done = Blocker.callback()) {
                response.write(false, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), done);
                done.block();
            }
        }
    }

    /** A request, as a person reads it. */
    static String text(Served s) {
        StringBuilder b = new StringBuilder(160);
        TIME.formatTo(Instant.ofEpochMilli(s.time()), b);
        b.append(' ').append(s.method()).append(' ').append(s.path()).append(" -> ").append(s.status())
                .append(String.format(Locale.ROOT, " in %.1f ms", s.millis()))
                .append(" (").append(s.version()).append(", ").append(s.environment()).append(", req=").append(s.requestId()).append(')');
        if (!s.calls().isEmpty()) {
            b.append(" backends:");
            for (BackendTrace c : s.calls()) {
                b.append(' ').append(c.backend()).append(' ').append(c.method()).append(' ').append(c.target()).append(' ')
                        .append(c.status() > 0 ? Integer.toString(c.status()) : c.outcome())
                        .append(String.format(Locale.ROOT, " %.1f ms;", c.millis()));
            }
            b.setLength(b.length() - 1);
        }
        return b.toString();
    }

    private static String json(Served s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "request");
        m.put("served", s);
        return write(m);
    }

    private static String jsonLog(String line) {
        return write(Map.of("type", "log", "line", line.stripTrailing()));
    }

    private static String jsonNote(String note) {
        return write(Map.of("type", "note", "note", note));
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            return "{\"type\":\"note\",\"note\":\"cannot write: " + e.getMessage().replace('"', '\'') + "\"}";
        }
    }
}
