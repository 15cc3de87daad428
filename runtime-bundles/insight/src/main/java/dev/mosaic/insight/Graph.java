package dev.mosaic.insight;

import java.util.List;

import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.State;

/** Deployments and the wires between them. */
public record Graph(List<Node> nodes, List<Edge> edges) {

    public Graph {
        nodes = List.copyOf(nodes);
        edges = List.copyOf(edges);
    }

    /**
     * A deployment.
     *
     * @param id {@code env/name@version}
     */
    public record Node(String id, String environment, String name, String version, Kind kind, String owner, boolean yanked,
            State state) {
    }

    /** A package wire from a consumer to the module version serving it. */
    public record Edge(String from, String to, String pkg, String range) {
    }
}
