package dev.mosaic.gateway;

import java.util.List;

/**
 * How one route of one adapter version has been answering since it was switched in: what {@code /metrics} shows.
 *
 * @param statusClasses requests answered, by the class of their status: index 0 for 1xx ... 4 for 5xx
 * @param timeouts requests answered 504 because the adapter missed its deadline
 * @param rejected requests answered 503 because the adapter was at its concurrency limit
 * @param inFlight requests its adapter version is answering now (all its routes)
 * @param latency how long its requests took, in buckets, with exemplars (requests whose trace was kept, leading to their
 *            server spans)
 * @since 2.3
 */
public record RouteStats(String environment, String method, String path, String adapter, String version, long[] statusClasses,
        long timeouts, long rejected, long inFlight, long backendCalls,
        dev.mosaic.backends.LatencyHistogram.Snapshot latency) {
}
