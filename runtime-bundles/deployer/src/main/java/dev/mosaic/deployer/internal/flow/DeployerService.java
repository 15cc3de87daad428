package dev.mosaic.deployer.internal.flow;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.mosaic.deployer.internal.checks.ApiFit;
import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.BackendInfo;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.Health;
import dev.mosaic.deployer.HistoryEntry;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.PolicyReport;
import dev.mosaic.deployer.RouteView;
import dev.mosaic.deployer.internal.framework.Installer;
import dev.mosaic.deployer.internal.framework.PlatformPackages;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.store.ArtifactStore;

/**
 * The {@link Deployer} service: each operation is one flow's.
 *
 * <pre>
 *   deploy ──► Deploys ──► Intake (read, check) ──┬─► AdapterFlow  (deploy, promote, rollback)
 *   promote ─┘                                     └─► ReleaseFlow  (release, promote)
 *   yank, unyank, adopt ─────────────────────────────► RebindFlow
 *   undeploy, ttl, expiry, sunset ───────────────────► RemovalFlow
 *   backend set, backend rm ─────────────────────────► BackendFlow (and every adapter placement checks it)
 *   deploy --canary, split, canary promote/abort ─────► CanaryFlow
 *   rollout pause/resume, (judge thread) verdicts ────► RolloutFlow ──► Judge (samples the gateway's answers)
 *   (start-up) ──────────────────────────────────────► RestoreFlow
 *   list, routes, history, health ───────────────────► Views
 * </pre>
 *
 * Every flow plans on a copy of the registry and hands the plan to the {@link ChangeProtocol}.
 */
public final class DeployerService implements Deployer {

    private final Context ctx;
    private final Deploys deploys;
    private final AdapterFlow adapters;
    private final RebindFlow rebinds;
    private final RemovalFlow removals;
    private final RestoreFlow restore;
    private final BackendFlow backends;
    private final CanaryFlow canaries;
    private final RolloutFlow rollouts;

    public DeployerService(Settings settings, RecordedState state, ArtifactStore store, Installer installer,
            PlatformPackages platform, Changes changes, ChangeProtocol protocol, Views views, Listeners listeners,
            Map<UnitKey, String> problems, Supplier<Instant> clock, dev.mosaic.backends.Backends egress,
            Supplier<dev.mosaic.deployer.ApiBaseliner> baseliner, dev.mosaic.gateway.Gateway gateway) {
        this.ctx = new Context(settings, state, store, installer, platform, changes, protocol, views, problems, clock,
                new ApiFit(a -> store.path(a.name(), a.version())), baseliner,
                new java.util.concurrent.atomic.AtomicReference<>());
        Intake intake = new Intake(store, state, settings, platform);
        this.adapters = new AdapterFlow(ctx, intake);
        this.deploys = new Deploys(ctx, intake, adapters, new ReleaseFlow(ctx), new CanaryFlow(ctx));
        this.rebinds = new RebindFlow(ctx);
        this.removals = new RemovalFlow(ctx);
        this.backends = new BackendFlow(ctx, egress);
        this.canaries = new CanaryFlow(ctx);
        this.rollouts = new RolloutFlow(ctx, canaries, gateway);
        this.restore = new RestoreFlow(ctx, listeners, deploys, backends);
    }

    /** Removes tenant bundles the framework's cache kept from a previous run; before the restore. */
    public void removeStrayTenants(org.osgi.framework.BundleContext context) {
        restore.removeStrayTenants(context);
    }

    /** @return what applies the changes other instances of the fleet commit to the store */
    public RemoteApply remoteApply(RemoteApply.Store store) {
        return new RemoteApply(ctx, backends, store);
    }

    /** Restores the recorded deployments (seeding an empty registry); for the component's restore thread. */
    public void restore() {
        restore.restore();
    }

    /** Undeploys what has expired; for the component's TTL thread. */
    public void expireDue() {
        removals.expireDue();
    }

    @Override
    public DeployResult deploy(byte[] jar, DeployOptions options) throws DeployException {
        return deploys.deploy(new ByteArrayInputStream(jar == null ? new byte[0] : jar), options);
    }

    @Override
    public DeployResult canary(InputStream jar, DeployOptions options, int percent, String stickyKey,
            dev.mosaic.deployer.Judgement judgement) throws DeployException {
        return deploys.canary(jar, options, percent, stickyKey, judgement, null);
    }

    @Override
    public DeployResult rollInWaves(InputStream jar, DeployOptions options, List<String> groups,
            dev.mosaic.deployer.Judgement judgement) throws DeployException {
        return deploys.canary(jar, options, 0, null, judgement, groups);
    }

    @Override
    public List<dev.mosaic.deployer.RolloutInfo> rollouts() {
        return rollouts.list();
    }

    @Override
    public DeployResult pauseRollout(String environment, String name, String actor, boolean dryRun) throws DeployException {
        return rollouts.pause(environment, name, actor, dryRun);
    }

    @Override
    public DeployResult resumeRollout(String environment, String name, String actor, boolean dryRun) throws DeployException {
        return rollouts.resume(environment, name, actor, dryRun);
    }

    /** Joins a fleet: rollouts in waves go over its groups, and judgements use every instance's requests. */
    public void inFleet(FleetView fleet) {
        ctx.fleetView().set(fleet);
        ctx.protocol().inGroup(fleet.group());
    }

    /** @return what judges the canaries on the requests the gateway answers; for the component's judge thread */
    public Judge judge() {
        return rollouts.judge();
    }

    @Override
    public DeployResult split(String environment, String name, Map<String, Integer> weights, String stickyKey, String actor,
            boolean dryRun) throws DeployException {
        return canaries.split(environment, name, weights, stickyKey, actor, dryRun);
    }

    @Override
    public DeployResult promoteCanary(String environment, String name, String version, String actor, boolean dryRun)
            throws DeployException {
        return canaries.promote(environment, name, version, actor, dryRun);
    }

    @Override
    public DeployResult abortCanary(String environment, String name, String actor, boolean dryRun) throws DeployException {
        return canaries.abort(environment, name, actor, dryRun);
    }

    @Override
    public PolicyReport check(byte[] jar, String environment) throws DeployException {
        return deploys.check(new ByteArrayInputStream(jar == null ? new byte[0] : jar), environment);
    }

    @Override
    public DeployResult deploy(InputStream jar, DeployOptions options) throws DeployException {
        return deploys.deploy(jar, options);
    }

    @Override
    public PolicyReport check(InputStream jar, String environment) throws DeployException {
        return deploys.check(jar, environment);
    }

    @Override
    public DeployResult promote(String name, String version, String fromEnvironment, String toEnvironment, String actor,
            boolean dryRun) throws DeployException {
        return deploys.promote(name, version, fromEnvironment, toEnvironment, actor, dryRun);
    }

    @Override
    public DeployResult rollback(String environment, String name, String actor, boolean dryRun) throws DeployException {
        return adapters.rollback(environment, name, actor, dryRun);
    }

    @Override
    public DeployResult yank(String environment, String name, String version, String actor, boolean dryRun)
            throws DeployException {
        return rebinds.setYanked(environment, name, version, actor, true, dryRun);
    }

    @Override
    public DeployResult unyank(String environment, String name, String version, String actor, boolean dryRun)
            throws DeployException {
        return rebinds.setYanked(environment, name, version, actor, false, dryRun);
    }

    @Override
    public DeployResult adopt(String environment, String name, String actor, boolean dryRun) throws DeployException {
        return rebinds.adopt(environment, name, actor, dryRun);
    }

    @Override
    public DeployResult undeploy(String environment, String name, String version, boolean force, String actor,
            boolean dryRun) throws DeployException {
        return removals.undeploy(environment, name, version, force, actor, dryRun);
    }

    @Override
    public DeployResult setTtl(String environment, String name, String version, String ttl, String actor, boolean dryRun)
            throws DeployException {
        return removals.setTtl(environment, name, version, ttl, actor, dryRun);
    }

    @Override
    public List<DeploymentInfo> sunsetCandidates(String environment, String unusedFor) throws DeployException {
        return removals.sunsetCandidates(environment, unusedFor);
    }

    @Override
    public DeployResult sunset(String environment, String module, String version, String unusedFor, String actor,
            boolean dryRun) throws DeployException {
        return removals.sunset(environment, module, version, unusedFor, actor, dryRun);
    }

    @Override
    public DeployResult setBackend(String environment, String name, Map<String, List<String>> options, String actor,
            boolean dryRun) throws DeployException {
        return backends.set(environment, name, options, actor, dryRun);
    }

    @Override
    public DeployResult removeBackend(String environment, String name, boolean force, String actor, boolean dryRun)
            throws DeployException {
        return backends.remove(environment, name, force, actor, dryRun);
    }

    @Override
    public List<BackendInfo> backends(String environment) {
        return backends.list(environment);
    }

    @Override
    public List<DeploymentInfo> list(String environment, String owner, Kind kind) {
        return ctx.views().list(environment, owner, kind);
    }

    @Override
    public List<RouteView> routes() {
        return ctx.views().routes();
    }

    @Override
    public List<HistoryEntry> history(int limit, String environment, String name) {
        return ctx.views().history(limit, environment, name);
    }

    @Override
    public String misfit(String environment, String consumer, String consumerVersion, String module, String moduleVersion) {
        return ctx.state().read(r -> {
            var c = r.artifact(consumer, consumerVersion);
            var m = r.artifact(module, moduleVersion);
            if (c == null || m == null || !ctx.store().contains(consumer, consumerVersion) || !ctx.store().contains(module, moduleVersion)) {
                return null;
            }
            return ctx.fit().misfit(c, m);
        });
    }

    @Override
    public Health health() {
        return ctx.views().health();
    }
}
