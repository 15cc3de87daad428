package dev.mosaic.deployer;

import java.io.InputStream;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Every change to what Mosaic runs, and every question about it. The Gogo commands, the
 * HTTP management API and the CLI all call this one service.
 *
 * <p>All changes are make-before-break: the new state is installed, resolved, started and
 * checked next to the one that is serving, recorded durably, then switched to atomically;
 * what it replaces is retired once its running requests have finished. A change that fails
 * before the switch changes nothing and throws a {@link DeployException} saying what was
 * wrong and where.
 *
 * <p>Every change can be asked for as a dry run: the same checks and the same plan, and then
 * nothing is written, installed or switched; the result says what would happen
 * ({@link DeployResult#dryRun()}) and what would make it fail ({@link DeployResult#problems()}),
 * or the dry run is refused with the exception the change would be refused with.
 *
 * <p>Changes are serialised; queries can run at any time.
 */
@ProviderType
public interface Deployer {

    /**
     * Deploys a bundle: an adapter (replacing the adapter of the same name in the
     * environment) or a shared-module version (a release: consumers whose import range
     * admits it and who take updates automatically move to it).
     *
     * @param jar the bundle's bytes
     * @param options environment, actor, and flags
     * @return what changed: the deployment, the version it replaced, the consumers that moved
     * @throws DeployException if the bundle is invalid, conflicts, or cannot run
     */
    DeployResult deploy(byte[] jar, DeployOptions options) throws DeployException;

    /**
     * {@link #deploy(byte[], DeployOptions)}, the bundle read from a stream as it arrives into
     * a file of the store, never whole in memory, and refused as soon as it passes the upload
     * limit ({@code mosaic.deploy.maxBytes}). The stream is read to its end, not closed.
     *
     * @since 2.1
     */
    DeployResult deploy(InputStream jar, DeployOptions options) throws DeployException;

    /**
     * Says what the deploy policy makes of a bundle in an environment, changing nothing: every
     * finding, refused or reported, and the exemption that would allow what is refused.
     *
     * @throws DeployException if it is not a bundle Mosaic runs
     */
    PolicyReport check(byte[] jar, String environment) throws DeployException;

    /**
     * {@link #check(byte[], String)}, the bundle read from a stream as {@link #deploy(InputStream, DeployOptions)} reads it.
     *
     * @since 2.1
     */
    PolicyReport check(InputStream jar, String environment) throws DeployException;

    /**
     * Removes an adapter (its routes answer 404 afterwards) or a shared-module version.
     * A module version anybody is wired to is refused unless {@code force} is set, in which
     * case its consumers first move to the best other version in their range.
     *
     * @param version the module version; {@code null} for an adapter
     */
    default DeployResult undeploy(String environment, String name, String version, boolean force, String actor)
            throws DeployException {
        return undeploy(environment, name, version, force, actor, false);
    }

    /** {@link #undeploy}, or with {@code dryRun} only the checks and the plan: what it would do; nothing changes. */
    DeployResult undeploy(String environment, String name, String version, boolean force, String actor, boolean dryRun)
            throws DeployException;

    /** Puts back the adapter version that served before the current one. */
    default DeployResult rollback(String environment, String name, String actor) throws DeployException {
        return rollback(environment, name, actor, false);
    }

    /** {@link #rollback}, or with {@code dryRun} what it would do; nothing changes. */
    DeployResult rollback(String environment, String name, String actor, boolean dryRun) throws DeployException;

    /**
     * Withdraws a module version: nothing new binds to it and its consumers move to the best
     * remaining version in their range. Refused if a consumer would be left with none.
     */
    default DeployResult yank(String environment, String name, String version, String actor) throws DeployException {
        return yank(environment, name, version, actor, false);
    }

    /** {@link #yank}, or with {@code dryRun} who would move; nothing changes. */
    DeployResult yank(String environment, String name, String version, String actor, boolean dryRun) throws DeployException;

    /** Makes a yanked module version available again; consumers that take updates move back to it. */
    default DeployResult unyank(String environment, String name, String version, String actor) throws DeployException {
        return unyank(environment, name, version, actor, false);
    }

    /** {@link #unyank}, or with {@code dryRun} who would move; nothing changes. */
    DeployResult unyank(String environment, String name, String version, String actor, boolean dryRun) throws DeployException;

    /**
     * Moves a consumer with manual uptake ({@code Mosaic-Uptake: manual}) to the newest
     * versions its import ranges admit.
     */
    default DeployResult adopt(String environment, String name, String actor) throws DeployException {
        return adopt(environment, name, actor, false);
    }

    /** {@link #adopt}, or with {@code dryRun} where it would move; nothing changes. */
    DeployResult adopt(String environment, String name, String actor, boolean dryRun) throws DeployException;

    /**
     * Deploys an adapter version next to the serving one, as a canary with a share of its
     * requests (the serving version keeps the rest). Since 2.4.
     *
     * @param percent the canary's share, 0 to 100 (0: only requests naming its version reach it)
     * @param stickyKey {@code header:NAME} or {@code query:NAME}: a client keeps its version; null: random per request
     * @param judgement how it is judged against the serving version (a failing verdict takes it away); null: not
     *        judged, the operator promotes or aborts it
     */
    DeployResult canary(InputStream jar, DeployOptions options, int percent, String stickyKey, Judgement judgement)
            throws DeployException;

    /**
     * Rolls an adapter version out over the fleet's groups in waves: the first group's instances
     * serve every request with it, the others keep the serving version; each next group gets it
     * once the groups before have applied it and its judgement against the serving version (on
     * every instance's requests) passed for the bake; after the last, it is promoted. A failing
     * verdict takes it away from every group (they serve the version before again); no verdict by
     * a wave's deadline halts the rollout. Only in a fleet. Since 2.4.
     *
     * @param groups the fleet's groups, in order; each must have a live instance
     * @param judgement how each wave is judged ({@code promote} is implied)
     */
    DeployResult rollInWaves(InputStream jar, DeployOptions options, java.util.List<String> groups, Judgement judgement)
            throws DeployException;

    /** @return the judged canaries, in every environment, with this instance's latest verdict on each. Since 2.4. */
    java.util.List<RolloutInfo> rollouts();

    /** Suspends a canary's judgement: no verdict takes it away or promotes it until resumed. Since 2.4. */
    DeployResult pauseRollout(String environment, String name, String actor, boolean dryRun) throws DeployException;

    /**
     * Starts a paused or halted canary's judgement again, on the requests that come next, with its
     * bake and deadline counted from now. Since 2.4.
     */
    DeployResult resumeRollout(String environment, String name, String actor, boolean dryRun) throws DeployException;

    /**
     * Changes the shares of an adapter's versions (the serving one and its canaries), version to
     * percent, adding up to 100; a version not named gets 0. Since 2.4.
     */
    DeployResult split(String environment, String name, java.util.Map<String, Integer> weights, String stickyKey, String actor,
            boolean dryRun) throws DeployException;

    /** Makes a canary (null: the only one) the adapter's only version; the others go. Since 2.4. */
    DeployResult promoteCanary(String environment, String name, String version, String actor, boolean dryRun)
            throws DeployException;

    /** Takes the adapter's canaries away: the serving version takes every request again. Since 2.4. */
    DeployResult abortCanary(String environment, String name, String actor, boolean dryRun) throws DeployException;

    /**
     * Deploys to another environment exactly the artifact (same bytes, same SHA-256) a
     * deployment uses in its environment: build once, deploy anywhere.
     *
     * @param version the version to promote; {@code null} for the adapter's current one
     */
    default DeployResult promote(String name, String version, String fromEnvironment, String toEnvironment, String actor)
            throws DeployException {
        return promote(name, version, fromEnvironment, toEnvironment, actor, false);
    }

    /** {@link #promote}, or with {@code dryRun} what it would do and what would fail; nothing changes. */
    DeployResult promote(String name, String version, String fromEnvironment, String toEnvironment, String actor,
            boolean dryRun) throws DeployException;

    /**
     * Sets how long a deployment lives from now ({@code 12h}, {@code 7d}, {@code none}).
     *
     * @param version the module version; {@code null} for an adapter
     */
    default DeployResult setTtl(String environment, String name, String version, String ttl, String actor)
            throws DeployException {
        return setTtl(environment, name, version, ttl, actor, false);
    }

    /** {@link #setTtl}, or with {@code dryRun} when it would expire; nothing changes. */
    DeployResult setTtl(String environment, String name, String version, String ttl, String actor, boolean dryRun)
            throws DeployException;

    /**
     * @param environment an environment, or {@code null} for all
     * @param unusedFor how long a module version must have had no consumer ({@code 30d}); {@code null} for the default
     * @return the module versions nobody has been bound to for that long
     */
    List<DeploymentInfo> sunsetCandidates(String environment, String unusedFor) throws DeployException;

    /**
     * Undeploys {@linkplain #sunsetCandidates sunset candidates}: module versions nobody uses.
     *
     * @param module only this module, or {@code null} for every candidate
     * @param version only this version of the module (then it must be a candidate: a version
     *        in use, or unused for less than the period, is refused), or {@code null}
     */
    default DeployResult sunset(String environment, String module, String version, String unusedFor, String actor)
            throws DeployException {
        return sunset(environment, module, version, unusedFor, actor, false);
    }

    /** {@link #sunset}, or with {@code dryRun} what it would remove; nothing changes. */
    DeployResult sunset(String environment, String module, String version, String unusedFor, String actor, boolean dryRun)
            throws DeployException;

    /**
     * Declares a backend in an environment, or changes its declaration: adapters deployed there
     * that name it in {@code Mosaic-Backends} call it from then on, with its new policy. Refused if
     * an option is invalid, or a secret or store it references cannot be read on this runtime.
     *
     * @param options the declaration's options, as {@link dev.mosaic.backends.BackendSpec#parse} reads them
     * @since 2.2
     */
    DeployResult setBackend(String environment, String name, Map<String, List<String>> options, String actor, boolean dryRun)
            throws DeployException;

    /**
     * Takes a backend's declaration away from an environment. Refused while an adapter deployed
     * there names it, unless {@code force} is set: then those adapters' calls to it fail, and the
     * result and history name them.
     *
     * @since 2.2
     */
    DeployResult removeBackend(String environment, String name, boolean force, String actor, boolean dryRun)
            throws DeployException;

    /**
     * @param environment an environment, or {@code null} for all
     * @return the backends declared, with the adapters that name them
     * @since 2.2
     */
    List<BackendInfo> backends(String environment);

    /**
     * @param environment an environment, or {@code null} for all
     * @return the deployments, adapters and module versions, with their metadata and bindings
     */
    default List<DeploymentInfo> list(String environment) {
        return list(environment, null, null);
    }

    /**
     * @param environment an environment, or {@code null} for all
     * @param owner only deployments whose {@code Mosaic-Owner} is this, or {@code null}
     * @param kind only adapters or only modules, or {@code null} for both
     * @return the deployments matching all the filters
     */
    List<DeploymentInfo> list(String environment, String owner, Kind kind);

    /** @return every route served, with the adapter answering it and the module versions it is wired to */
    List<RouteView> routes();

    /**
     * @param limit at most this many entries, the newest ones
     * @return the history of changes, oldest first
     */
    default List<HistoryEntry> history(int limit) {
        return history(limit, null, null);
    }

    /**
     * The changes that concern one environment, or one adapter, module or backend, or both: the newest {@code limit} of
     * those, however far back in the history they are.
     *
     * @param limit at most this many entries, the newest ones
     * @param environment only the changes made in this environment, or null for all
     * @param name only the changes of this adapter, module or backend, and the releases and yanks that moved it (a
     *            consumer a module version's release rewired), or null for all
     * @return those changes, oldest first; empty when there are none
     */
    List<HistoryEntry> history(int limit, String environment, String name);

    /**
     * Whether a consumer's code runs on a module version it is not wired to: what it uses of the
     * module's packages (classes, methods, fields, what it implements or extends) read from both
     * bytecodes, as a release checks before moving it ({@link StayReason#INCOMPATIBLE}).
     *
     * @return null if it runs there (or either is not deployed in the environment), else what it
     *         uses that the version lacks, e.g. {@code uses Catalog.find(String), which 2.0.0 does not have}
     * @since 2.3
     */
    default String misfit(String environment, String consumer, String consumerVersion, String module, String moduleVersion) {
        return null;
    }

    /**
     * Checks the deployments and the retired bundles: a retired bundle whose class loader is
     * still reachable after a garbage collection and a grace period is reported as leaking.
     */
    Health health();
}
