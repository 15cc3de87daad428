package dev.mosaic.insight;

/** One import of a deployment and what serves it. */
public class ImportEdge {
    public String pkg;
    public String range;
    public boolean optional;
    /** The bundle serving it: a module, or a platform bundle; null if nothing does. */
    public String provider;
    /** The version of that bundle the import is wired to. */
    public String wired;
    /** For modules: the newest version (not yanked) in the environment that the range admits. */
    public String newestInRange;
    /** For modules: the newest version (not yanked) in the environment. */
    public String newestOverall;
    /** The newest version overall is of a higher major version than the one wired. */
    public boolean majorUpgradeAvailable;
    /** What the provider itself imports (modules only; cycles are cut). */
    public DependencyNode dependencies;
}
