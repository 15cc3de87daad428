package dev.mosaic.insight;

import java.util.List;

import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.State;

/**
 * Deployments and the wires between them, and the backends adapters call.
 *
 * @param calls adapter to backend edges, from each adapter's {@code Mosaic-Backends} (since 2.1)
 */
public record Graph(List<Node> nodes, List<Edge> edges, List<Call> calls) {

    public Graph {
        nodes = List.copyOf(nodes);
        edges = List.copyOf(edges);
        calls = calls == null ? List.of() : List.copyOf(calls);
    }

    /** Deployments and wires only (the constructor of 2.0). */
    public Graph(List<Node> nodes, List<Edge> edges) {
        this(nodes, edges, List.of());
    }

    /**
     * An adapter calling a backend of its environment.
     *
     * @param from the adapter's node id
     * @param to the backend's id, {@code env/backend:name}
     * @since 2.1
     */
    public record Call(String from, String to, String environment, String backend) {
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
