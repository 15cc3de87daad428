package dev.mosaic.deployer;

import java.util.List;

/**
 * How the runtime is doing: deployments that failed to start, and retired bundles that
 * are still in memory (leaks).
 */
public class Health {
    /** {@code ok}, or {@code degraded} when something failed or leaks. */
    public String status;
    /** Deployments recorded. */
    public int deployments;
    /** Of which running. */
    public int running;
    /** Deployments that are not running, with the reason. */
    public List<String> failed;
    /** Retired bundles whose class loader has not been released. */
    public List<Leak> leaks;

    /** A retired adapter or module version whose classes are still held by something. */
    public static class Leak {
        public String environment;
        public String name;
        public String version;
        /** When it was retired (ISO-8601). */
        public String retiredAt;
        /**
         * What usually causes it: a thread the bundle started and never stopped, a static or
         * thread-local of another library holding one of its objects, a listener it
         * registered somewhere and did not remove.
         */
        public String hint;
    }
}
