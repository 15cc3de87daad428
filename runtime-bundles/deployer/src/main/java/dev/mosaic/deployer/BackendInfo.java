package dev.mosaic.deployer;

import java.util.List;

import dev.mosaic.backends.BackendSpec;

/**
 * A backend declared in an environment, and the adapters there that name it.
 *
 * @param environment the environment
 * @param spec the declaration (secrets only as {@code env:}/{@code file:} references)
 * @param usedBy the adapters deployed there whose {@code Mosaic-Backends} names it ({@code name version})
 * @since 2.2
 */
public record BackendInfo(String environment, BackendSpec spec, List<String> usedBy) {

    public BackendInfo {
        usedBy = usedBy == null ? List.of() : List.copyOf(usedBy);
    }
}
