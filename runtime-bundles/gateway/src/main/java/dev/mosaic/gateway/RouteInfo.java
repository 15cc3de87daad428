package dev.mosaic.gateway;

/**
 * A route being served: where it is, who answers it, and how it has done so far.
 *
 * @param environment the environment the route serves
 * @param method the HTTP method
 * @param path the path template
 * @param adapter symbolic name of the adapter bundle answering the route
 * @param adapterVersion version of that adapter bundle
 * @param bundleId framework id of that adapter bundle
 * @param requests requests answered by this handler since it started serving
 * @param failures of which ended in a 5xx (timeouts included)
 * @param timeoutMillis the adapter's deadline: a call not answered within it gets a 504
 * @param concurrency how many calls of the adapter may run at once; more get a fast 503
 * @param timeouts calls of the adapter (all its routes) answered 504 at the deadline
 * @param rejected calls of the adapter (all its routes) refused with 503 because it was at its limit
 * @param backends the backends the adapter names in {@code Mosaic-Backends} (since 2.2)
 * @param backendCalls calls this route's requests made to backends since it started serving (since 2.2)
 */
public record RouteInfo(String environment, String method, String path, String adapter, String adapterVersion,
        long bundleId, long requests, long failures, long timeoutMillis, int concurrency, long timeouts, long rejected,
        java.util.List<String> backends, long backendCalls) {

    public RouteInfo {
        backends = backends == null ? java.util.List.of() : java.util.List.copyOf(backends);
    }

    /** A route of an adapter that calls no backend (the constructor of 2.1). */
    public RouteInfo(String environment, String method, String path, String adapter, String adapterVersion,
            long bundleId, long requests, long failures, long timeoutMillis, int concurrency, long timeouts, long rejected) {
        this(environment, method, path, adapter, adapterVersion, bundleId, requests, failures, timeoutMillis, concurrency,
                timeouts, rejected, java.util.List.of(), 0);
    }

    @Override
    public String toString() {
        return environment + " " + method + " " + path + " -> " + adapter + " " + adapterVersion;
    }
}
