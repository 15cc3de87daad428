package dev.mosaic.deployer.internal.framework;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

import org.osgi.framework.Bundle;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.store.ArtifactStore;

/**
 * The framework side of a change, as the change protocol uses it: generations of units (one
 * installed bundle each) installed next to the live ones, started, made live, and retired.
 * {@link Installer} is the one in the framework; tests of the protocol bring their own.
 */
public interface Generations {

    /** @return the generation serving for the unit, or null */
    Bundle live(UnitKey key);

    /**
     * Installs one new generation per unit, wired as {@code units} says, and resolves them together.
     *
     * @param sources where a unit's jar is, when it is not in the store yet
     * @param registry the state the change leads to
     * @return the installed, resolved bundles, modules first
     * @throws DeployException if one cannot be installed or resolved; nothing stays installed then
     */
    Map<UnitKey, Bundle> install(String env, Map<UnitKey, Map<String, String>> units, Map<UnitKey, Path> sources,
            ArtifactStore store, Registry registry) throws DeployException;

    /** Starts them, modules first, and waits for their components; nothing stays installed on failure. */
    void start(Map<UnitKey, Bundle> installed) throws DeployException;

    /** @return why a component of the bundle is not active, or null if none says */
    String componentFailure(Bundle bundle);

    /** Stops and uninstalls the bundles of a change that did not happen. */
    void discard(Collection<Bundle> bundles);

    /** Makes the bundles the serving generations of their units; the removed units have none any more. */
    void makeLive(Map<UnitKey, Bundle> installed, Collection<UnitKey> removed);

    /** Stops, uninstalls and refreshes generations that no longer serve. */
    void retire(Collection<Bundle> bundles);
}
