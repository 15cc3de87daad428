package dev.mosaic.deployer;

import java.util.List;
import java.util.Locale;

/**
 * How the runtime is doing: deployments that failed to start, and retired bundles that
 * are still in memory (leaks).
 *
 * @param status {@link Status#OK}, or {@link Status#DEGRADED} when something failed or leaks
 * @param deployments deployments recorded
 * @param running of which running
 * @param failed deployments that are not running, with the reason
 * @param leaks retired bundles whose class loader has not been released
 * @param findings what the deploy policy reported of running deployments without refusing them, one line each
 */
public record Health(Status status, int deployments, int running, List<String> failed, List<Leak> leaks,
        List<String> findings) {

    /** Whether everything recorded runs and nothing retired leaks. */
    public enum Status {
        OK, DEGRADED;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A retired adapter or module version whose classes are still held by something.
     *
     * @param retiredAt when it was retired (ISO-8601)
     * @param hint what usually causes it: a thread the bundle started and never stopped, a
     *        static or thread-local of another library holding one of its objects, a listener
     *        it registered somewhere and did not remove
     */
    public record Leak(String environment, String name, String version, String retiredAt, String hint) {
    }
}
