package dev.mosaic.insight;

import java.util.List;

/** A deployment and what it imports, as a tree. */
public class DependencyNode {
    public String environment;
    public String name;
    public String version;
    /** {@code adapter}, {@code module}, or {@code platform} for the platform's own bundles. */
    public String kind;
    public List<ImportEdge> imports;
}
