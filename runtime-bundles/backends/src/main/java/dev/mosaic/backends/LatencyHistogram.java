package dev.mosaic.backends;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * How long things took since a start, in fixed buckets, as {@code /metrics} shows them (a route's requests, a backend's
 * attempts): how many fell in each bucket, how long they took in all, and per bucket the last one whose trace was kept,
 * its exemplar, which leads from a slow bucket to a trace to look at. Recorded from many threads at once without a lock;
 * one that is not traced, or whose trace is not kept, pays one check for its exemplar.
 *
 * @since 1.1
 */
public final class LatencyHistogram {

    /**
     * One of the things counted whose trace was kept, as an example of a latency.
     *
     * @param traceId its trace (W3C, 32 hex digits)
     * @param spanId its span (a request's server span, an attempt's client span)
     * @param seconds how long it took
     * @param epochMillis when it ended
     */
    public record Exemplar(String traceId, String spanId, double seconds, long epochMillis) {
    }

    /**
     * A histogram as it was when read: what {@code /metrics} shows of it.
     *
     * @param bounds the buckets' upper bounds in seconds (the last bucket, +Inf, has none)
     * @param counts how many fell in each bucket, not cumulative; one more than the bounds
     * @param seconds how many seconds they all took
     * @param exemplars per bucket, the last one whose trace was kept, or null
     */
    public record Snapshot(List<Double> bounds, long[] counts, double seconds, List<Exemplar> exemplars) {

        /** No buckets and nothing counted: what a stats record made without a histogram carries. */
        public static final Snapshot NONE = new Snapshot(List.of(), new long[] {0}, 0, Collections.singletonList(null));
    }

    private final List<Double> bounds;
    private final LongAdder[] counts;
    private final DoubleAdder seconds = new DoubleAdder();
    /**
     * Per bucket, the last one whose trace was kept (a plain array: a scrape may read one a moment old; an exemplar's
     * fields are final, so it is read whole).
     */
    private final Exemplar[] exemplars;

    /**
     * @param bounds the buckets' upper bounds in seconds, ascending; a last bucket, +Inf, follows them (kept as given when
     *            unmodifiable: the many histograms with the same bounds share one list)
     */
    public LatencyHistogram(List<Double> bounds) {
        this.bounds = List.copyOf(bounds);
        for (int i = 1; i < this.bounds.size(); i++) {
            if (!(this.bounds.get(i) > this.bounds.get(i - 1))) {
                throw new IllegalArgumentException("a histogram's bounds must be ascending: " + bounds);
            }
        }
        counts = new LongAdder[this.bounds.size() + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
        exemplars = new Exemplar[counts.length];
    }

    /**
     * Counts one that took {@code nanos}.
     *
     * @param span its span, or null when not traced: a kept one becomes its bucket's exemplar
     */
    public void record(long nanos, Span span) {
        double took = nanos / 1e9;
        int n = bounds.size();
        int bucket = 0;
        while (bucket < n && took > bounds.get(bucket)) {
            bucket++; // a few bounds, and most things fall in the first ones
        }
        counts[bucket].increment();
        seconds.add(took);
        if (span != null && span.getSpanContext().isSampled()) {
            // a few a second at most (the sampler's cap)
            SpanContext c = span.getSpanContext();
            exemplars[bucket] = new Exemplar(c.getTraceId(), c.getSpanId(), took, System.currentTimeMillis());
        }
    }

    /** @return its buckets, sum and exemplars now (each read on its own: one counted meanwhile may be in some only) */
    public Snapshot snapshot() {
        return new Snapshot(bounds, counts(), seconds.sum(), exemplars());
    }

    private long[] counts() {
        long[] c = new long[counts.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts[i].sum();
        }
        return c;
    }

    private List<Exemplar> exemplars() {
        return Collections.unmodifiableList(Arrays.asList(exemplars.clone()));
    }
}
