package dev.mosaic.deployer.internal.framework;

import java.util.Collection;

import org.osgi.framework.Bundle;
import org.osgi.framework.hooks.bundle.CollisionHook;

/**
 * Lets the deployer install a second generation of a tenant bundle (same symbolic name and
 * version, another location) next to the serving one, which is how units move
 * make-before-break. Consulted when the framework runs with
 * {@code org.osgi.framework.bsnversion=managed} (Felix's default); the launcher sets
 * {@code multiple}, where no hook is needed. Collisions of platform bundles are left alone.
 */
public final class TenantCollisionHook implements CollisionHook {

    @Override
    public void filterCollisions(int operationType, Bundle target, Collection<Bundle> collisionCandidates) {
        collisionCandidates.removeIf(TenantResolverHook::isTenant);
    }
}
