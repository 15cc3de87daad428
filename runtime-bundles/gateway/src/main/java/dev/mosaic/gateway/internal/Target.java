package dev.mosaic.gateway.internal;

import java.util.concurrent.atomic.LongAdder;

import org.osgi.framework.ServiceReference;

import dev.mosaic.api.RouteHandler;

/**
 * A route handler service ready to serve: the handler object, its route, the adapter it
 * belongs to, and its counters. One per handler service the gateway has obtained.
 */
final class Target {
    /** The service this handler was obtained from; null for handlers made in unit tests. */
    final ServiceReference<RouteHandler> reference;
    final RouteHandler handler;
    final Tenant tenant;
    final String method;
    final RouteTemplate template;
    /** Declared non-blocking ({@code @Route(blocking = false)}): runs on the thread that read the request. */
    final boolean inline;
    final LongAdder requests = new LongAdder();
    final LongAdder failures = new LongAdder();
    /** Calls its requests made to backends. */
    final LongAdder backendCalls = new LongAdder();
    /** Requests answered, by status class (1xx..5xx), and their latencies: what /metrics shows. */
    final LongAdder[] statusClasses = { new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder() };
    final dev.mosaic.backends.LatencyHistogram latency = new dev.mosaic.backends.LatencyHistogram(LATENCY_BOUNDS);
    /** The access log's fields that are the same on every line of this target (made by the access log's writer). */
    byte[] accessLogFields;
    /** What every span of this target says alike (made by the first traced request), for the last method seen. */
    volatile ServerSpans.Shape spanShape;

    /**
     * Latency buckets (seconds): one for a request answered from memory, the rest where composed answers fall, up to
     * past the default deadline (2 s); eight, as each is a series per route and adapter version in every scrape (10,000
     * adapters: bench/run scale).
     */
    static final java.util.List<Double> LATENCY_BOUNDS = java.util.List.of(0.005, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5);

    /**
     * Counts a request answered with the status after the nanoseconds.
     *
     * @param span its span, or null when the runtime does not trace: a kept one is its latency bucket's exemplar
     */
    void answered(int status, long nanos, io.opentelemetry.api.trace.Span span) {
        int cls = status / 100 - 1;
        if (cls >= 0 && cls < statusClasses.length) {
            statusClasses[cls].increment();
        }
        latency.record(nanos, span);
    }

    /** Its place in routing tables: one entry, so that tables can find it again to take it out. */
    private final RoutingTable.Entry<Target> entry;

    Target(ServiceReference<RouteHandler> reference, RouteHandler handler, Tenant tenant, String method,
            RouteTemplate template, boolean inline) {
        this.reference = reference;
        this.handler = handler;
        this.tenant = tenant;
        this.method = method;
        this.template = template;
        this.inline = inline;
        this.entry = new RoutingTable.Entry<>(method, template, this);
    }

    RoutingTable.Entry<Target> entry() {
        return entry;
    }

    long bundleId() {
        return tenant.bundleId;
    }

    String describe() {
        return method + " " + template + " of " + tenant;
    }
}
