package dev.mosaic.deployer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Registered while the deployer restores the recorded deployments at start-up, and
 * unregistered once they serve, just after the {@link Deployer} service appears. With
 * thousands of deployments a restore takes minutes: whoever waits for the runtime (the
 * launcher, a supervisor) can tell a runtime that is busy restoring from one that is stuck,
 * and say how much there is to restore.
 */
@ProviderType
public interface Restoring {

    /**
     * A service property: when the deployer cannot start at all (a damaged journal, a fleet's
     * store that refuses or cannot be read), it registers a {@code Restoring} carrying why, so
     * that whoever waits says so at once instead of at its timeout. Since 2.4.
     */
    String FAILURE = "mosaic.failure";

    /** @return how many recorded deployments (adapters and module versions, every environment) are being restored */
    int deployments();

    /** @return how many of them have been installed in the framework so far */
    int installed();
}
