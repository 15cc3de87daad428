package dev.mosaic.insight;

/**
 * One import of a deployment and what serves it.
 *
 * @param provider the bundle serving it: a module, or a platform bundle; null if nothing does
 * @param wired the version of that bundle the import is wired to
 * @param newestInRange for modules: the newest version (not yanked) in the environment that the range admits
 * @param newestOverall for modules: the newest version (not yanked) in the environment
 * @param majorUpgradeAvailable the newest version overall is of a higher major version than the one wired
 * @param dependencies what the provider itself imports (modules only; cycles are cut)
 */
public record ImportEdge(String pkg, String range, boolean optional, String provider, String wired, String newestInRange,
        String newestOverall, boolean majorUpgradeAvailable, DependencyNode dependencies) {
}
