package dev.mosaic.gateway.internal;

import org.eclipse.jetty.server.Request;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * The span of each device request an adapter serves, while the runtime traces (the tracing bundle offers a
 * {@code TracerProvider}): a server span named for the route ({@code GET /tv/home/{profile}}), the child of the span the
 * request's {@code traceparent} names (else the root of a new trace), with the adapter, its version, the environment,
 * the request id and, at the end, the status. Its backend calls are its children: the backends are given its context
 * as their {@code traceparent}. Not tracing: nothing is made, and {@link #start} costs one volatile read.
 */
final class ServerSpans {

    static final AttributeKey<String> ADAPTER = AttributeKey.stringKey("mosaic.adapter");
    static final AttributeKey<String> VERSION = AttributeKey.stringKey("mosaic.adapter.version");
    static final AttributeKey<String> ENVIRONMENT = AttributeKey.stringKey("mosaic.environment");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("mosaic.request_id");
    private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    /**
     * On the span of a request that asked to be traced ({@code X-Mosaic-Trace}, the trace key), from its start: the
     * runtime's sampler keeps such a trace whatever its share and cap (unless its caller did not sample it).
     */
    static final AttributeKey<Boolean> ASKED = AttributeKey.booleanKey("mosaic.trace.asked");

    /** Reads a W3C {@code traceparent} (and {@code tracestate}) from a device request's headers. */
    private static final TextMapGetter<Request> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Request carrier) {
            return carrier.getHeaders().getFieldNamesCollection();
        }

        @Override
        public String get(Request carrier, String key) {
            return carrier == null ? null : carrier.getHeaders().get(key);
        }
    };

    /** The name and attributes of a route's spans for one method. */
    record Shape(String method, String name, Attributes attributes) {
    }

    private volatile Tracer tracer;
    /** Traces of requests, by whether they started here or a caller's traceparent named them, and whether kept. */
    private final java.util.concurrent.atomic.LongAdder startedKept = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder startedNotKept = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder continuedKept = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder continuedNotKept = new java.util.concurrent.atomic.LongAdder();

    /** @param tracer where spans are made from now on, or null to make none */
    void tracer(Tracer tracer) {
        this.tracer = tracer;
    }

    /** @return the started span of a request the target serves, or null when the runtime does not trace */
    Span start(Target target, RequestView view, Request request) {
        Tracer t = tracer;
        if (t == null) {
            return null;
        }
        String method = view.method();
        Shape shape = target.spanShape;
        if (shape == null || !method.equals(shape.method)) {
            // what the spans of this route say alike, made again only for another method than the last one
            shape = new Shape(method, method + " " + target.template, Attributes.of(ADAPTER, target.tenant.adapter, VERSION,
                    target.tenant.version, ROUTE, target.template.toString(), METHOD, method));
            target.spanShape = shape;
        }
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), request, HEADERS);
        SpanBuilder builder = t.spanBuilder(shape.name).setParent(parent).setSpanKind(SpanKind.SERVER);
        if (view.timing()) {
            builder.setAttribute(ASKED, true);
        }
        Span span = builder.startSpan();
        if (!span.getSpanContext().isValid()) {
            // a provider that makes no spans (an SDK with nowhere to send them) gives ones without ids: the request goes
            // on as if not traced, with the trace context the device sent
            return null;
        }
        boolean kept = span.getSpanContext().isSampled();
        if (Span.fromContext(parent).getSpanContext().isValid()) {
            (kept ? continuedKept : continuedNotKept).increment();
        } else {
            (kept ? startedKept : startedNotKept).increment();
        }
        if (span.isRecording()) {
            // only a span that is kept gets its attributes (the runtime's samplers decide on the trace id alone): a
            // trace that is not sampled costs its ids and no attribute map
            span.setAllAttributes(shape.attributes);
            span.setAttribute(PATH, view.path());
            span.setAttribute(ENVIRONMENT, view.environment());
            span.setAttribute(REQUEST_ID, view.requestId());
        }
        return span;
    }

    /** @return how many traces were kept and not, and whether the runtime traces now */
    dev.mosaic.gateway.TraceCounts counts() {
        return new dev.mosaic.gateway.TraceCounts(tracer != null, startedKept.sum(), startedNotKept.sum(), continuedKept.sum(),
                continuedNotKept.sum());
    }

    /** Ends a request's span with the status it was answered with (5xx: an error). */
    static void end(Span span, int status) {
        if (!span.isRecording()) {
            span.end();
            return;
        }
        span.setAttribute(STATUS, status);
        if (status >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    /** @return the span's context as a W3C {@code traceparent} header value */
    static String traceparent(Span span) {
        SpanContext c = span.getSpanContext();
        return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
    }

    /** @return the span's trace id */
    static String traceId(Span span) {
        return span.getSpanContext().getTraceId();
    }
}
