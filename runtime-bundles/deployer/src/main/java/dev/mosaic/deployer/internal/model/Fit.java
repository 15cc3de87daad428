package dev.mosaic.deployer.internal.model;

import dev.mosaic.deployer.internal.model.Model.Artifact;

/**
 * Whether a consumer's code can run on a module version, beyond its imports' ranges: what it
 * calls must be there. A consumer is never moved to a version it does not fit; one already
 * bound to a version stays there.
 */
public interface Fit {
    /** Every version fits: ranges alone decide. */
    Fit ANY = (consumer, module) -> null;

    /** @return null if the consumer can run on the module version, else what it uses that the version lacks */
    String misfit(Artifact consumer, Artifact module);
}
