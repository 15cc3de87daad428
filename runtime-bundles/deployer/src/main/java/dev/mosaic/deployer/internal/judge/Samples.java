package dev.mosaic.deployer.internal.judge;

import java.util.Arrays;

/**
 * What one version of an adapter answered while its canary is judged: every request counted, and
 * the most recent {@link #WINDOW} kept (latency, and whether it was a 5xx) for the tests. Recorded
 * on the thread that answered, so the critical section is a few stores.
 */
public final class Samples {

    /** How many of the most recent requests a side is judged on. */
    public static final int WINDOW = 10_000;

    private final double[] millis = new double[WINDOW];
    private final boolean[] errors = new boolean[WINDOW];
    private long requests;
    private long failed;

    public synchronized void record(int status, double latencyMillis) {
        int at = (int) (requests % WINDOW);
        millis[at] = latencyMillis;
        errors[at] = status >= 500;
        requests++;
        if (status >= 500) {
            failed++;
        }
    }

    /** @return what was recorded so far, copied */
    public synchronized Seen seen() {
        int n = (int) Math.min(requests, WINDOW);
        double[] m = Arrays.copyOf(millis, n);
        double[] e = new double[n];
        for (int i = 0; i < n; i++) {
            e[i] = errors[i] ? 1 : 0;
        }
        return new Seen(requests, failed, m, e);
    }

    /**
     * @param requests every request answered
     * @param errors those that were 5xx
     * @param millis the latencies of the window, in no order
     * @param failures the window's requests, 1 for a 5xx and 0 otherwise, in the same order
     */
    public record Seen(long requests, long errors, double[] millis, double[] failures) {

        public static Seen of(double[] millis, double[] failures) {
            long e = 0;
            for (double f : failures) {
                e += f > 0 ? 1 : 0;
            }
            return new Seen(millis.length, e, millis, failures);
        }
    }
}
