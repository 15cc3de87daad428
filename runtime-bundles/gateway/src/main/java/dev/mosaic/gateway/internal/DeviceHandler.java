package dev.mosaic.gateway.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.URIUtil;
import org.eclipse.jetty.util.thread.TryExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.backends.Backends;
import dev.mosaic.gateway.Gateway;
import dev.mosaic.gateway.internal.RoutingTable.Found;
import dev.mosaic.gateway.internal.RoutingTable.Lookup;
import dev.mosaic.gateway.internal.RoutingTable.MethodNotAllowed;

/**
 * The Jetty handler devices talk to. It finds the route in the environment's table (one
 * volatile read, no lock) and runs the adapter's handler within the adapter's limits.
 * Whatever an adapter does, the caller gets a JSON answer carrying a request id, by the
 * adapter's deadline at the latest.
 *
 * <p>Where a handler runs depends on the mode the gateway was started in
 * ({@code mosaic.gateway.invocationType}). {@code blocking}, the default: this handler
 * declares itself {@link InvocationType#BLOCKING}, so Jetty calls it on a thread that may
 * block (usually the thread that read the request, after handing the reading to another)
 * and handlers run right there, as long as fewer than {@code inPlaceLimit} calls hold Jetty
 * threads; beyond that they go to the adapter pool, so one hanging adapter cannot take every
 * Jetty thread. {@code nonblocking}: this handler declares itself
 * {@link InvocationType#NON_BLOCKING}, so Jetty calls it on its selector; a handler declared
 * {@code @Route(blocking = false)} runs right there, every other one is handed to the adapter
 * pool. {@code adaptive}: declared {@link InvocationType#NON_BLOCKING} too, but served by an
 * {@link DeviceConnector}, whose connections read their next request inline after one that
 * went to a non-blocking handler and where blocking is allowed after one that went to a
 * blocking handler; a blocking handler runs in place where {@link DeviceConnector#mayBlockHere()}
 * (within {@code inPlaceLimit}), else on the adapter pool. bench/RESULTS.md compares the three.
 * In all, a handler declared non-blocking that blocks anyway (over {@code inlineBudgetMicros},
 * three calls in a row that were not slow at the same time) is demoted to the others' way.
 * (Jetty's third type, EITHER, is not offered: Jetty 12.1 combines it with the server's own
 * NON_BLOCKING and then calls the handler on the selector without marking the call
 * non-blocking, so the handler cannot tell when blocking is safe.)
 *
 * <p>The limits, per adapter bundle ({@link Tenant}): at most {@code concurrency} calls run
 * at once (more get a fast 503: the adapter's bulkhead, which keeps a hanging adapter from
 * taking the threads of the others); a call that has not answered after {@code timeoutMillis}
 * gets a 504 and its thread is interrupted. A timed-out call still holds its place in the
 * bulkhead until its handler actually returns.
 *
 * <p>What a request came to (the adapter's value or failure, or a refusal of the gateway's own) is written to the device
 * by {@link DeviceAnswers}.
 */
final class DeviceHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceHandler.class);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Supplier<Map<String, RoutingTable<Target>>> tables;
    /** Writes what each request came to: the adapter's value or failure, or the gateway's refusal. */
    private final DeviceAnswers answers;
    private final long maxBodyBytes;
    private final Executor adapterPool;
    private final Deadlines deadlines;
    /** Where adapters' backend calls go out; null in a gateway without them (some unit tests). */
    private final Backends backends;
    private final long minBodyBytesPerSecond;
    private final long maxBodyMillis;
    private final long inlineBudgetNanos;
    private final long inlineWarmupCalls;
    /** {@code mosaic.trace.key}, or null. */
    private final Privileges privileges;
    private final Followers followers;
    private final ServerSpans spans;
    /** Whether Jetty calls {@link #handle} on a thread that may block (the BLOCKING mode). */
    private final boolean calledWhereBlockingIsAllowed;
    /** How many blocking calls may run on Jetty's threads at once; the rest go to the adapter pool. */
    private final int inPlaceLimit;
    private final AtomicInteger inPlace = new AtomicInteger();
    /** Set when the runtime stops: new requests get a 503 and their connection is closed. */
    private volatile boolean refusing;

    /**
     * @param tables the routing table of each environment, read once per request
     * @param mapper for the platform's own answers (errors); adapters' values go through their {@link Tenant}'s
     * @param adapterPool where blocking handlers run when they cannot run in place
     * @param settings the body limits, the mode (and so the invocation type), the in-place and inline budgets
     */
    DeviceHandler(Supplier<Map<String, RoutingTable<Target>>> tables, ObjectMapper mapper, Executor adapterPool,
            Deadlines deadlines, GatewaySettings settings) {
        this(tables, mapper, adapterPool, deadlines, settings, null);
    }

    DeviceHandler(Supplier<Map<String, RoutingTable<Target>>> tables, ObjectMapper mapper, Executor adapterPool,
            Deadlines deadlines, GatewaySettings settings, Backends backends) {
        this(tables, mapper, adapterPool, deadlines, settings, backends, new Followers());
    }

    /** @param followers who follows which adapter's requests */
    DeviceHandler(Supplier<Map<String, RoutingTable<Target>>> tables, ObjectMapper mapper, Executor adapterPool,
            Deadlines deadlines, GatewaySettings settings, Backends backends, Followers followers) {
        this(tables, mapper, adapterPool, deadlines, settings, backends, followers, new ServerSpans());
    }

    /** @param spans where the spans of device requests are made, while the runtime traces */
    DeviceHandler(Supplier<Map<String, RoutingTable<Target>>> tables, ObjectMapper mapper, Executor adapterPool,
            Deadlines deadlines, GatewaySettings settings, Backends backends, Followers followers, ServerSpans spans) {
        super(settings.mode().invocationType());
        this.spans = spans;
        this.followers = followers;
        this.backends = backends;
        this.calledWhereBlockingIsAllowed = settings.mode() == GatewaySettings.Mode.BLOCKING;
        this.inPlaceLimit = settings.inPlaceCalls();
        this.tables = tables;
        this.answers = new DeviceAnswers(mapper);
        this.maxBodyBytes = settings.maxBodyBytes();
        this.adapterPool = adapterPool;
        this.deadlines = deadlines;
        this.minBodyBytesPerSecond = settings.minRequestDataRate();
        this.maxBodyMillis = settings.maxBodyMillis();
        this.inlineBudgetNanos = TimeUnit.MICROSECONDS.toNanos(settings.inlineBudgetMicros());
        this.inlineWarmupCalls = settings.inlineWarmupCalls();
        this.privileges = new Privileges(settings.traceKey());
    }

    /** The adapters whose requests are shared among versions, by environment (see {@link Split}); most have none. */
    private Supplier<Map<String, Map<String, Split>>> splits = Map::of;

    DeviceHandler splitBy(Supplier<Map<String, Map<String, Split>>> splits) {
        this.splits = splits;
        return this;
    }

    /** @return what serves the request: the route found, or another version's where the adapter's requests are shared */
    private Found<Target> shared(Found<Target> found, String env, Request request, String method, String path) {
        Map<String, Split> shared = splits.get().get(env);
        if (shared == null) {
            return found;
        }
        Split split = shared.get(found.entry().target().tenant.adapter);
        return split == null ? found : split.route(found, request, method, path, privileges.versionAsked(request, env));
    }

    /**
     * How long a body may take to arrive: what its length needs at the minimum data rate,
     * at least 5 s, at most {@code maxBodyMillis}. A client trickling its body slower than
     * that (a slow-loris) is cut off with a 408 before any adapter sees the request.
     */
    private long bodyMillis(long length) {
        long needed = length < 0 ? maxBodyMillis : length * 1000 / Math.max(1, minBodyBytesPerSecond);
        long millis = Math.min(maxBodyMillis, Math.max(5_000, needed));
        return (millis + 999) / 1000 * 1000; // whole seconds: few distinct durations to watch
    }

    /** From now on every new request gets a 503 {@code shutting_down}, and its connection is closed. */
    void refuseNewCalls() {
        refusing = true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        DeviceConnector.handling(request, true);
        DeviceThreads.sweepIfDue();
        String requestId = requestId(request);
        response.getHeaders().put(Gateway.REQUEST_ID_HEADER, requestId);
        if (refusing) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            answers.error(response, callback, 503, "shutting_down", "this runtime is shutting down; send the request again",
                    requestId, Map.of());
            return true;
        }
        String method = request.getMethod();
        // Canonical (dot segments resolved) and then decoded. Jetty has already refused
        // ambiguous encodings such as %2F with a 400, so decoding cannot create new segments.
        String path = URIUtil.decodePath(Request.getPathInContext(request));

        String env = request.getHeaders().get(Gateway.ENVIRONMENT_HEADER);
        if (env == null || env.isEmpty()) {
            env = Gateway.DEFAULT_ENVIRONMENT;
        } else if (!Gateway.ENVIRONMENT_NAME.matcher(env).matches()) {
            dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
            answers.error(response, callback, 400, "invalid_environment", "header " + Gateway.ENVIRONMENT_HEADER
                    + " must name an environment (lower case letters, digits and '-', at most 32), got '"
                    + printable(env) + "'", requestId, Map.of());
            return true;
        }
        RoutingTable<Target> table = tables.get().get(env);
        if (table == null) {
            dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
            answers.error(response, callback, 404, "no_route", "nothing is deployed in environment '" + env
                    + "'; no route for " + method + " " + path, requestId, Map.of("path", path, "environment", env));
            return true;
        }
        Lookup<Target> lookup = table.lookup(method, path);
        if (lookup instanceof Found<Target> found) {
            serve(shared(found, env, request, method, path), path, env, requestId, request, response, callback);
        } else if (lookup instanceof MethodNotAllowed<Target> m) {
            dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
            response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", m.allowed()));
            answers.error(response, callback, 405, "method_not_allowed", "method " + method + " is not allowed on " + path
                    + " in environment '" + env + "'; allowed: " + String.join(", ", m.allowed()), requestId,
                    Map.of("path", path, "environment", env, "allowed", List.copyOf(m.allowed())));
        } else {
            dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
            answers.error(response, callback, 404, "no_route", "no route for " + method + " " + path + " in environment '"
                    + env + "'", requestId, Map.of("path", path, "environment", env));
        }
        return true;
    }

    private void serve(Found<Target> found, String path, String env, String requestId, Request request,
            Response response, Callback callback) {
        Target target = found.entry().target();
        Tenant tenant = target.tenant;
        if (!calledWhereBlockingIsAllowed && !(target.inline && !tenant.demoted)) {
            DeviceConnector.handling(request, false); // its next request is likely for this blocking handler too
        }
        if (!tenant.tryEnter()) {
            tenant.rejected.increment();
            dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            answers.error(response, callback, 503, "adapter_saturated", tenant + " is already answering " + tenant.concurrency
                    + " requests, its limit; try again shortly", requestId, Map.of("adapter", tenant.adapter,
                            "adapterVersion", tenant.version));
            return;
        }
        long length = request.getLength();
        boolean chunked = length < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        if (length == 0 || (length < 0 && !chunked)) {
            boolean followed = followers.wants(tenant.adapter, env);
            RequestView view = new RequestView(request, path, found.params(), null, requestId, env, tenant.mapper,
                    followed, privileges.traced(request, env));
            start(target, view, response, followed ? followers.telling(callback, tenant, view, response) : callback,
                    calledWhereBlockingIsAllowed || DeviceConnector.mayBlockHere());
            return;
        }
        if (length > maxBodyBytes) {
            tenant.leave();
            dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
            answers.error(response, callback, 413, "body_too_large", "request body of " + length + " bytes is over the limit of "
                    + maxBodyBytes, requestId, Map.of("path", path));
            return;
        }
        long allowed = bodyMillis(length);
        AtomicBoolean settled = new AtomicBoolean();
        deadlines.watch(new Deadlines.Watched() {
            @Override
            public boolean settled() {
                return settled.get();
            }

            @Override
            public void expire() {
                if (settled.compareAndSet(false, true)) {
                    tenant.leave();
                    response.getHeaders().put(HttpHeader.CONNECTION, "close");
                    answers.error(response, callback, 408, "request_timeout", "the request body did not arrive within " + allowed
                            + " ms", requestId, Map.of("path", path));
                }
            }
        }, allowed);
        Content.Source.asByteArrayAsync(request, (int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes))
                .whenComplete((body, failure) -> {
                    if (!settled.compareAndSet(false, true)) {
                        return; // cut off already
                    }
                    if (failure == null) {
                        // on whichever thread completed the read: never assumed free to block
                        boolean followed = followers.wants(tenant.adapter, env);
                        RequestView view = new RequestView(request, path, found.params(), body, requestId, env, tenant.mapper,
                                followed, privileges.traced(request, env));
                        start(target, view, response, followed ? followers.telling(callback, tenant, view, response) : callback,
                                false);
                        return;
                    }
                    tenant.leave();
                    dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                    if (cause instanceof IllegalArgumentException || cause instanceof IllegalStateException) {
                        answers.error(response, callback, 413, "body_too_large", "request body is over the limit of " + maxBodyBytes
                                + " bytes", requestId, Map.of("path", path));
                    } else {
                        answers.error(response, callback, 400, "bad_request", "the request body could not be read: " + cause,
                                requestId, Map.of("path", path));
                    }
                });
    }

    /**
     * Starts a call that holds a place in its bulkhead: right here for a handler declared
     * non-blocking (no thread hand-off); for a blocking one, right here too when this thread
     * may block and fewer than {@code inPlaceLimit} calls already hold Jetty threads, else on
     * the adapter pool.
     */
    private void start(Target target, RequestView view, Response response, Callback given, boolean mayBlockHere) {
        long begun = System.nanoTime();
        io.opentelemetry.api.trace.Span span = spans.start(target, view, view.jettyRequest());
        if (span != null) {
            view.span(span);
        }
        // the status and latency of the answer, once written (what /metrics shows per route), and the span's end
        Callback callback = new Callback.Nested(given) {
            @Override
            public void succeeded() {
                answered();
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                answered();
                super.failed(x);
            }

            private void answered() {
                long now = System.nanoTime();
                long took = now - begun;
                target.answered(response.getStatus(), took, span);
                AccessLog.served(target, view, response, took, now);
                if (span != null) {
                    ServerSpans.end(span, response.getStatus());
                }
            }
        };
        Call call = new Call(target, view, response, callback);
        target.requests.increment();
        if (target.inline && !target.tenant.demoted) {
            call.runInline();
            return;
        }
        if (mayBlockHere) {
            // Jetty's threads are shared by every adapter: only so many may be held by calls
            if (inPlace.incrementAndGet() <= inPlaceLimit) {
                try {
                    call.run();
                } finally {
                    inPlace.decrementAndGet();
                }
                return;
            }
            inPlace.decrementAndGet();
        }
        try {
            if (!(adapterPool instanceof TryExecutor reserved) || !reserved.tryExecute(call)) {
                adapterPool.execute(call);
            }
        } catch (RejectedExecutionException e) {
            if (call.answered.compareAndSet(false, true)) {
                answers.error(response, callback, 503, "platform_saturated", "the platform is running as many adapter calls as"
                        + " it can; try again shortly", view.requestId(), Map.of());
            }
            call.handlerDone();
        }
    }

    /**
     * One adapter call. Answered exactly once: by the adapter, or by the deadline, whichever
     * comes first. Its place in the bulkhead is given back once, when the handler is done.
     */
    private final class Call implements Runnable, Deadlines.Watched {
        final Target target;
        final RequestView view;
        final Response response;
        final Callback callback;
        final AtomicBoolean answered = new AtomicBoolean();
        private final AtomicBoolean released = new AtomicBoolean();
        /** The thread running the handler, while it runs; guarded by this. */
        private Thread running;

        Call(Target target, RequestView view, Response response, Callback callback) {
            this.target = target;
            this.view = view;
            this.response = response;
            this.callback = callback;
            view.calling(backends, target, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(target.tenant.timeoutMillis));
        }

        /** A blocking call, on whichever thread may block: watched through the thread's slot while it runs. */
        @Override
        public void run() {
            synchronized (this) {
                running = Thread.currentThread();
            }
            Deadlines.Slot slot = deadlines.enter(this, target.tenant.timeoutMillis);
            Object result = null;
            Throwable failure = null;
            boolean attributed = attribute();
            try {
                try {
                    result = target.handler.handle(view);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    deadlines.exit(slot);
                    synchronized (this) {
                        running = null;
                    }
                    Thread.interrupted(); // an interrupt meant for this call must not reach the next one
                }
                finish(result, failure);
            } finally {
                unattribute(attributed);
            }
        }

        /**
         * The fast path: the handler runs on this (I/O) thread. A value is written at once; a
         * stage that is not done yet gets the adapter's deadline. A handler that takes longer
         * than the inline budget is blocking after all: after three such calls in a row (past
         * the route's first {@code mosaic.gateway.inlineWarmupCalls}) its adapter is moved to the pool.
         */
        void runInline() {
            boolean attributed = attribute();
            try {
                long start = System.nanoTime();
                Object result = null;
                Throwable failure = null;
                try {
                    result = target.handler.handle(view);
                } catch (Throwable t) {
                    failure = t;
                }
                long took = System.nanoTime() - start;
                if (took > inlineBudgetNanos) {
                    tookTooLong(start, took);
                } else if (target.tenant.slowInlineCalls.get() != 0) {
                    target.tenant.slowInlineCalls.set(0); // only slow calls in a row count: a GC pause now and then is not blocking
                }
                finish(result, failure);
            } finally {
                unattribute(attributed);
            }
        }

        /** The MDC says whose request this thread serves (what the adapter logs, and what the platform logs of it). */
        private boolean attribute() {
            return Backends.attribute(target.tenant.adapter, target.tenant.version, view.environment(), view.requestId());
        }

        private void unattribute(boolean attributed) {
            if (attributed) {
                Backends.unattribute();
            }
        }

        /** Writes a value or a failure now; a stage that is not done yet gets the adapter's deadline. */
        private void finish(Object result, Throwable failure) {
            if (failure == null && result instanceof CompletionStage<?> stage) {
                if (!(stage instanceof java.util.concurrent.Future<?> done && done.isDone())) {
                    deadlines.watch(this, target.tenant.timeoutMillis);
                }
                stage.whenComplete(this::complete);
                return;
            }
            complete(result, failure);
        }

        private void tookTooLong(long start, long nanos) {
            Tenant tenant = target.tenant;
            if (nanos < 100 * inlineBudgetNanos && target.requests.sum() <= inlineWarmupCalls) {
                return; // a route's first calls load and compile classes (the first backend calls too): not blocking
            }
            // Calls that were slow at the same time count once: a GC pause, or a machine with more
            // runnable threads than cores, slows every call in flight, and a handler that blocks
            // is slow one call after another.
            long last = tenant.lastSlowInlineEnd.get();
            if (last != Long.MIN_VALUE && start - last < 0 || !tenant.lastSlowInlineEnd.compareAndSet(last, start + nanos)) {
                return;
            }
            if (tenant.slowInlineCalls.incrementAndGet() >= 3 && !tenant.demoted) {
                tenant.demoted = true;
                LOG.warn("adapter {} declares {} {} non-blocking, but its calls block (the last took {} ms, over the budget"
                        + " of {} ms); its handlers run on the adapter thread pool from now on", tenant, target.method,
                        target.template, TimeUnit.NANOSECONDS.toMillis(nanos), TimeUnit.NANOSECONDS.toMillis(inlineBudgetNanos));
            }
        }

        void complete(Object value, Throwable failure) {
            boolean attributed = attribute();
            try {
                if (answered.compareAndSet(false, true)) {
                    view.answered();
                    view.timingHeaders(response.getHeaders());
                    if (failure != null) {
                        answers.fail(target, failure, view, response, callback);
                    } else {
                        answers.write(target, value, view, response, callback);
                    }
                } else {
                    LOG.debug("{} answered request {} after its deadline; the answer is dropped", target.tenant, view.requestId());
                }
            } finally {
                unattribute(attributed);
                handlerDone();
            }
        }

        @Override
        public boolean settled() {
            return answered.get();
        }

        @Override
        public void expire() {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            boolean attributed = attribute();
            try {
                expired();
            } finally {
                unattribute(attributed);
            }
        }

        private void expired() {
            view.answered();
            view.timingHeaders(response.getHeaders());
            Tenant tenant = target.tenant;
            tenant.timeouts.increment();
            target.failures.increment();
            LOG.warn("adapter {} {} did not answer {} {} in environment {} within {} ms (request {}); answered 504",
                    tenant.adapter, tenant.version, view.method(), view.path(), view.environment(), tenant.timeoutMillis,
                    view.requestId());
            answers.error(response, callback, 504, "deadline_exceeded", tenant + " did not answer " + view.method() + " "
                    + view.path() + " within " + tenant.timeoutMillis + " ms", view.requestId(),
                    Map.of("adapter", tenant.adapter, "adapterVersion", tenant.version));
            synchronized (this) {
                if (running != null) {
                    running.interrupt();
                }
            }
        }

        void handlerDone() {
            if (released.compareAndSet(false, true)) {
                target.tenant.leave();
            }
        }
    }

    /** Keeps a well-formed incoming request id, so callers can trace through; makes one otherwise. */
    static String requestId(Request request) {
        String incoming = request.getHeaders().get(Gateway.REQUEST_ID_HEADER);
        if (incoming != null && incoming.length() <= 64 && !incoming.isEmpty() && incoming.chars().allMatch(
                c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) {
            return incoming;
        }
        long bits = ThreadLocalRandom.current().nextLong();
        char[] id = new char[16];
        for (int i = 15; i >= 0; i--) {
            id[i] = HEX[(int) (bits & 0xF)];
            bits >>>= 4;
        }
        return new String(id);
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
