package dev.mosaic.deployer;

import java.util.List;
import java.util.Locale;

import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

/**
 * Why a consumer of a module is not on a given version of it: the one rule, and its one
 * wording, behind a release's dry run and result ({@link DeployResult#stays()}) and behind
 * the dependents a producer asks about (insight), so that both say the same thing.
 *
 * <p>The rule, in order: a consumer whose imports do not admit the version is
 * {@link #PINNED} (every import an exact version) or {@link #OUT_OF_RANGE}; one that admits
 * it stays because the version is {@link #YANKED}, or because it is {@link #ON_NEWER} a
 * version in range already, or because it takes updates only on {@code adopt}
 * ({@link #MANUAL_UPTAKE}); otherwise it simply has {@link #NOT_MOVED_YET}.
 */
public enum StayReason {
    PINNED, OUT_OF_RANGE, YANKED, ON_NEWER, MANUAL_UPTAKE, NOT_MOVED_YET,
    /**
     * Its ranges admit the version, but its code does not run on it: it uses a class, method or
     * field the version does not have, or implements an interface that gained an abstract
     * method (read from both bytecodes when the version is released). Not given by {@link #of}:
     * the release says so, with what is missing.
     *
     * @since 2.3
     */
    INCOMPATIBLE;

    /**
     * @param ranges the consumer's imports of the module's packages
     * @param admits whether those imports accept {@code version} (every required import satisfied by its exports)
     * @param version the module version asked about
     * @param yanked whether that version is yanked
     * @param on the version the consumer is on
     * @param uptake the consumer's uptake policy
     * @return why the consumer is on {@code on} rather than {@code version}
     */
    public static StayReason of(List<ImportInfo> ranges, boolean admits, String version, boolean yanked, String on,
            UptakePolicy uptake) {
        if (!admits) {
            return isPin(ranges) ? PINNED : OUT_OF_RANGE;
        }
        if (yanked) {
            return YANKED;
        }
        if (on != null && Version.parseVersion(on).compareTo(Version.parseVersion(version)) > 0) {
            return ON_NEWER;
        }
        return uptake == UptakePolicy.MANUAL ? MANUAL_UPTAKE : NOT_MOVED_YET;
    }

    /** @return whether every import admits exactly one version */
    public static boolean isPin(List<ImportInfo> ranges) {
        return !ranges.isEmpty() && ranges.stream().allMatch(i -> new VersionRange(i.range()).isExact());
    }

    /**
     * @return the reason in words, e.g. {@code pinned: dev.example.catalog [1.0.0,1.0.0]} or
     *         {@code out of range: dev.example.catalog [2.0.0,3.0.0) excludes 1.2.0}
     */
    public String explain(List<ImportInfo> ranges, String version, String on) {
        String imports = String.join(", ", ranges.stream().map(ImportInfo::toString).toList());
        return switch (this) {
            case PINNED -> "pinned: " + imports;
            case OUT_OF_RANGE -> "out of range: " + imports + " excludes " + version;
            case YANKED -> version + " is yanked";
            case ON_NEWER -> "on a newer version in range: " + on;
            case MANUAL_UPTAKE -> "manual uptake: stays on " + on + " until adopt";
            case NOT_MOVED_YET -> "not moved yet: on " + on;
            case INCOMPATIBLE -> "incompatible: its code does not run on " + version + "; stays on " + on;
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
