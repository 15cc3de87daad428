package dev.mosaic.backends.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latency percentiles over roughly the last minute, cheap to record from many threads: counts in
 * logarithmic buckets (about 9% wide, 100 µs to 100 s), kept in two halves of 30 s; the older half
 * is dropped when a new one starts. A percentile is the upper bound of its bucket.
 */
final class Latencies {

    private static final double FACTOR = 1.09;
    private static final double MIN_MICROS = 100;
    private static final int BUCKETS = (int) Math.ceil(Math.log(1_000_000.0) / Math.log(FACTOR)) + 2;
    private static final long HALF_MILLIS = 30_000;

    /**
     * The upper bounds (seconds) of the buckets every attempt is also counted in, since the backend was declared: a
     * histogram that sums over the instances of a fleet (the percentiles above are one instance's); the last bucket,
     * +Inf, has none.
     */
    static final java.util.List<Double> BOUNDS = java.util.List.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0);

    /** Every attempt since the backend was declared, in the {@link #BOUNDS} buckets. */
    final dev.mosaic.backends.LatencyHistogram histogram = new dev.mosaic.backends.LatencyHistogram(BOUNDS);

    private volatile AtomicLongArray current = new AtomicLongArray(BUCKETS);
    private volatile AtomicLongArray previous = new AtomicLongArray(BUCKETS);
    private volatile long currentSince = System.currentTimeMillis();

    /** @param span the attempt's span, or null: a kept one is its bucket's exemplar */
    void record(long nanos, io.opentelemetry.api.trace.Span span) {
        rotateIfDue();
        double micros = nanos / 1000.0;
        int b = micros <= MIN_MICROS ? 0 : Math.min(BUCKETS - 1, 1 + (int) (Math.log(micros / MIN_MICROS) / Math.log(FACTOR)));
        current.incrementAndGet(b);
        histogram.record(nanos, span);
    }

    /** @return the latency under which {@code q} (0..1) of the recent attempts took, in milliseconds; -1 with none */
    double percentile(double q) {
        rotateIfDue();
        AtomicLongArray a = current;
        AtomicLongArray p = previous;
        long total = 0;
        long[] counts = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] = a.get(i) + p.get(i);
            total += counts[i];
        }
        if (total == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.round(MIN_MICROS * Math.pow(FACTOR, i) / 10.0) / 100.0;
            }
        }
        return Math.round(MIN_MICROS * Math.pow(FACTOR, BUCKETS) / 10.0) / 100.0;
    }

    private void rotateIfDue() {
        long now = System.currentTimeMillis();
        if (now - currentSince >= HALF_MILLIS) {
            synchronized (this) {
                if (now - currentSince >= HALF_MILLIS) {
                    previous = now - currentSince >= 2 * HALF_MILLIS ? new AtomicLongArray(BUCKETS) : current;
                    current = new AtomicLongArray(BUCKETS);
                    currentSince = now;
                }
            }
        }
    }
}
