package dev.mosaic.insight;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Who depends on what, as the framework has actually wired it. At Netflix's scale nobody
 * sees the whole picture unless the platform rebuilds it: these answers are rebuilt from the
 * wiring of the running bundles, joined with what the deployer recorded (ranges, uptake
 * policies, yanks).
 */
@ProviderType
public interface Insight {

    /**
     * For each version of a module: the consumers wired to it, and the consumers of the
     * module wired to another version, with the reason (pinned, out of range, manual uptake,
     * yanked, on a newer version). Producers use it to follow the uptake of a fix.
     * {@code backend:NAME} names a backend instead: per environment, the adapters that call it
     * (their {@code Mosaic-Backends} names it), as {@link Dependents#wired()}, with no version.
     *
     * @param environment an environment, or {@code null} for all
     * @param version one version, or {@code null} for every version
     */
    List<Dependents> dependents(String environment, String module, String version);

    /**
     * {@link #dependents}, and with {@code transitive} also, among those wired to each version,
     * the deployments using it through other modules ({@link Consumer#via()}): an adapter on
     * commons-text is a dependent of the commons-lang3 that commons-text is wired to.
     */
    List<Dependents> dependents(String environment, String module, String version, boolean transitive);

    /**
     * Each import of a deployment, transitively: its range, the version wired, the newest
     * version in range and the newest overall.
     *
     * @param version for a module, one version or {@code null} for all; ignored for adapters
     */
    List<DependencyNode> dependencies(String environment, String name, String version);

    /**
     * @param environment an environment, or {@code null} for all
     * @param module a module, or {@code null} for every module
     * @return how many consumers sit on each version, and the share on the newest
     */
    List<Uptake> uptake(String environment, String module);

    /** @return every deployment and every wire between them, for an environment or ({@code null}) all */
    Graph graph(String environment);

    /** @return {@link #graph} as Graphviz DOT, to render with {@code dot -Tsvg} */
    String dot(String environment);
}
