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
 * @param latencyBounds the upper bounds of the buckets of {@code latencyCounts}, in seconds (the last bucket, +Inf, has
 *            none); since 1.1
 * @param latencyCounts attempts per bucket since the backend was declared, not cumulative; one more than the bounds
 * @param latencySeconds the seconds those attempts took in all
 * @param latencyExemplars per bucket, the last attempt in it whose trace was kept (null for none): a latency's example,
 *            with the trace to look at (its client span)
 */
public record BackendStats(String environment, BackendSpec spec, long calls, long errors, long retries,
        long retriesRefused, long rejected, int inFlight, double p50Millis, double p99Millis, String breaker,
        List<Transition> transitions, List<UrlState> urls, List<Double> latencyBounds, long[] latencyCounts,
        double latencySeconds, List<LatencyHistogram.Exemplar> latencyExemplars) {

    /** Stats without a latency histogram (as before 1.1). */
    public BackendStats(String environment, BackendSpec spec, long calls, long errors, long retries, long retriesRefused,
            long rejected, int inFlight, double p50Millis, double p99Millis, String breaker, List<Transition> transitions,
            List<UrlState> urls) {
        this(environment, spec, calls, errors, retries, retriesRefused, rejected, inFlight, p50Millis, p99Millis, breaker,
                transitions, urls, List.of(), new long[] { 0 }, 0, List.of());
    }

    /** A breaker state change. */
    public record Transition(String at, String from, String to) {
    }

    /** A base URL and whether calls skip it now. */
    public record UrlState(String url, boolean skipped, String skippedUntil) {
    }
}
