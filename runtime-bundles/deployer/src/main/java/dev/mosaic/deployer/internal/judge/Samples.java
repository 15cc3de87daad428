package dev.mosaic.deployer.internal.judge;

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
    public Seen seen() {
        return seen(WINDOW);
    }

    /** @return what was recorded so far, with the most recent {@code limit} requests of the window, copied */
    public synchronized Seen seen(int limit) {
        int n = (int) Math.min(Math.min(requests, WINDOW), limit);
        double[] m = new double[n];
        double[] e = new double[n];
        for (int i = 0; i < n; i++) {
            int at = (int) ((requests - 1 - i) % WINDOW);
            m[i] = millis[at];
            e[i] = errors[at] ? 1 : 0;
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

        /** @return the window as instances share it: latencies in ms, a 5xx's written negative */
        public float[] encoded() {
            float[] w = new float[millis.length];
            for (int i = 0; i < w.length; i++) {
                w[i] = failures[i] > 0 ? -(float) millis[i] - Float.MIN_NORMAL : (float) millis[i];
            }
            return w;
        }

        /** @return what all of them saw: their counts added up, their windows side by side */
        public static Seen pooled(java.util.List<Seen> all) {
            long requests = 0;
            long errors = 0;
            int n = 0;
            for (Seen s : all) {
                requests += s.requests;
                errors += s.errors;
                n += s.millis.length;
            }
            double[] m = new double[n];
            double[] f = new double[n];
            int at = 0;
            for (Seen s : all) {
                System.arraycopy(s.millis, 0, m, at, s.millis.length);
                System.arraycopy(s.failures, 0, f, at, s.failures.length);
                at += s.millis.length;
            }
            return new Seen(requests, errors, m, f);
        }

        /** @return a window another instance shared ({@link #encoded}), with its counts */
        public static Seen decoded(long requests, long errors, float[] window) {
            double[] m = new double[window.length];
            double[] f = new double[window.length];
            for (int i = 0; i < window.length; i++) {
                f[i] = window[i] < 0 ? 1 : 0;
                m[i] = window[i] < 0 ? -window[i] - Float.MIN_NORMAL : window[i];
            }
            return new Seen(requests, errors, m, f);
        }

        public static Seen of(double[] millis, double[] failures) {
            long e = 0;
            for (double f : failures) {
                e += f > 0 ? 1 : 0;
            }
            return new Seen(millis.length, e, millis, failures);
        }
    }
}
