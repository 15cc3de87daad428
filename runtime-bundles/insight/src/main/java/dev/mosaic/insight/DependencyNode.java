package dev.mosaic.insight;

import java.util.List;

/**
 * A deployment and what it imports, as a tree.
 *
 * @param kind {@code adapter} or {@code module}
 */
public record DependencyNode(String environment, String name, String version, dev.mosaic.deployer.Kind kind,
        List<ImportEdge> imports) {

    public DependencyNode {
        imports = List.copyOf(imports);
    }
}
