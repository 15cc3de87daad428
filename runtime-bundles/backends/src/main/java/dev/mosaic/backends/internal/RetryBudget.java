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
    private final long[] calls = new long[BUCKETS];
    private final long[] retries = new long[BUCKETS];
    private final long[] second = new long[BUCKETS];
    private final java.util.function.LongSupplier clockMillis;

    RetryBudget(int percent, java.util.function.LongSupplier clockMillis) {
        this.percent = percent;
        this.clockMillis = clockMillis;
    }

    synchronized void recordCall() {
        calls[bucket(clockMillis.getAsLong() / 1000)]++;
    }

    /** @return whether one more retry fits the budget; if so, it is counted */
    synchronized boolean tryRetry() {
        long now = clockMillis.getAsLong() / 1000;
        int b = bucket(now);
        long c = 0;
        long r = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (now - second[i] < BUCKETS) {
                c += calls[i];
                r += retries[i];
            }
        }
        if (r + 1 > c * percent / 100 + 1) {
            return false;
        }
        retries[b]++;
        return true;
    }

    /** The bucket of second {@code now}, emptied first if it held an older second. */
    private int bucket(long now) {
        int b = (int) (now % BUCKETS);
        if (second[b] != now) {
            calls[b] = 0;
            retries[b] = 0;
            second[b] = now;
        }
        return b;
    }
}
