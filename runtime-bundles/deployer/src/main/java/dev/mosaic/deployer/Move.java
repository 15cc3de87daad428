package dev.mosaic.deployer;

import java.util.Map;

/**
 * A consumer (adapter or module version) moving to other module versions.
 */
public class Move {
    public String environment;
    public String consumer;
    public String consumerVersion;
    /** Bound module versions before, by module name. */
    public Map<String, String> from;
    /** Bound module versions after, by module name. */
    public Map<String, String> to;
    /**
     * {@code uptake} (a newer version in range), {@code yank} or {@code undeploy} (its
     * version went away), {@code adopt} (manual uptake on request), {@code transitive} (a
     * module it uses moved, so it is re-wired with the same bindings).
     */
    public String reason;

    @Override
    public String toString() {
        return consumer + " " + consumerVersion + ": " + from + " -> " + to + " (" + reason + ")";
    }
}
