package dev.mosaic.backends;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;

/** The histogram a route's requests and a backend's attempts are counted in, as /metrics shows them. */
class LatencyHistogramTest {

    private static final List<Double> BOUNDS = List.of(0.005, 0.025, 0.1);

    private static Span span(String traceId, boolean kept) {
        return Span.wrap(SpanContext.create(traceId, "00f067aa0ba902b7", kept ? TraceFlags.getSampled() : TraceFlags.getDefault(),
                TraceState.getDefault()));
    }

    @Test
    void eachFallsInTheFirstBucketWhoseBoundItDoesNotExceed() {
        LatencyHistogram h = new LatencyHistogram(BOUNDS);
        h.record(1_000_000, null); // 1 ms
        h.record(5_000_000, null); // 5 ms: on the bound, in its bucket (Prometheus' le)
        h.record(5_000_001, null);
        h.record(100_000_000, null);
        h.record(3_000_000_000L, null); // past the last bound: +Inf
        LatencyHistogram.Snapshot read = h.snapshot();
        assertArrayEquals(new long[] {2, 1, 1, 1}, read.counts());
        assertEquals(3.111000001, read.seconds(), 1e-9);
        assertEquals(BOUNDS, read.bounds());
    }

    @Test
    void aBucketsExemplarIsItsLastWhoseTraceWasKept() {
        LatencyHistogram h = new LatencyHistogram(BOUNDS);
        h.record(2_000_000, span("4bf92f3577b34da6a3ce929d0e0e4736", true));
        h.record(3_000_000, span("00000000000000000000000000000001", false)); // not kept: not an example
        h.record(50_000_000, span("5bf92f3577b34da6a3ce929d0e0e4736", true));
        List<LatencyHistogram.Exemplar> e = h.snapshot().exemplars();
        assertEquals(4, e.size());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", e.get(0).traceId());
        assertEquals("00f067aa0ba902b7", e.get(0).spanId());
        assertEquals(0.002, e.get(0).seconds(), 1e-12);
        assertTrue(e.get(0).epochMillis() > 0);
        assertNull(e.get(1));
        assertEquals("5bf92f3577b34da6a3ce929d0e0e4736", e.get(2).traceId());
        assertNull(e.get(3));
        assertArrayEquals(new long[] {2, 0, 1, 0}, h.snapshot().counts());
    }

    @Test
    void boundsMustAscend() {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> new LatencyHistogram(List.of(0.1, 0.05)));
        assertTrue(x.getMessage().contains("ascending"), x.getMessage());
        assertEquals(3, new LatencyHistogram(List.of(0.05, 0.1)).snapshot().counts().length);
    }
}
