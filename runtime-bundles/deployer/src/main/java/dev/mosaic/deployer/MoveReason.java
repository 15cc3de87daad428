package dev.mosaic.deployer;

import java.util.Locale;

/** Why a consumer moved to other module versions. */
public enum MoveReason {
    /** A newer version in its range was released (or unyanked). */
    UPTAKE,
    /** The version it was on was yanked. */
    YANK,
    /** The version it was on was undeployed. */
    UNDEPLOY,
    /** It has manual uptake and {@code adopt} was asked for. */
    ADOPT,
    /** A module it uses moved, so it is re-wired to that module's new generation with the same versions. */
    TRANSITIVE;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
