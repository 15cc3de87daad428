package dev.mosaic.deployer;

import java.util.List;
import java.util.Map;

/**
 * One deployment: an adapter, or one version of a shared module, in one environment.
 *
 * @param name Bundle-SymbolicName
 * @param sha256 SHA-256 of the artifact, hex
 * @param size size of the artifact in bytes
 * @param owner {@code Mosaic-Owner}
 * @param scmCommit {@code Mosaic-SCM-Commit}
 * @param buildTime {@code Mosaic-Build-Time}
 * @param deployedAt when it was deployed (ISO-8601)
 * @param deployedBy who deployed it
 * @param uptake {@code Mosaic-Uptake}
 * @param yanked for module versions: withdrawn with {@code yank}
 * @param bindings the module versions this deployment is bound to, by module name
 * @param problem why it is not running, if it is not
 * @param metadata every {@code Mosaic-*} header and the standard descriptive headers of the bundle
 * @param expiresAt when it is undeployed automatically (ISO-8601), or null for never
 * @param unusedSince for module versions: since when no consumer is bound to it (ISO-8601), or null while in use
 * @param bundleId the framework id of the bundle serving it now, or -1 if none
 * @param exports packages it exports, with their versions
 * @param imports packages it imports ({@code java.*} left out), with their ranges
 * @param findings what the deploy policy reported of it without refusing it (e.g. reflection in a library)
 */
public record DeploymentInfo(String environment, String name, String version, Kind kind, String sha256, long size,
        String owner, String scmCommit, String buildTime, String deployedAt, String deployedBy, UptakePolicy uptake,
        boolean yanked, Map<String, String> bindings, State state, String problem, Map<String, String> metadata,
        String expiresAt, String unusedSince, long bundleId, Map<String, String> exports, List<ImportInfo> imports,
        List<String> findings) {

    public DeploymentInfo {
        findings = findings == null ? List.of() : List.copyOf(findings);
    }

    /** @return what a dry run shows of a deployment it would make: no state yet */
    public static DeploymentInfo planned(String environment, String name, String version, Kind kind, String sha256,
            Map<String, String> bindings) {
        return new DeploymentInfo(environment, name, version, kind, sha256, 0, null, null, null, null, null, null, false,
                bindings, null, null, Map.of(), null, null, -1, Map.of(), List.of(), List.of());
    }
}
