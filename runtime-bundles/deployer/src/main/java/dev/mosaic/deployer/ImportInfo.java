package dev.mosaic.deployer;

/**
 * A package a bundle imports, and the versions it accepts.
 *
 * @param pkg the package
 * @param range the version range, e.g. {@code [1.0.0,2.0.0)}
 * @param optional {@code resolution:=optional}
 */
public record ImportInfo(String pkg, String range, boolean optional) {

    @Override
    public String toString() {
        return pkg + " " + range + (optional ? " (optional)" : "");
    }
}
