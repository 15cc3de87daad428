package dev.mosaic.deployer;

/**
 * A package a bundle imports, and the versions it accepts.
 */
public class ImportInfo {
    /** The package. */
    public String pkg;
    /** The version range, e.g. {@code [1.0.0,2.0.0)}. */
    public String range;
    /** {@code resolution:=optional}. */
    public boolean optional;

    @Override
    public String toString() {
        return pkg + " " + range + (optional ? " (optional)" : "");
    }
}
