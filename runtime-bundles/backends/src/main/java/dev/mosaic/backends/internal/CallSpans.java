package dev.mosaic.backends.internal;

import java.util.List;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

import dev.mosaic.backends.Backends;

/**
 * The spans of backend calls, while the runtime traces: a client span per attempt (a retry is a span of its own, as
 * OpenTelemetry's HTTP conventions have it), the child of the device request's span, named for the backend and the
 * method, with the adapter, its version and the environment; the {@code traceparent} the backend receives names it.
 */
final class CallSpans {

    private static final AttributeKey<String> BACKEND = AttributeKey.stringKey("mosaic.backend");
    private static final AttributeKey<String> ADAPTER = AttributeKey.stringKey("mosaic.adapter");
    private static final AttributeKey<String> VERSION = AttributeKey.stringKey("mosaic.adapter.version");
    private static final AttributeKey<String> ENVIRONMENT = AttributeKey.stringKey("mosaic.environment");
    private static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("mosaic.request_id");
    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> URL = AttributeKey.stringKey("url.full");
    private static final AttributeKey<Long> RESEND = AttributeKey.longKey("http.request.resend_count");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> ERROR = AttributeKey.stringKey("error.type");

    /** Reads the one header a scope is given. */
    private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    private final Tracer tracer;

    CallSpans(Tracer tracer) {
        this.tracer = tracer;
    }

    /** @return the context a request's calls are children of: its {@code traceparent}'s, or none (a new trace) */
    static Context parent(String traceparent) {
        return traceparent == null ? Context.root()
                : W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, TRACEPARENT);
    }

    /** @return a started span for one attempt of a call; {@code url} without its query (which may hold secrets) */
    Span start(Context parent, Backends.Caller caller, String backend, String method, String url, int attempt) {
        io.opentelemetry.api.trace.SpanBuilder b = tracer.spanBuilder(method + " " + backend)
                .setParent(parent)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(BACKEND, backend)
                .setAttribute(METHOD, method)
                .setAttribute(URL, url)
                .setAttribute(ADAPTER, caller.adapter())
                .setAttribute(VERSION, caller.version())
                .setAttribute(ENVIRONMENT, caller.environment())
                .setAttribute(REQUEST_ID, caller.requestId());
        if (attempt > 1) {
            b.setAttribute(RESEND, attempt - 1);
        }
        return b.startSpan();
    }

    /** Ends an attempt's span: answered with a status (5xx: an error), or failed ({@code error} says how). */
    static void end(Span span, int status, String error) {
        if (status > 0) {
            span.setAttribute(STATUS, status);
        }
        if (error != null) {
            span.setAttribute(ERROR, error);
        }
        if (status >= 500 || error != null) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    /** @return the span's context as the {@code traceparent} the backend receives */
    static String traceparent(Span span) {
        SpanContext c = span.getSpanContext();
        return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
    }
}
