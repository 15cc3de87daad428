package dev.mosaic.insight;

import java.util.List;

/**
 * A deployment and what it imports, as a tree.
 *
 * @param kind {@code adapter} or {@code module}
 * @param backends the backends it calls ({@code Mosaic-Backends}), for an adapter (since 2.1)
 */
public record DependencyNode(String environment, String name, String version, dev.mosaic.deployer.Kind kind,
        List<ImportEdge> imports, List<String> backends) {

    public DependencyNode {
        imports = List.copyOf(imports);
        backends = backends == null ? List.of() : List.copyOf(backends);
    }

    /** A deployment that calls no backend (the constructor of 2.0). */
    public DependencyNode(String environment, String name, String version, dev.mosaic.deployer.Kind kind,
            List<ImportEdge> imports) {
        this(environment, name, version, kind, imports, List.of());
    }
}
