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

    /** @return how many recorded deployments (adapters and module versions, every environment) are being restored */
    int deployments();

    /** @return how many of them have been installed in the framework so far */
    int installed();
}
