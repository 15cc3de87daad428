package dev.mosaic.gateway;

/**
 * A route being served: where it is, who answers it, and how it has done so far.
 */
public class RouteInfo {
    /** The environment the route serves. */
    public String environment;
    /** The HTTP method. */
    public String method;
    /** The path template. */
    public String path;
    /** Symbolic name of the adapter bundle answering the route. */
    public String adapter;
    /** Version of that adapter bundle. */
    public String adapterVersion;
    /** Framework id of that adapter bundle. */
    public long bundleId;
    /** Requests answered by this handler since it started serving. */
    public long requests;
    /** Of which ended in a 5xx (timeouts included). */
    public long failures;
    /** The adapter's deadline: a call not answered within it gets a 504. */
    public long timeoutMillis;
    /** How many calls of the adapter may run at once; more get a fast 503. */
    public int concurrency;
    /** Calls of the adapter (all its routes) answered 504 at the deadline. */
    public long timeouts;
    /** Calls of the adapter (all its routes) refused with 503 because it was at its limit. */
    public long rejected;

    @Override
    public String toString() {
        return environment + " " + method + " " + path + " -> " + adapter + " " + adapterVersion;
    }
}
