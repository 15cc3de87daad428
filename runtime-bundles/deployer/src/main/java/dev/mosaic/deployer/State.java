package dev.mosaic.deployer;

import java.util.Locale;

/** Whether a recorded deployment serves. */
public enum State {
    /** Its bundle is installed, started and (for an adapter) routed. */
    RUNNING,
    /** Recorded, not serving yet (the runtime is restoring). */
    STARTING,
    /** Recorded, but it could not be started; {@link DeploymentInfo#problem()} says why. */
    FAILED;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
