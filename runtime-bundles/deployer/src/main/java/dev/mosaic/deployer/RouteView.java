package dev.mosaic.deployer;

import java.util.Map;

/**
 * A route being served, the adapter answering it, and the shared-module versions that
 * adapter is actually wired to in the framework.
 *
 * @param modules module name to the version the adapter's bundle is wired to (from BundleWiring)
 * @param failures of the requests, those that ended in a 5xx (timeouts included)
 * @param timeoutMillis the adapter's deadline in milliseconds
 * @param concurrency how many calls of the adapter may run at once
 * @param timeouts calls of the adapter answered 504 at the deadline
 * @param backends the backends the adapter names in {@code Mosaic-Backends} (since 2.2)
 * @param backendCalls calls the route's requests made to backends (since 2.2)
 * @param rejected calls of the adapter refused with 503 because it was at its limit
 */
public record RouteView(String environment, String method, String path, String adapter, String adapterVersion,
        Map<String, String> modules, long requests, long failures, long timeoutMillis, int concurrency, long timeouts,
        long rejected, java.util.List<String> backends, long backendCalls) {

    public RouteView {
        backends = backends == null ? java.util.List.of() : java.util.List.copyOf(backends);
    }

    /** A route of an adapter that calls no backend (the constructor of 2.1). */
    public RouteView(String environment, String method, String path, String adapter, String adapterVersion,
            Map<String, String> modules, long requests, long failures, long timeoutMillis, int concurrency, long timeouts,
            long rejected) {
        this(environment, method, path, adapter, adapterVersion, modules, requests, failures, timeoutMillis, concurrency,
                timeouts, rejected, java.util.List.of(), 0);
    }
}
