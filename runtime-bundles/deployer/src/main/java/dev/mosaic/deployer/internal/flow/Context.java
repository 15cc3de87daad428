package dev.mosaic.deployer.internal.flow;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.function.Supplier;

import dev.mosaic.deployer.ApiBaseliner;
import dev.mosaic.deployer.internal.checks.ApiFit;
import dev.mosaic.deployer.internal.framework.Installer;
import dev.mosaic.deployer.internal.framework.PlatformPackages;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.store.ArtifactStore;

/**
 * What the flows share: the recorded state, the store, the framework side, the protocol
 * every change goes through, and the clock.
 *
 * @param problems why a recorded unit is not running, by unit (set by the restore, cleared by a change)
 * @param baseliner compares a release's API with the version before it (null when the runtime has none)
 * @param fit whether consumers' code runs on module versions (see {@link ApiFit}): nobody is moved to one it does not
 * @param fleetView the fleet, once the runtime has joined one (see {@link DeployerService#inFleet})
 */
record Context(Settings settings, RecordedState state, ArtifactStore store, Installer installer, PlatformPackages platform,
        Changes changes, ChangeProtocol protocol, Views views, Map<UnitKey, String> problems, Supplier<Instant> clock,
        ApiFit fit, Supplier<ApiBaseliner> baseliner, java.util.concurrent.atomic.AtomicReference<FleetView> fleetView) {

    /** @return the fleet this runtime is an instance of, or null outside one */
    FleetView fleet() {
        return fleetView.get();
    }

    Instant instant() {
        return clock.get().truncatedTo(ChronoUnit.MILLIS);
    }

    String now() {
        return instant().toString();
    }

    Results results() {
        return new Results(views);
    }
}
