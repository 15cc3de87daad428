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
    public long failures;
}
