package dev.mosaic.deployer;

import java.util.List;
import java.util.Map;

/**
 * One deployment: an adapter, or one version of a shared module, in one environment.
 */
public class DeploymentInfo {
    public String environment;
    /** Bundle-SymbolicName. */
    public String name;
    public String version;
    /** {@code adapter} or {@code module}. */
    public String kind;
    /** SHA-256 of the artifact, hex. */
    public String sha256;
    /** Size of the artifact in bytes. */
    public long size;
    /** {@code Mosaic-Owner}. */
    public String owner;
    /** {@code Mosaic-SCM-Commit}. */
    public String scmCommit;
    /** {@code Mosaic-Build-Time}. */
    public String buildTime;
    /** When it was deployed (ISO-8601). */
    public String deployedAt;
    /** Who deployed it. */
    public String deployedBy;
    /** {@code auto} or {@code manual} ({@code Mosaic-Uptake}). */
    public String uptake;
    /** For module versions: withdrawn with {@code yank}. */
    public boolean yanked;
    /** The module versions this deployment is bound to, by module name. */
    public Map<String, String> bindings;
    /** {@code running}, or {@code failed} with the reason in {@link #problem}. */
    public String state;
    /** Why it is not running, if it is not. */
    public String problem;
    /** Every {@code Mosaic-*} header and the standard descriptive headers of the bundle. */
    public Map<String, String> metadata;
    /** When it is undeployed automatically (ISO-8601), or null for never. */
    public String expiresAt;
    /** For module versions: since when no consumer is bound to it (ISO-8601), or null while in use. */
    public String unusedSince;
    /** The framework id of the bundle serving it now, or -1 if none. */
    public long bundleId = -1;
    /** Packages it exports, with their versions. */
    public Map<String, String> exports;
    /** Packages it imports (java.* left out), with their ranges. */
    public List<ImportInfo> imports;
}
