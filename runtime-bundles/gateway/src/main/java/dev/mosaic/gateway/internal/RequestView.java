package dev.mosaic.gateway.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.api.Backend;
import dev.mosaic.api.BackendException;
import dev.mosaic.api.HttpException;
import dev.mosaic.backends.Backends;

/** The adapter's view of a Jetty request. Headers and query are read lazily. */
final class RequestView implements dev.mosaic.api.Request {

    private static final byte[] NO_BODY = new byte[0];

    private final Request request;
    private final String path;
    private final Map<String, String> pathParams;
    private final byte[] body;
    private final String requestId;
    private final String environment;
    private final ObjectMapper mapper;
    private Map<String, List<String>> query;
    private Map<String, List<String>> headers;
    /** Where backend calls go out, or null in a gateway without one (unit tests). */
    private Backends backends;
    private Tenant tenant;
    private Target target;
    private long deadlineNanos;
    /** Opened by the first backend call; closed when the request is answered. */
    private Backends.Scope scope;
    private boolean answered;

    /**
     * Whether its backend calls are kept (it asked with {@code X-Mosaic-Trace}, or someone follows its adapter), since
     * when, and whether it asked for them in its answer ({@code Server-Timing}).
     */
    private final boolean traced;
    private final boolean timing;
    private final long tracedSince;

    RequestView(Request request, String path, Map<String, String> pathParams, byte[] body, String requestId,
            String environment, ObjectMapper mapper) {
        this(request, path, pathParams, body, requestId, environment, mapper, false, false);
    }

    RequestView(Request request, String path, Map<String, String> pathParams, byte[] body, String requestId,
            String environment, ObjectMapper mapper, boolean traced, boolean timing) {
        this.traced = traced || timing;
        this.timing = timing;
        this.tracedSince = this.traced ? System.nanoTime() : 0;
        this.request = request;
        this.path = path;
        this.pathParams = pathParams;
        this.body = body == null ? NO_BODY : body;
        this.requestId = requestId;
        this.environment = environment;
        this.mapper = mapper;
    }

    /** The call starts: backend calls made while serving it end by {@code deadlineNanos}. */
    void calling(Backends backends, Target target, long deadlineNanos) {
        this.backends = backends;
        this.target = target;
        this.tenant = target.tenant;
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public synchronized Backend backend(String name) {
        if (answered) {
            throw new BackendException(name, BackendException.Reason.DEADLINE, 0, "request " + requestId
                    + " was answered already; backend " + name + " cannot be called for it any more", null);
        }
        if (scope == null) {
            if (backends == null) {
                throw new BackendException(name, BackendException.Reason.UNDECLARED, 0, "this gateway has no backends", null);
            }
            Target t = target;
            java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
            callsMade = made;
            scope = backends.open(new Backends.Caller(environment, tenant.adapter, tenant.version, tenant.backends,
                    deadlineNanos, requestId, traceparent(), tenant.mapper,
                    () -> {
                        t.backendCalls.increment();
                        made.incrementAndGet();
                    }));
            if (traced || AccessLog.keepsCalls()) {
                scope.trace(); // for Server-Timing, a follower, or the request's line in the access log
            }
        }
        return scope.backend(name);
    }

    /** Its span, while the runtime traces: its backend calls are the span's children. */
    private io.opentelemetry.api.trace.Span span;

    void span(io.opentelemetry.api.trace.Span span) {
        this.span = span;
    }

    /** @return the Jetty request it is a view of */
    Request jettyRequest() {
        return request;
    }

    /**
     * @return the trace context its backend calls continue: its span's while the runtime traces, else what the device
     *         sent ({@code null} if nothing: the backends start a trace)
     */
    String traceparent() {
        return span != null ? ServerSpans.traceparent(span) : request.getHeaders().get("traceparent");
    }

    /** @return its trace id: its span's, else the one of a {@code traceparent} the device sent, else null */
    String traceId() {
        if (span != null) {
            return ServerSpans.traceId(span);
        }
        String tp = request.getHeaders().get("traceparent");
        return tp != null && tp.length() >= 35 && tp.startsWith("00-") ? tp.substring(3, 35) : null;
    }

    /** @return whether its trace is kept (recorded, and exported where the runtime exports) */
    boolean traceKept() {
        return span != null && span.getSpanContext().isSampled();
    }

    /** @return whether it asked for its backend calls in {@code Server-Timing} */
    boolean timing() {
        return timing;
    }

    /** Backend calls made for it; made by the first. */
    private volatile java.util.concurrent.atomic.AtomicInteger callsMade;

    /** @return how many backend calls it made */
    int backendCallCount() {
        java.util.concurrent.atomic.AtomicInteger made = callsMade;
        return made == null ? 0 : made.get();
    }

    /** @return the path and query as the device sent them */
    String pathAndQuery() {
        String q = request.getHttpURI().getQuery();
        return q == null ? path : path + "?" + q;
    }

    /** @return the backend calls a traced request made (ended), in the order they ended */
    java.util.List<dev.mosaic.backends.BackendTrace> calls() {
        Backends.Scope s;
        synchronized (this) {
            s = scope;
        }
        return s == null ? java.util.List.of() : s.calls();
    }

    /**
     * Adds what a request that asked to be traced is answered with: {@code Server-Timing} (the adapter's time, then
     * each backend call), and while the runtime traces, {@code traceresponse} (W3C Trace Context level 2: its trace
     * id and its span's id), to find its trace in the collector; nothing for any other request.
     */
    void timingHeaders(org.eclipse.jetty.http.HttpFields.Mutable headers) {
        if (!timing) {
            return;
        }
        headers.put("Server-Timing", serverTiming());
        if (span != null) {
            headers.put("traceresponse", ServerSpans.traceparent(span));
        }
    }

    /**
     * @return the {@code Server-Timing} of a traced request: the adapter's time, then each backend call it made
     *         ({@code recommendations;desc="GET /recs/kids 200";dur=12.3}), in the order they ended
     */
    String serverTiming() {
        StringBuilder b = new StringBuilder("adapter;desc=\"").append(quoted(tenant.adapter + " " + tenant.version))
                .append("\";dur=").append(millis((System.nanoTime() - tracedSince) / 1e6));
        {
            for (dev.mosaic.backends.BackendTrace c : calls()) {
                String what = c.method() + " " + c.target() + " " + (c.status() > 0 ? Integer.toString(c.status()) : "-")
                        + (c.outcome().equals("ok") || c.outcome().equals("error") ? "" : " " + c.outcome())
                        + (c.attempts() > 1 ? " (" + c.attempts() + " attempts)" : "");
                b.append(", ").append(c.backend()).append(";desc=\"").append(quoted(what)).append("\";dur=")
                        .append(millis(c.millis()));
            }
        }
        return b.toString();
    }

    private static String millis(double ms) {
        return String.format(java.util.Locale.ROOT, "%.1f", ms);
    }

    /** @return the text as the inside of an HTTP quoted-string, without control characters */
    private static String quoted(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\');
            }
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }

    /** The request is answered: backend calls still in flight for it are abandoned. */
    void answered() {
        Backends.Scope s;
        synchronized (this) {
            answered = true;
            s = scope;
        }
        if (s != null) {
            s.close();
        }
    }

    @Override
    public String method() {
        return request.getMethod();
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String pathParam(String name) {
        return pathParams.get(name);
    }

    @Override
    public Map<String, String> pathParams() {
        return pathParams;
    }

    @Override
    public String query(String name) {
        List<String> values = queryParams().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public Map<String, List<String>> queryParams() {
        if (query == null) {
            Fields fields;
            try {
                fields = Request.extractQueryParameters(request);
            } catch (RuntimeException e) {
                throw new HttpException(400, "malformed query string: " + e.getMessage());
            }
            Map<String, List<String>> map = new LinkedHashMap<>();
            for (Fields.Field f : fields) {
                map.put(f.getName(), List.copyOf(f.getValues()));
            }
            query = Collections.unmodifiableMap(map);
        }
        return query;
    }

    @Override
    public String header(String name) {
        return request.getHeaders().get(name);
    }

    @Override
    public Map<String, List<String>> headers() {
        if (headers == null) {
            Map<String, List<String>> map = new LinkedHashMap<>();
            for (HttpField f : request.getHeaders()) {
                map.computeIfAbsent(f.getName(), k -> new ArrayList<>()).add(f.getValue());
            }
            map.replaceAll((k, v) -> List.copyOf(v));
            headers = Collections.unmodifiableMap(map);
        }
        return headers;
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public <T> T bodyAs(Class<T> type) {
        return dev.mosaic.backends.JsonFit.requestBody(mapper, body, type);
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public String environment() {
        return environment;
    }
}
