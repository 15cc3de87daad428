package dev.mosaic.deployer;

import java.util.Map;

/**
 * A route being served, the adapter answering it, and the shared-module versions that
 * adapter is actually wired to in the framework.
 */
public class RouteView {
    public String environment;
    public String method;
    public String path;
    public String adapter;
    public String adapterVersion;
    /** Module name to the version the adapter's bundle is wired to (from BundleWiring). */
    public Map<String, String> modules;
    public long requests;
    /** Of which ended in a 5xx (timeouts included). */
    public long failures;
    /** The adapter's deadline in milliseconds. */
    public long timeoutMillis;
    /** How many calls of the adapter may run at once. */
    public int concurrency;
    /** Calls of the adapter answered 504 at the deadline. */
    public long timeouts;
    /** Calls of the adapter refused with 503 because it was at its limit. */
    public long rejected;
}
