package dev.mosaic.deployer.internal.flow;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;

/**
 * A change worked out on a copy of the registry, ready for the {@link ChangeProtocol}.
 *
 * @param event what is recorded when the change commits (its sequence and time are set then)
 * @param install the units that get a new generation, with the bindings it is wired to
 * @param retire the units whose serving generation goes (replaced or removed)
 * @param target the registry as it is after the change
 * @param upload the new artifact's bytes, when they are not in the store yet (committed with the change)
 */
public record Plan(Event event, Map<UnitKey, Map<String, String>> install, Set<UnitKey> retire, Registry target, Path upload) {

    public String env() {
        return event.env;
    }

    public UnitKey subject() {
        return new UnitKey(event.env, event.name, event.version);
    }
}
