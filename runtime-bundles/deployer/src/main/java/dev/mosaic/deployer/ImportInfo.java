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
        return pkg + " " + describe(range) + (optional ? " (optional)" : "");
    }

    /**
     * @param range an OSGi version range as a manifest writes it ({@code 3.17.0} means 3.17.0 and up)
     * @return it in interval notation for people: {@code [3.17.0,∞)}, and {@code (any version)} for
     *         an unversioned import; a bounded range as it is, e.g. {@code [1.0.0,2.0.0)}
     */
    public static String describe(String range) {
        org.osgi.framework.VersionRange r;
        try {
            r = new org.osgi.framework.VersionRange(range);
        } catch (IllegalArgumentException e) {
            return range;
        }
        if (r.getRight() != null) {
            return r.toString();
        }
        if (r.getLeft().equals(org.osgi.framework.Version.emptyVersion) && r.getLeftType() == org.osgi.framework.VersionRange.LEFT_CLOSED) {
            return "(any version)";
        }
        return (r.getLeftType() == org.osgi.framework.VersionRange.LEFT_CLOSED ? "[" : "(") + r.getLeft() + ",\u221e)";
    }
}
