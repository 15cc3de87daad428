package dev.mosaic.insight;

import java.util.List;

/** Deployments and the wires between them. */
public class Graph {

    /** A deployment. */
    public static class Node {
        /** {@code env/name@version}. */
        public String id;
        public String environment;
        public String name;
        public String version;
        public String kind;
        public String owner;
        public boolean yanked;
        public String state;
    }

    /** A package wire from a consumer to the module version serving it. */
    public static class Edge {
        public String from;
        public String to;
        public String pkg;
        public String range;
    }

    public List<Node> nodes;
    public List<Edge> edges;
}
