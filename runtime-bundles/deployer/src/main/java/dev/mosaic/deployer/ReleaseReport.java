package dev.mosaic.deployer;

import java.util.List;

/**
 * What a shared-module release changes in its API against the nearest lower version of the
 * module in the environment, as bnd's baselining reads it (the check behind
 * {@code bnd-baseline-maven-plugin}), and whether its version numbers say so.
 *
 * @param module the module
 * @param version the version released
 * @param baseline the version compared with
 * @param annotated whether the module marks its API types {@code @ProviderType} or
 *        {@code @ConsumerType}: only then is a version that understates its change refused (for
 *        others, bnd would take every interface for one consumers implement, and the consumers'
 *        own code decides, see {@link StayReason#INCOMPATIBLE})
 * @param bundleVersionNeeded the least bundle version the packages' changes call for
 * @param mismatch whether a package or the bundle has a smaller version than its change needs
 * @param packages package by package, in name order
 * @param baselineMillis how long the comparison took
 * @param consumersChecked how many consumers' code was checked against the release (see {@link StayReason#INCOMPATIBLE})
 * @param consumerCheckMillis how long those checks took (reading each consumer's classes once, then looking members up)
 * @since 2.3
 */
public record ReleaseReport(String module, String version, String baseline, boolean annotated, String bundleVersionNeeded,
        boolean mismatch, List<PackageChange> packages, double baselineMillis, int consumersChecked,
        double consumerCheckMillis) {

    public ReleaseReport {
        packages = packages == null ? List.of() : List.copyOf(packages);
    }

    /** A report of the comparison alone, before any consumer is checked. */
    public ReleaseReport(String module, String version, String baseline, boolean annotated, String bundleVersionNeeded,
            boolean mismatch, List<PackageChange> packages) {
        this(module, version, baseline, annotated, bundleVersionNeeded, mismatch, packages, 0, 0, 0);
    }

    /** @return this report with the time its comparison took, and the consumers checked */
    public ReleaseReport timed(double baselineMs, int consumers, double consumersMs) {
        return new ReleaseReport(module, version, baseline, annotated, bundleVersionNeeded, mismatch, packages, baselineMs,
                consumers, consumersMs);
    }

    /**
     * One exported package.
     *
     * @param delta bnd's delta: {@code MAJOR}, {@code MINOR}, {@code MICRO}, {@code UNCHANGED}, {@code ADDED}, {@code REMOVED}
     * @param olderVersion its version in the baseline (null if it is new)
     * @param newerVersion its version in the release (null if it is gone)
     * @param versionNeeded the least version its change calls for
     * @param mismatch whether its version is smaller than that
     * @param changes the members added, removed or changed, e.g. {@code removed method trending()} in {@code Catalog}
     */
    public record PackageChange(String pkg, String delta, String olderVersion, String newerVersion, String versionNeeded,
            boolean mismatch, List<String> changes) {

        public PackageChange {
            changes = changes == null ? List.of() : List.copyOf(changes);
        }
    }

    /** @return the report as lines for people: the verdict, then package by package */
    public List<String> lines() {
        List<String> lines = new java.util.ArrayList<>();
        lines.add(module + " " + version + " against " + baseline + ": " + (mismatch
                ? "the version understates the change (the bundle needs at least " + bundleVersionNeeded + ")"
                : "versions match the changes") + (annotated ? "" : "; API not annotated @ProviderType/@ConsumerType"));
        for (PackageChange p : packages) {
            lines.add("  " + p.pkg() + " " + (p.olderVersion() == null ? "-" : p.olderVersion()) + " -> "
                    + (p.newerVersion() == null ? "-" : p.newerVersion()) + ": " + p.delta().toLowerCase(java.util.Locale.ROOT)
                    + " change, needs " + p.versionNeeded() + (p.mismatch() ? " (MISMATCH)" : ""));
            for (String c : p.changes()) {
                lines.add("    " + c);
            }
        }
        return lines;
    }
}
