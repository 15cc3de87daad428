package dev.mosaic.backends.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.util.thread.Scheduler;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.mosaic.api.Backend;
import dev.mosaic.api.BackendCall;
import dev.mosaic.api.BackendException;
import dev.mosaic.api.BackendException.Reason;
import dev.mosaic.api.BackendResponse;
import dev.mosaic.backends.Backends;

/**
 * The backends one device request reaches, and the calls it makes: each within the smaller of
 * its backend's timeout and what is left of the request's deadline, never after the request is
 * answered. Identical GETs share one exchange. Nothing here waits: an attempt is sent, and its
 * outcome arrives on a client thread, which completes the adapter's stage or schedules a retry.
 */
final class RequestScope implements Backends.Scope {

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    private static final Set<String> PLATFORM_HEADERS = Set.of("host", "content-length", "transfer-encoding", "connection",
            "upgrade", "te", "trailer", "traceparent", "tracestate", "x-request-id", "expect", "keep-alive", "content-type");

    /** The failure an attempt is aborted with when its request was answered already. */
    private static final class Answered extends Exception {
        private static final long serialVersionUID = 1L;

        Answered() {
            super("the device request was answered", null, false, false);
        }
    }

    private final Map<String, Declared> backends;
    private final Backends.Caller caller;
    private final Scheduler scheduler;
    private final String traceId;
    private final String traceFlags;
    /** The GETs sent for this request, by backend, target and headers; made by the first GET. Guarded by this. */
    private Map<String, CompletableFuture<Answer>> gets;
    /** The attempts waiting for an answer; guarded by this (a request has a few, so a list is cheapest). */
    private final List<Request> inFlight = new ArrayList<>(4);
    private volatile boolean closed;
    /** How the environment's calls are recorded or replayed, or null. */
    private final RecordedCalls recorded;
    /** The calls of a traced request, as they end; null unless traced. */
    private volatile CallTrace trace;
    /** Where its calls' spans are made, or null; and their parent, read from the caller's traceparent at the first. */
    private final CallSpans spans;
    private volatile io.opentelemetry.context.Context spanParent;

    RequestScope(Map<String, Declared> backends, Backends.Caller caller, Scheduler scheduler) {
        this(backends, caller, scheduler, null, null);
    }

    /**
     * @param recording how the environment's calls are recorded or replayed, or null
     * @param recorder where recordings are written
     */
    RequestScope(Map<String, Declared> backends, Backends.Caller caller, Scheduler scheduler, Backends.Recording recording,
            java.util.concurrent.Executor recorder) {
        this(backends, caller, scheduler, recording, recorder, null);
    }

    /** @param spans where the spans of its calls are made, or null when the runtime does not trace */
    RequestScope(Map<String, Declared> backends, Backends.Caller caller, Scheduler scheduler, Backends.Recording recording,
            java.util.concurrent.Executor recorder, CallSpans spans) {
        this.spans = spans;
        this.recorded = recording == null ? null : new RecordedCalls(recording, recorder);
        this.backends = backends;
        this.caller = caller;
        this.scheduler = scheduler;
        java.util.regex.Matcher m = caller.traceparent() == null ? null : TRACEPARENT.matcher(caller.traceparent());
        if (m != null && m.matches() && !m.group(1).equals("0".repeat(32))) {
            traceId = m.group(1);
            traceFlags = m.group(3);
        } else {
            traceId = hex(16);
            traceFlags = "00";
        }
    }

    @Override
    public Backend backend(String name) {
        if (!caller.declared().contains(name)) {
            throw new BackendException(name, Reason.UNDECLARED, 0, "adapter " + caller.adapter() + " " + caller.version()
                    + " does not name backend '" + name + "' in its Mosaic-Backends manifest header (it names "
                    + (caller.declared().isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(caller.declared())))
                    + "); add it there (bnd: Mosaic-Backends: " + name + ") and deploy again", null);
        }
        Declared d = backends.get(name);
        if (d == null) {
            // an operator removed it (with force) after the deploy: its calls fail, so the adapter's fallbacks apply
            return new Undeclared(name, new BackendException(name, Reason.UNDECLARED, 0, "backend '" + name
                    + "' is not declared in environment '" + caller.environment() + "'; an operator declares it: bin/mosaic"
                    + " backend set " + name + " --env " + caller.environment() + " --base-url http://...", null));
        }
        return new Handle(d);
    }

    @Override
    public void close() {
        closed = true;
        Request[] waiting;
        synchronized (this) {
            if (inFlight.isEmpty()) {
                return;
            }
            waiting = inFlight.toArray(new Request[0]);
        }
        for (Request r : waiting) {
            r.abort(new Answered());
        }
    }

    @Override
    public synchronized void trace() {
        if (trace == null) {
            trace = new CallTrace();
        }
    }

    @Override
    public List<dev.mosaic.backends.BackendTrace> calls() {
        CallTrace t = trace;
        return t == null ? List.of() : t.calls();
    }

    /** @return whether calls are kept */
    private boolean traced() {
        return trace != null;
    }

    /** Keeps how a traced call ended. */
    private void traced(String backend, String method, String target, long start, Exchange x, Answer a, Throwable e) {
        trace.ended(backend, method, target, start, x == null ? 0 : x.attempts, a, e);
    }

    private synchronized void sent(Request r) {
        inFlight.add(r);
    }

    private synchronized void done(Request r) {
        inFlight.remove(r);
    }

    /** @return {@code bytes} random bytes (8 or 16) in lower-case hex, never all zeros */
    static String hex(int bytes) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] out = new byte[bytes * 2];
        for (int i = 0; i < bytes; i += 8) {
            long v = random.nextLong();
            if (v == 0) {
                v = 1; // an all-zero trace or span id is invalid
            }
            for (int j = 15; j >= 0; j--) {
                out[i * 2 + j] = HEX[(int) (v & 0xF)];
                v >>>= 4;
            }
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

    /** A backend as this request calls it. */
    private final class Handle implements Backend {
        private final Declared d;

        Handle(Declared d) {
            this.d = d;
        }

        @Override
        public String name() {
            return d.spec.name();
        }

        @Override
        public BackendCall get(String path, Object... params) {
            return new Call(d, "GET", PathTemplate.expand(path, params));
        }

        @Override
        public BackendCall post(String path, Object... params) {
            return new Call(d, "POST", PathTemplate.expand(path, params));
        }

        @Override
        public BackendCall put(String path, Object... params) {
            return new Call(d, "PUT", PathTemplate.expand(path, params));
        }

        @Override
        public BackendCall delete(String path, Object... params) {
            return new Call(d, "DELETE", PathTemplate.expand(path, params));
        }

        @Override
        public BackendCall call(String method, String path, Object... params) {
            if (method == null || !TOKEN.matcher(method).matches()) {
                throw new IllegalArgumentException("'" + method + "' is not an HTTP method");
            }
            return new Call(d, method.toUpperCase(Locale.ROOT), PathTemplate.expand(path, params));
        }
    }

    /** One call being built, then sent once. */
    private final class Call implements BackendCall {
        private final Declared d;
        private final String method;
        private final String path;
        private final StringBuilder query = new StringBuilder();
        private final List<String[]> headers = new ArrayList<>(2);
        private byte[] body;
        private String contentType;
        private Object json;
        private long timeoutNanos = Long.MAX_VALUE;
        private boolean sent;

        Call(Declared d, String method, String path) {
            this.d = d;
            this.method = method;
            this.path = path;
        }

        @Override
        public BackendCall header(String name, String value) {
            if (name == null || !TOKEN.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + name + "' is not a header name");
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (PLATFORM_HEADERS.contains(lower) || d.headers.stream().anyMatch(h -> h[0].equalsIgnoreCase(name))) {
                throw new IllegalArgumentException("header " + name + " is set by the platform for backend " + d.spec.name());
            }
            if (value == null || value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                throw new IllegalArgumentException("header " + name + " has no value or a control character in it");
            }
            headers.add(new String[] {name, value});
            return this;
        }

        @Override
        public BackendCall query(String name, String value) {
            query.append(query.length() == 0 ? '?' : '&')
                    .append(URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20")).append('=')
                    .append(URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8).replace("+", "%20"));
            return this;
        }

        @Override
        public BackendCall json(Object value) {
            this.json = value;
            this.body = null;
            this.contentType = "application/json";
            return this;
        }

        @Override
        public BackendCall body(byte[] bytes, String type) {
            this.body = bytes.clone();
            this.json = null;
            this.contentType = type == null ? "application/octet-stream" : type;
            return this;
        }

        @Override
        public BackendCall timeout(Duration timeout) {
            this.timeoutNanos = Math.max(0, timeout.toNanos());
            return this;
        }

        @Override
        public <T> CompletionStage<T> as(Class<T> type) {
            return start().thenApply(a -> a.success().json(type));
        }

        @Override
        public CompletionStage<byte[]> bytes() {
            return start().thenApply(a -> a.success().body());
        }

        @Override
        public CompletionStage<BackendResponse> send() {
            return start().thenApply(a -> a);
        }

        private String what() {
            return method + " " + path;
        }

        private CompletableFuture<Answer> start() {
            if (sent) {
                throw new IllegalStateException("a backend call is sent once; start another with backend(...).get(...)");
            }
            sent = true;
            if (json != null) {
                try {
                    body = caller.mapper().writeValueAsBytes(json);
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException("the body of " + what() + " to backend " + d.spec.name()
                            + " cannot be written as JSON: " + e.getOriginalMessage());
                }
            }
            String target = path + query;
            if (method.equals("GET") && body == null) {
                StringBuilder key = new StringBuilder(d.spec.name()).append(' ').append(target);
                headers.forEach(h -> key.append('\n').append(h[0].toLowerCase(Locale.ROOT)).append(':').append(h[1]));
                CompletableFuture<Answer> mine = new CompletableFuture<>();
                CompletableFuture<Answer> earlier;
                synchronized (RequestScope.this) {
                    if (gets == null) {
                        gets = new java.util.HashMap<>(8);
                    }
                    earlier = gets.putIfAbsent(key.toString(), mine);
                }
                if (earlier != null) {
                    return earlier; // the same GET in this request: it goes out once
                }
                send(target, mine);
                return mine;
            }
            CompletableFuture<Answer> f = new CompletableFuture<>();
            send(target, f);
            return f;
        }

        private void send(String target, CompletableFuture<Answer> outcome) {
            if (caller.onCall() != null) {
                caller.onCall().run();
            }
            d.calls.increment();
            d.budget.recordCall();
            if (d.unusable != null) {
                d.errors.increment();
                BackendException misconfigured = new BackendException(d.spec.name(), Reason.MISCONFIGURED, 0, d.unusable, null);
                if (traced()) {
                    traced(d.spec.name(), method, target, System.nanoTime(), null, null, misconfigured);
                }
                outcome.completeExceptionally(misconfigured);
                return;
            }
            long now = System.nanoTime();
            if (recorded != null && recorded.replaying()) {
                replay(d, target, outcome, now);
                return;
            }
            long deadline = Math.min(now + TimeUnit.MILLISECONDS.toNanos(d.spec.timeoutMillis()), caller.deadlineNanos());
            if (timeoutNanos != Long.MAX_VALUE) {
                deadline = Math.min(deadline, now + timeoutNanos);
            }
            if (!traced()) {
                new Exchange(d, method, target, path, headers, body, contentType, deadline, outcome).attempt(1);
                return;
            }
            // traced: the call is kept before the adapter hears of its end (the adapter's answer may follow at once)
            CompletableFuture<Answer> ended = new CompletableFuture<>();
            Exchange x = new Exchange(d, method, target, path, headers, body, contentType, deadline, ended);
            ended.whenComplete((a, e) -> {
                traced(d.spec.name(), method, target, now, x, a, e);
                if (e != null) {
                    outcome.completeExceptionally(e);
                } else {
                    outcome.complete(a);
                }
            });
            x.attempt(1);
        }

        /** Answers a call from its recording, never the network (bin/mosaic dev --replay). */
        private void replay(Declared d, String target, CompletableFuture<Answer> outcome, long start) {
            Answer answer;
            try {
                answer = recorded.answer(d.spec.name(), method, target, path, caller.mapper());
            } catch (BackendException e) {
                fail(outcome, d, target, start, e);
                return;
            }
            if (traced()) {
                traced(d.spec.name(), method, target, start, null, answer, null);
            }
            outcome.complete(answer);
        }

        private void fail(CompletableFuture<Answer> outcome, Declared d, String target, long start, BackendException e) {
            d.errors.increment();
            if (traced()) {
                traced(d.spec.name(), method, target, start, null, null, e);
            }
            outcome.completeExceptionally(e);
        }
    }

    /** The attempts of one call, until one answers or the call gives up. */
    private final class Exchange {
        private final Declared d;
        private final String method;
        private final String target;
        /** The target's path, without its query: what messages name. */
        private final String path;
        private final List<String[]> headers;
        private final byte[] body;
        private final String contentType;
        private final long deadline;
        private final CompletableFuture<Answer> outcome;
        private final boolean idempotent;
        private final long allowedNanos;
        /** How many times it was sent so far. */
        volatile int attempts;

        Exchange(Declared d, String method, String target, String path, List<String[]> headers, byte[] body,
                String contentType, long deadline, CompletableFuture<Answer> outcome) {
            this.d = d;
            this.method = method;
            this.target = target;
            this.path = path;
            this.headers = headers;
            this.body = body;
            this.contentType = contentType;
            this.deadline = deadline;
            this.outcome = outcome;
            this.idempotent = switch (method) {
                case "GET", "HEAD", "PUT", "DELETE", "OPTIONS" -> true;
                default -> false;
            };
            this.allowedNanos = Math.max(0, deadline - System.nanoTime());
        }

        /** @return the call, for messages: {@code GET /recs/7} */
        private String what() {
            return method + " " + path;
        }

        private BackendException failure(Reason reason, int status, String message, Throwable cause) {
            return new BackendException(d.spec.name(), reason, status, message, cause);
        }

        void attempt(int n) {
            attempts = n;
            if (closed) {
                fail(failure(Reason.DEADLINE, 0, "backend " + d.spec.name() + " was not called (" + what()
                        + "): the device request was answered already", null));
                return;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                fail(deadlineFailure());
                return;
            }
            boolean permitted = d.breaker.tryAcquirePermission();
            d.noticeBreakerState();
            if (!permitted) {
                d.rejected.increment();
                fail(failure(Reason.BREAKER_OPEN, 0, "backend " + d.spec.name() + " is failing (" + Math.round(Math.max(0,
                        d.breaker.getMetrics().getFailureRate())) + "% of its recent calls failed): its circuit breaker is "
                        + d.breaker.getState().toString().toLowerCase(Locale.ROOT) + " and " + what()
                        + " failed fast; a probe is let through " + d.spec.breakerOpenMillis() + " ms after it opened", null));
                return;
            }
            if (!d.bulkhead.tryAcquirePermission()) {
                d.breaker.releasePermission();
                d.rejected.increment();
                fail(failure(Reason.SATURATED, 0, "backend " + d.spec.name() + " already has " + d.spec.maxConcurrent()
                        + " calls in flight, its limit; " + what() + " was not sent", null));
                return;
            }
            Endpoints.Url url = d.endpoints.pick();
            io.opentelemetry.api.trace.Span span = null;
            if (spans != null) {
                io.opentelemetry.context.Context parent = spanParent;
                if (parent == null) {
                    parent = CallSpans.parent(caller.traceparent());
                    spanParent = parent;
                }
                span = spans.start(parent, caller, d.spec.name(), method, url.base + path, n);
                if (!span.getSpanContext().isValid()) {
                    span = null; // a provider that makes no spans: nothing to end
                }
            }
            String traceparent = span != null ? CallSpans.traceparent(span) : "00-" + traceId + "-" + hex(8) + "-" + traceFlags;
            io.opentelemetry.api.trace.Span attemptSpan = span;
            Request request = d.client.newRequest(url.base + target)
                    .method(method)
                    .timeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)), TimeUnit.MILLISECONDS)
                    .headers(h -> {
                        for (String[] pair : d.headers) {
                            h.put(pair[0], pair[1]);
                        }
                        for (String[] pair : headers) {
                            h.add(pair[0], pair[1]);
                        }
                        h.put("X-Request-Id", caller.requestId());
                        h.put("traceparent", traceparent);
                    });
            if (body != null) {
                request.body(new BytesRequestContent(contentType, body));
            }
            sent(request);
            d.inFlight.incrementAndGet();
            long start = System.nanoTime();
            int max = (int) Math.min(Integer.MAX_VALUE - 8, d.spec.maxResponseBytes());
            request.send(new BufferingResponseListener(max) {
                @Override
                public void onComplete(Result result) {
                    done(request);
                    d.inFlight.decrementAndGet();
                    d.bulkhead.onComplete();
                    long took = System.nanoTime() - start;
                    d.latencies.record(took, attemptSpan);
                    if (attemptSpan != null) {
                        CallSpans.end(attemptSpan, result.getResponse() == null ? 0 : result.getResponse().getStatus(),
                                result.isFailed() ? spanError(result.getFailure()) : null);
                    }
                    if (result.isFailed()) {
                        failed(n, url, result.getFailure(), took);
                    } else {
                        answered(n, url, result.getResponse().getStatus(), result.getResponse().getHeaders(), getContent(), took);
                    }
                }
            });
        }

        private void failed(int n, Endpoints.Url url, Throwable f, long took) {
            if (f instanceof Answered) {
                d.breaker.releasePermission();
                fail(failure(Reason.DEADLINE, 0, "backend " + d.spec.name() + " had not answered " + what()
                        + " when the device request was answered; the call was abandoned", null));
            } else if (f instanceof IllegalArgumentException && String.valueOf(f.getMessage()).startsWith("Buffering capacity")) {
                d.breaker.onSuccess(took, TimeUnit.NANOSECONDS);
                d.noticeBreakerState();
                d.endpoints.answered(url);
                fail(failure(Reason.TOO_LARGE, 0, "backend " + d.spec.name() + " answered " + what() + " with more than "
                        + d.spec.maxResponseBytes() + " bytes, its limit (max-response)", null));
            } else if (f instanceof TimeoutException) {
                d.breaker.onError(took, TimeUnit.NANOSECONDS, f);
                d.noticeBreakerState();
                fail(deadlineFailure());
            } else {
                d.breaker.onError(took, TimeUnit.NANOSECONDS, f);
                d.noticeBreakerState();
                d.endpoints.failed(url);
                BackendException e = failure(Reason.CONNECTION, 0, "the connection to backend " + d.spec.name() + " ("
                        + url.base + ") failed during " + what() + ": " + describe(f), null);
                if (!retried(n)) {
                    fail(e);
                }
            }
        }

        private void answered(int n, Endpoints.Url url, int status, org.eclipse.jetty.http.HttpFields fields, byte[] content,
                long took) {
            d.endpoints.answered(url);
            if (status >= 500) {
                d.breaker.onError(took, TimeUnit.NANOSECONDS, new ServerError(status));
                d.noticeBreakerState();
            } else {
                d.breaker.onSuccess(took, TimeUnit.NANOSECONDS);
                d.noticeBreakerState();
            }
            if ((status == 502 || status == 503 || status == 504) && retried(n)) {
                return;
            }
            if (status >= 500) {
                d.errors.increment();
            }
            Answer answer = new Answer(d.spec.name(), method, path, status, fields.asImmutable(), content, caller.mapper());
            if (recorded != null && recorded.recording()) {
                recorded.record(d.spec.name(), method, target, headers, status, fields, content);
            }
            attributed(() -> outcome.complete(answer));
        }

        /** @return whether another attempt was scheduled: idempotent, attempts left, time left, budget left */
        private boolean retried(int n) {
            if (!idempotent || n > d.spec.retries() || closed) {
                return false;
            }
            long ceiling = TimeUnit.MILLISECONDS.toNanos(25) << Math.min(10, n - 1);
            long backoff = ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
            if (System.nanoTime() + backoff + TimeUnit.MILLISECONDS.toNanos(1) >= deadline) {
                return false;
            }
            if (!d.budget.tryRetry()) {
                d.retriesRefused.increment();
                return false;
            }
            d.retries.increment();
            scheduler.schedule(() -> attempt(n + 1), backoff, TimeUnit.NANOSECONDS);
            return true;
        }

        private BackendException deadlineFailure() {
            return failure(Reason.DEADLINE, 0, "backend " + d.spec.name() + " did not answer " + what() + " within "
                    + TimeUnit.NANOSECONDS.toMillis(allowedNanos) + " ms (the smallest of the backend's timeout, "
                    + d.spec.timeoutMillis() + " ms, the call's own and what was left of the device request's deadline)",
                    null);
        }

        private void fail(BackendException e) {
            d.errors.increment();
            attributed(() -> outcome.completeExceptionally(e));
        }
    }

    /**
     * Completes a call with the MDC saying whose request it is: the adapter's continuations run right there, on this
     * thread, and what they log is theirs.
     */
    private void attributed(Runnable completion) {
        boolean set = dev.mosaic.backends.Backends.attribute(caller.adapter(), caller.version(), caller.environment(),
                caller.requestId());
        try {
            completion.run();
        } finally {
            if (set) {
                dev.mosaic.backends.Backends.unattribute();
            }
        }
    }

    /** @return how an attempt failed, for its span's {@code error.type} */
    private static String spanError(Throwable f) {
        return f instanceof Answered ? "abandoned" : f instanceof TimeoutException ? "timeout" : f.getClass().getName();
    }

    private static String describe(Throwable f) {
        String m = f.getMessage();
        return f.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
    }

    /** A 5xx answer, as the breaker records it. */
    private static final class ServerError extends Exception {
        private static final long serialVersionUID = 1L;

        ServerError(int status) {
            super("answered " + status, null, false, false);
        }
    }
}
