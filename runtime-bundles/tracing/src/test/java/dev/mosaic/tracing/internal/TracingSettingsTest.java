package dev.mosaic.tracing.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.trace.SdkTracerProvider;

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
        assertEquals("at most 100 a second", exported.samplingForLog());
        assertEquals(Duration.ofSeconds(2), exported.exportDelay());
        assertEquals("https://c.example/otlp/v1/traces", of(Map.of("mosaic.tracing.endpoint", "https://c.example/otlp/v1/traces"),
                Map.of()).endpoint().toString(), "a path given is kept");
        TracingSettings local = of(Map.of("mosaic.tracing", "on", "mosaic.tracing.sample", "10%"), Map.of());
        assertTrue(local.on());
        assertNull(local.endpoint());
        assertEquals(0.1, local.sample(), 1e-9);
        assertEquals(0, local.perSecond(), "a share alone is not capped");
        assertEquals("10.0%", local.samplingForLog());
        TracingSettings both = of(Map.of("mosaic.tracing", "on", "mosaic.tracing.sample", " 500/s , 25% "), Map.of());
        assertEquals(0.25, both.sample(), 1e-9);
        assertEquals(500, both.perSecond());
        assertEquals("25.0%, at most 500 a second", both.samplingForLog());
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
            assertEquals("ParentBased{root:NewTrace{100/s,AlwaysOnSampler},remoteParentSampled:AlwaysOnSampler,"
                    + "remoteParentNotSampled:AlwaysOffSampler,localParentSampled:AlwaysOnSampler,localParentNotSampled:"
                    + "AlwaysOffSampler}", all.getSampler().getDescription());
        } finally {
            none.shutdown();
            all.shutdown();
        }
    }
}
