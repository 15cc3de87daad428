package dev.mosaic.deployer.internal.flow;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.internal.checks.Names;
import dev.mosaic.deployer.internal.checks.PolicyCheck;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Registry.Unit;

/**
 * An adapter takes the place of the adapter of its name in an environment: a deploy, the
 * promote of an adapter, a rollback to the version before. Its routes switch atomically
 * from the old version to the new one.
 */
final class AdapterFlow {

    private final Context ctx;
    private final Intake intake;

    AdapterFlow(Context ctx, Intake intake) {
        this.ctx = ctx;
        this.intake = intake;
    }

    /**
     * Called with changes held off.
     *
     * @param upload the artifact's bytes if they are not in the store yet
     * @param op {@link Operation#DEPLOY} or {@link Operation#PROMOTE}
     * @param from for a promote, the environment the artifact comes from
     * @param violations for a dry run, the policy violations found on the way in
     * @param verdict what the policy says of it: findings kept with the deployment, imports left unwired
     */
    DeployResult place(String env, Artifact a, java.nio.file.Path upload, DeployOptions options, Operation op, String from,
            List<String> violations, PolicyCheck.Verdict verdict, long start) throws DeployException {
        UnitKey key = new UnitKey(env, a.name(), a.version());
        Registry target = ctx.state().copy();
        Placement.checkKind(target, env, a);
        BackendFlow.checkDeclared(target, env, a);
        Unit current = target.adapter(env, a.name());
        List<String> canaries = target.versions(env, a.name()).stream().filter(u -> u.canary).map(u -> u.key.version()).toList();
        if (!canaries.isEmpty()) {
            throw new DeployException(DeployException.CONFLICT, a.name() + " has a canary in " + env + " (" + canaries
                    + " next to " + current.key.version() + "): promote it or abort it before a deploy replaces "
                    + current.key.version());
        }
        if (current != null && current.key.equals(key) && current.sha256.equals(a.sha256()) && ctx.installer().live(key) != null) {
            return ctx.results().unchanged(op, key, a.name() + " " + a.version() + " already serves in " + env
                    + " with these exact bytes; nothing to do", start);
        }
        List<String> problems = new ArrayList<>(violations);
        target.putArtifact(a);
        if (current != null) {
            target.remove(current.key);
        }
        Map<String, String> bindings = Placement.bind(target, env, a, options.dryRun() ? problems : null,
                ctx.fit().with(a, upload != null ? upload : ctx.store().path(a.name(), a.version())));
        Placement.Expiry expiry = Placement.expiry(ctx, a, env, options.ttl());
        if (options.dryRun()) {
            problems.addAll(Placement.platformGaps(ctx, target, env, a));
            return Results.dryRun(op, "dry run: " + (problems.isEmpty() ? "would " : "would fail to ")
                    + (op == Operation.PROMOTE ? "promote " : "deploy ") + a.name() + " " + a.version()
                    + (from != null ? " from " + from : "") + " to " + env
                    + (current == null ? "" : ", replacing " + current.key.version())
                    + (problems.isEmpty() ? "" : " (" + problems.size() + " problem(s))") + expiry.summary()
                    + "; nothing was changed", DeploymentInfo.planned(env, a.name(), a.version(), Kind.ADAPTER,
                            a.sha256(), bindings), List.of(), List.of(), problems, List.of(), start);
        }
        Unit unit = new Unit(key, Kind.ADAPTER, a.sha256(), ctx.now(), options.actor(), bindings);
        unit.expiresAt = expiry.at();
        target.put(unit);
        Set<UnitKey> retire = new LinkedHashSet<>();
        String replaced = null;
        if (current != null) {
            retire.add(current.key);
            replaced = current.key.version();
        }
        Event event = Event.placing(op, env, a, bindings, expiry.at(), options.actor());
        Placement.admitted(unit, event, verdict);
        event.replaced = replaced;
        event.from = from;
        long seq = ctx.protocol().carryOut(new Plan(event, Map.of(key, bindings), retire, target, upload));
        String summary = (op == Operation.PROMOTE ? "promoted " : "deployed ") + a.name() + " " + a.version()
                + (from != null ? " from " + from + " to " + env : " to " + env)
                + (replaced == null ? "" : ", replacing " + replaced) + expiry.summary();
        return ctx.results().changed(op, summary, key, replaced, List.of(), List.of(), List.of(), seq, start);
    }

    /** Puts back the adapter version that served before the current one. */
    DeployResult rollback(String environment, String name, String actor, boolean dryRun) throws DeployException {
        long start = System.nanoTime();
        String env = Names.environment(environment);
        Names.name(name);
        return ctx.changes().run(() -> {
            Registry target = ctx.state().copy();
            Unit current = target.adapter(env, name);
            if (current == null) {
                if (!target.named(env, name).isEmpty()) {
                    throw new DeployException(DeployException.INVALID_ARGUMENT, name + " is a shared module; rollback"
                            + " is for adapters. To withdraw a bad module version, yank it");
                }
                throw Lookup.notDeployed(target, env, name);
            }
            List<String> previous = target.previousVersions(env, name);
            if (previous.isEmpty()) {
                throw new DeployException(DeployException.CONFLICT, name + " " + current.key.version() + " is the first"
                        + " version deployed to " + env + "; there is no previous version to roll back to");
            }
            String version = previous.get(previous.size() - 1);
            Artifact a = target.artifact(name, version);
            if (a == null || !ctx.store().contains(name, version)) {
                throw new DeployException(DeployException.INTERNAL, "the artifact of " + name + " " + version
                        + " is missing from the store; deploy it again instead");
            }
            UnitKey key = new UnitKey(env, name, version);
            target.remove(current.key);
            BackendFlow.checkDeclared(target, env, a);
            Map<String, String> bindings = Placement.bind(target, env, a, null, ctx.fit());
            Unit unit = new Unit(key, Kind.ADAPTER, a.sha256(), ctx.now(), actor, bindings);
            Placement.Expiry expiry = Placement.expiry(ctx, a, env, null);
            unit.expiresAt = expiry.at();
            target.put(unit);
            if (dryRun) {
                return Results.dryRun(Operation.ROLLBACK, "dry run: would roll " + name + " in " + env + " back from "
                        + current.key.version() + " to " + version + expiry.summary() + "; nothing was changed",
                        DeploymentInfo.planned(env, name, version, Kind.ADAPTER, a.sha256(), bindings), List.of(), List.of(),
                        List.of(), List.of(), start);
            }
            Event event = Event.placing(Operation.ROLLBACK, env, a, bindings, expiry.at(), actor);
            // the policy of today, for what it reports and keeps unwired; a rollback is not refused for it
            Placement.admitted(unit, event, intake.admit(env, a, new java.util.ArrayList<>()));
            event.replaced = current.key.version();
            long seq = ctx.protocol().carryOut(new Plan(event, Map.of(key, bindings), Set.of(current.key), target, null));
            return ctx.results().changed(Operation.ROLLBACK, "rolled " + name + " in " + env + " back from "
                    + current.key.version() + " to " + version + expiry.summary(), key, current.key.version(), List.of(),
                    List.of(), List.of(), seq, start);
        });
    }
}
