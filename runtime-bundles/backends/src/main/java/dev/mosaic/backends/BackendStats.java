package dev.mosaic.backends;

import java.util.List;

/**
 * How calls to one backend of one environment went, since it was declared (latency percentiles
 * over roughly the last minute).
 *
 * @param environment the environment
 * @param spec its declaration
 * @param calls calls made by adapters (a retried call counts once)
 * @param errors calls that ended without a usable answer (no answer, or a 5xx)
 * @param retries attempts made again after a failure
 * @param retriesRefused retries the budget did not allow
 * @param rejected calls refused at once: breaker open, or the concurrency limit reached
 * @param inFlight attempts in flight now
 * @param p50Millis median latency of attempts, or -1 with none
 * @param p99Millis 99th percentile latency of attempts, or -1 with none
 * @param breaker the breaker's state: {@code closed}, {@code open} or {@code half_open}
 * @param transitions the breaker's recent state changes, oldest first
 * @param urls per base URL, whether it is skipped now after failing
 * @param latency its attempts' latencies since the backend was declared, in buckets, with exemplars (attempts whose trace
 *            was kept, leading to their client spans); since 1.1
 */
public record BackendStats(String environment, BackendSpec spec, long calls, long errors, long retries,
        long retriesRefused, long rejected, int inFlight, double p50Millis, double p99Millis, String breaker,
        List<Transition> transitions, List<UrlState> urls, LatencyHistogram.Snapshot latency) {

    /** Stats without a latency histogram (as before 1.1). */
    public BackendStats(String environment, BackendSpec spec, long calls, long errors, long retries, long retriesRefused,
            long rejected, int inFlight, double p50Millis, double p99Millis, String breaker, List<Transition> transitions,
            List<UrlState> urls) {
        this(environment, spec, calls, errors, retries, retriesRefused, rejected, inFlight, p50Millis, p99Millis, breaker,
                transitions, urls, LatencyHistogram.Snapshot.NONE);
    }

    /** A breaker state change. */
    public record Transition(String at, String from, String to) {
    }

    /** A base URL and whether calls skip it now. */
    public record UrlState(String url, boolean skipped, String skippedUntil) {
    }
}
