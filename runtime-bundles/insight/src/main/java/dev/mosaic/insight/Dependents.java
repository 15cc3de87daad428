package dev.mosaic.insight;

import java.util.List;

/**
 * The consumers of one module version, and the consumers of the module that are elsewhere.
 *
 * @param newest whether this is the newest version of the module that is not yanked
 * @param wired consumers wired to this version
 * @param elsewhere consumers of the module wired to another version; {@link Consumer#reason} says why
 */
public record Dependents(String environment, String module, String version, boolean yanked, boolean newest,
        List<Consumer> wired, List<Consumer> elsewhere) {

    public Dependents {
        wired = List.copyOf(wired);
        elsewhere = List.copyOf(elsewhere);
    }
}
