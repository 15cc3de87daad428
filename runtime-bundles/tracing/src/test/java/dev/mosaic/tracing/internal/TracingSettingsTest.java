package dev.mosaic.tracing.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;

class TracingSettingsTest {

    private static TracingSettings of(Map<String, String> properties, Map<String, String> env) {
        return TracingSettings.from(properties::get, env::get);
    }

    @Test
    void offUnlessThereIsAnEndpointOrItIsTurnedOn() {
        assertFalse(of(Map.of(), Map.of()).on());
        TracingSettings exported = of(Map.of("mosaic.tracing.endpoint", "http://collector:4318"), Map.of());
        assertTrue(exported.on());
        assertEquals("http://collector:4318/v1/traces", exported.endpoint().toString(), "the OTLP/HTTP path is added");
        assertEquals(1.0, exported.sample());
        assertEquals(100, exported.perSecond(), "by default every new trace, at most 100 a second");
        assertFalse(exported.callersFollowed());
        assertTrue(exported.callersCapped(), "a caller's sampled flag keeps its trace within the cap by default");
        assertEquals("new traces kept: at most 100 a second, traces a caller sampled: at most 100 a second",
                exported.samplingForLog());
        assertEquals(Duration.ofSeconds(2), exported.exportDelay());
        assertEquals("https://c.example/otlp/v1/traces", of(Map.of("mosaic.tracing.endpoint", "https://c.example/otlp/v1/traces"),
                Map.of()).endpoint().toString(), "a path given is kept");
        TracingSettings local = of(Map.of("mosaic.tracing", "on", "mosaic.tracing.sample", "10%"), Map.of());
        assertTrue(local.on());
        assertNull(local.endpoint());
        assertEquals(0.1, local.sample(), 1e-9);
        assertEquals(0, local.perSecond(), "a share alone is not capped");
        assertEquals("new traces kept: 10.0%, traces a caller sampled: 10.0%", local.samplingForLog());
        assertTrue(local.callersCapped(), "a share alone: the same share of the traces callers sampled");
        TracingSettings every = of(Map.of("mosaic.tracing", "on", "mosaic.tracing.sample", "100%"), Map.of());
        assertEquals("new traces kept: 100.0%, traces a caller sampled: all", every.samplingForLog());
        assertFalse(every.callersCapped(), "every trace kept: every one a caller sampled too");
        TracingSettings both = of(Map.of("mosaic.tracing", "on", "mosaic.tracing.sample", " 500/s , 25% "), Map.of());
        assertEquals(0.25, both.sample(), 1e-9);
        assertEquals(500, both.perSecond());
        assertEquals("new traces kept: 25.0%, at most 500 a second, traces a caller sampled: 25.0%, at most 500 a second",
                both.samplingForLog());
        TracingSettings followed = of(Map.of("mosaic.tracing", "on", "mosaic.tracing.callers", " Followed "), Map.of());
        assertTrue(followed.callersFollowed());
        assertFalse(followed.callersCapped());
        assertEquals("new traces kept: at most 100 a second, traces a caller sampled: all", followed.samplingForLog());
        assertTrue(of(Map.of("mosaic.tracing.callers", "capped"), Map.of()).callersCapped());
        TracingSettings capped = of(Map.of("mosaic.tracing", "on", "mosaic.tracing.sample", "20/s"), Map.of());
        assertEquals(1.0, capped.sample());
        assertEquals(20, capped.perSecond());
        assertEquals(0, of(Map.of("mosaic.tracing.sample", "1"), Map.of()).perSecond(), "all of them: 1 or 100%");
        assertFalse(of(Map.of("mosaic.tracing", "off", "mosaic.tracing.endpoint", "http://c:4318"), Map.of()).on());
    }

    @Test
    void wrongSettingsAreRefusedSayingWhichAndWhy() {
        for (String bad : new String[] {"collector:4318", "ftp://c/x", "http://", "http://u:p@c:4318", "http://c:4318/?x=1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> of(Map.of("mosaic.tracing.endpoint", bad), Map.of()), bad);
            assertTrue(e.getMessage().startsWith("mosaic.tracing.endpoint (--otlp-endpoint) must be the URL of an OTLP/HTTP"
                    + " collector, such as http://127.0.0.1:4318; '" + bad + "' is not one: "), e.getMessage());
        }
        for (String bad : new String[] {"1.5", "-0.1", "half", "200%", "0/s", "10/m", "/s", "1.5/s", "10%,20%", "5/s,6/s",
            "10%,", "2000000/s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> of(Map.of("mosaic.tracing.sample", bad), Map.of()), bad);
            assertTrue(e.getMessage().startsWith("mosaic.tracing.sample (--trace-sample) says which new traces are kept: a"
                    + " share from 0 to 1 or 0% to 100% (10%), at most a number a second from 1 to 1000000 (100/s), or both"
                    + " (10%,100/s); got '" + bad + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> of(Map.of("mosaic.tracing", "maybe"), Map.of()));
        IllegalArgumentException callers = assertThrows(IllegalArgumentException.class,
                () -> of(Map.of("mosaic.tracing.callers", "trusted"), Map.of()));
        assertEquals("mosaic.tracing.callers (--trace-callers) says whether a trace its caller sampled is kept by the"
                + " --trace-sample share and cap: capped (the default) or followed (whatever they say, behind a proxy you trust); got"
                + " 'trusted'", callers.getMessage());
        IllegalArgumentException header = assertThrows(IllegalArgumentException.class,
                () -> of(Map.of(), Map.of("OTEL_EXPORTER_OTLP_HEADERS", "api-key")));
        assertFalse(header.getMessage().contains("api-key"), "a header's value is never said");
    }

    @Test
    void collectorHeadersComeFromTheEnvironmentAndTheEndpointIsLoggedWithoutThem() {
        TracingSettings s = of(Map.of("mosaic.tracing.endpoint", "http://c:4318"),
                Map.of("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=abc%3D%3D, x-team = tv"));
        assertEquals(Map.of("x-api-key", "abc==", "x-team", "tv"), s.headers());
        assertEquals(Map.of("a", "1"), of(Map.of(), Map.of("OTEL_EXPORTER_OTLP_HEADERS", "x=2",
                "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "a=1")).headers(), "the traces' own variable wins");
        assertEquals("http://c:4318/v1/traces", s.endpointForLog());
    }

    @Test
    void theSamplerKeepsTheShareAskedForOfNewTracesAndFollowsACallersDecision() {
        SdkTracerProvider none = TracingComponent.provider(of(Map.of("mosaic.tracing", "on", "mosaic.tracing.sample", "0"), Map.of()), "i");
        SdkTracerProvider all = TracingComponent.provider(of(Map.of("mosaic.tracing", "on"), Map.of()), "i");
        try {
            Span dropped = none.get("t").spanBuilder("x").startSpan();
            Span kept = all.get("t").spanBuilder("x").startSpan();
            assertFalse(dropped.getSpanContext().isSampled());
            assertTrue(dropped.getSpanContext().isValid(), "an unsampled span still has ids to pass on");
            assertTrue(kept.getSpanContext().isSampled());
            assertEquals("ParentBased{root:Capped{100/s,AlwaysOnSampler},remoteParentSampled:Capped{100/s,AlwaysOnSampler},"
                    + "remoteParentNotSampled:AlwaysOffSampler,localParentSampled:AlwaysOnSampler,localParentNotSampled:"
                    + "AlwaysOffSampler}", all.getSampler().getDescription());
        } finally {
            none.shutdown();
            all.shutdown();
        }
    }

    private static Context parent(boolean remote, boolean sampled) {
        TraceFlags flags = sampled ? TraceFlags.getSampled() : TraceFlags.getDefault();
        SpanContext c = remote ? SpanContext.createFromRemoteParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", flags,
                TraceState.getDefault()) : SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", flags,
                TraceState.getDefault());
        return Context.root().with(Span.wrap(c));
    }

    private static int keptOf(Sampler s, Context parent, Attributes attributes, int traces) {
        int kept = 0;
        for (int i = 0; i < traces; i++) {
            kept += s.shouldSample(parent, String.format("%032x", i + 1), "GET /x", SpanKind.SERVER, attributes, List.of())
                    .getDecision() == SamplingDecision.RECORD_AND_SAMPLE ? 1 : 0;
        }
        return kept;
    }

    @Test
    void aCallersSampledFlagKeepsItsTraceWithinTheCapInABucketOfItsOwnUnlessCallersAreFollowed() {
        AtomicLong clock = new AtomicLong(5_000_000_000L);
        Sampler s = TracingComponent.sampler(of(Map.of("mosaic.tracing.sample", "3/s"), Map.of()), clock::get);
        Context callerSampled = parent(true, true);
        assertEquals(3, keptOf(s, callerSampled, Attributes.empty(), 50), "a device saying sampled 50 times: a second's worth");
        assertEquals(3, keptOf(s, Context.root(), Attributes.empty(), 50), "new traces have a bucket of their own");
        assertEquals(0, keptOf(s, parent(true, false), Attributes.empty(), 10), "a caller's not sampled is followed");
        assertEquals(10, keptOf(s, callerSampled, Attributes.of(CappedSampler.ASKED, true), 10), "asked for: kept whatever the cap");
        assertEquals(10, keptOf(s, parent(false, true), Attributes.empty(), 10), "a backend call's span follows its request's");
        assertEquals(0, keptOf(s, parent(false, false), Attributes.empty(), 10));
        clock.addAndGet(1_000_000_000L / 3);
        assertEquals(1, keptOf(s, callerSampled, Attributes.empty(), 50), "a third of a second later: one more");

        Sampler followed = TracingComponent.sampler(of(Map.of("mosaic.tracing.sample", "3/s", "mosaic.tracing.callers", "followed"),
                Map.of()), clock::get);
        assertEquals(50, keptOf(followed, callerSampled, Attributes.empty(), 50), "followed: every one a caller sampled");
        assertEquals(3, keptOf(followed, Context.root(), Attributes.empty(), 50), "and new traces still capped");
        Sampler uncapped = TracingComponent.sampler(of(Map.of("mosaic.tracing.sample", "100%"), Map.of()), clock::get);
        assertEquals(50, keptOf(uncapped, callerSampled, Attributes.empty(), 50), "no cap asked for: none for callers either");
    }

    /** Traces whose callers sampled them, with trace ids spread evenly over the ratio sampler's range. */
    private static int keptOfCallers(Sampler s, int traces) {
        int kept = 0;
        for (int i = 0; i < traces; i++) {
            // the ratio sampler decides on the trace id's last 16 hex digits (63 bits of them): the middle of each slice
            long random = (Long.MAX_VALUE / traces) * i + Long.MAX_VALUE / traces / 2;
            String traceId = String.format("%016x%016x", i + 1, random);
            Context caller = Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(traceId, "00f067aa0ba902b7",
                    TraceFlags.getSampled(), TraceState.getDefault())));
            kept += s.shouldSample(caller, traceId, "GET /x", SpanKind.SERVER, Attributes.empty(), List.of()).getDecision()
                    == SamplingDecision.RECORD_AND_SAMPLE ? 1 : 0;
        }
        return kept;
    }

    @Test
    void aCallersSampledFlagIsKeptByTheShareOfNewTracesUnlessCallersAreFollowed() {
        AtomicLong clock = new AtomicLong(5_000_000_000L);
        // a share alone (no cap): a device saying sampled on every request gets the same share recorded, not all of them
        Sampler tenth = TracingComponent.sampler(of(Map.of("mosaic.tracing.sample", "10%"), Map.of()), clock::get);
        assertEquals(100, keptOfCallers(tenth, 1000), "a tenth of 1,000 traces their callers sampled");
        assertEquals(0, keptOfCallers(TracingComponent.sampler(of(Map.of("mosaic.tracing.sample", "0"), Map.of()), clock::get), 1000),
                "none kept of those starting here: none of the callers' either");
        Sampler followed = TracingComponent.sampler(of(Map.of("mosaic.tracing.sample", "10%", "mosaic.tracing.callers", "followed"),
                Map.of()), clock::get);
        assertEquals(1000, keptOfCallers(followed, 1000), "followed: every one a caller sampled");
        // share and cap: the share first, then the callers' own bucket
        Sampler both = TracingComponent.sampler(of(Map.of("mosaic.tracing.sample", "10%,20/s"), Map.of()), clock::get);
        assertEquals(20, keptOfCallers(both, 1000), "a tenth is 100, at most 20 of them in a second");
        assertEquals("ParentBased{root:Capped{20/s,TraceIdRatioBased{0.100000}},remoteParentSampled:Capped{20/s,"
                + "TraceIdRatioBased{0.100000}},remoteParentNotSampled:AlwaysOffSampler,localParentSampled:AlwaysOnSampler,"
                + "localParentNotSampled:AlwaysOffSampler}", both.getDescription());
    }
}
