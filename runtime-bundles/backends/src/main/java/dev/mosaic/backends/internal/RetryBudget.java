package dev.mosaic.backends.internal;

/**
 * How many retries a backend may get: a share of its calls over a sliding window (ten one-second
 * buckets), plus one, so that a backend called rarely may still be retried once. A sick backend
 * then gets at most that share more traffic from retries, never a multiple of its load.
 * (Finagle's RetryBudget works this way; resilience4j's Retry has no budget.)
 */
final class RetryBudget {

    private static final int BUCKETS = 10;

    private final int percent;
    /** Per bucket: the second it counts, and its calls and retries; a bucket is emptied when a new second takes it. */
    private final java.util.concurrent.atomic.AtomicLongArray second = new java.util.concurrent.atomic.AtomicLongArray(BUCKETS);
    private final java.util.concurrent.atomic.AtomicLongArray calls = new java.util.concurrent.atomic.AtomicLongArray(BUCKETS);
    private final java.util.concurrent.atomic.AtomicLongArray retries = new java.util.concurrent.atomic.AtomicLongArray(BUCKETS);
    private final java.util.function.LongSupplier clockMillis;

    RetryBudget(int percent, java.util.function.LongSupplier clockMillis) {
        this.percent = percent;
        this.clockMillis = clockMillis;
    }

    /** Counts a call: one atomic add on the hot path (no lock), a reset once a second per bucket. */
    void recordCall() {
        long now = clockMillis.getAsLong() / 1000;
        calls.incrementAndGet(bucket(now));
    }

    /** @return whether one more retry fits the budget; if so, it is counted */
    synchronized boolean tryRetry() {
        long now = clockMillis.getAsLong() / 1000;
        int b = bucket(now);
        long c = 0;
        long r = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (now - second.get(i) < BUCKETS) {
                c += calls.get(i);
                r += retries.get(i);
            }
        }
        if (r + 1 > c * percent / 100 + 1) {
            return false;
        }
        retries.incrementAndGet(b);
        return true;
    }

    /** The bucket of second {@code now}, emptied first if it held an older second (a count racing the reset may be lost). */
    private int bucket(long now) {
        int b = (int) (now % BUCKETS);
        long held = second.get(b);
        if (held != now && second.compareAndSet(b, held, now)) {
            calls.set(b, 0);
            retries.set(b, 0);
        }
        return b;
    }
}
