package dev.mosaic.deployer.internal.flow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.ImportInfo;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.MoveReason;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.Stay;
import dev.mosaic.deployer.UptakePolicy;
import dev.mosaic.deployer.internal.checks.PolicyCheck;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Event.MoveRecord;
import dev.mosaic.deployer.internal.model.Model;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Registry.Unit;
import dev.mosaic.deployer.internal.plan.Planner;

/**
 * A shared-module version joins the versions of its module in an environment (a release, or
 * the promote of a module version): consumers whose ranges admit it and who take updates
 * automatically move to it, each make-before-break, chains of modules together; the others
 * stay, and the result says why ({@link Stay}).
 */
final class ReleaseFlow {

    private final Context ctx;

    ReleaseFlow(Context ctx) {
        this.ctx = ctx;
    }

    /**
     * Called with changes held off.
     *
     * @param upload the artifact's bytes if they are not in the store yet
     * @param op {@link Operation#RELEASE} or {@link Operation#PROMOTE}
     * @param from for a promote, the environment the artifact comes from
     * @param violations for a dry run, the policy violations found on the way in
     * @param verdict what the policy says of it: findings kept with the deployment, imports left unwired
     */
    DeployResult release(String env, Artifact a, Path upload, DeployOptions options, Operation op, String from,
            List<String> violations, PolicyCheck.Verdict verdict, long start) throws DeployException {
        UnitKey key = new UnitKey(env, a.name(), a.version());
        Registry target = ctx.state().copy();
        Placement.checkKind(target, env, a);
        Unit current = target.unit(key);
        if (current != null && ctx.installer().live(key) != null) {
            return ctx.results().unchanged(op, key, a.name() + " " + a.version() + " already serves in " + env
                    + " with these exact bytes; nothing to do", start);
        }
        List<String> problems = new ArrayList<>(violations);
        checkExports(target, env, a, options.dryRun() ? problems : null);
        target.putArtifact(a);
        if (current != null) {
            target.remove(current.key);
        }
        Map<String, String> bindings = Placement.bind(target, env, a, options.dryRun() ? problems : null);
        String expiresAt = Placement.expiry(ctx, a, env, options.ttl());
        Unit unit = new Unit(key, Kind.MODULE, a.sha256(), ctx.now(), options.actor(), bindings);
        unit.expiresAt = expiresAt;
        target.put(unit);
        List<MoveRecord> moves = Rebinding.rebind(target, env, Set.of(a.name()), Set.of(), MoveReason.UPTAKE, key, null);
        List<Stay> stays = stays(target, env, a, moves);
        if (options.dryRun()) {
            problems.addAll(Placement.platformGaps(ctx, target, env, a));
            return Results.dryRun(op, "dry run: " + (problems.isEmpty() ? "would " : "would fail to ")
                    + (op == Operation.PROMOTE ? "promote " : "release ") + a.name() + " " + a.version()
                    + (from != null ? " from " + from + " to " : " in ") + env + (problems.isEmpty() ? "" : " (" + problems.size()
                    + " problem(s))") + "; " + Results.movedSummary(moves).replace("moved:", "would move:")
                    + "; nothing was changed", DeploymentInfo.planned(env, a.name(), a.version(), Kind.MODULE, a.sha256(),
                            bindings), Results.moves(env, moves), stays, problems, List.of(), start);
        }
        Map<UnitKey, Map<String, String>> install = new LinkedHashMap<>();
        install.put(key, bindings);
        Set<UnitKey> retire = new LinkedHashSet<>();
        if (current != null) {
            retire.add(current.key);
        }
        Rebinding.addMoves(env, moves, install, retire);
        Event event = Event.placing(op, env, a, bindings, expiresAt, options.actor());
        Placement.admitted(unit, event, verdict);
        event.from = from;
        event.moves = moves.isEmpty() ? null : moves;
        long seq = ctx.protocol().carryOut(new Plan(event, install, retire, target, upload));
        String summary = (op == Operation.PROMOTE ? "promoted " : "released ") + a.name() + " " + a.version()
                + (from != null ? " from " + from + " to " + env : " in " + env) + "; " + Results.movedSummary(moves)
                + (expiresAt == null ? "" : "; expires " + expiresAt);
        return ctx.results().changed(op, summary, key, null, moves, stays, List.of(), seq, start);
    }

    /** A module's packages are its own in the environment, and never the platform's. */
    private void checkExports(Registry target, String env, Artifact a, List<String> problems) throws DeployException {
        Map<String, String> owners = Planner.owners(target, env);
        Map<String, String> platform = ctx.platform().get();
        for (Model.Export e : a.exports()) {
            String owner = owners.get(e.pkg());
            String problem = null;
            String code = DeployException.CONFLICT;
            if (owner != null && !owner.equals(a.name())) {
                problem = a.name() + " " + a.version() + " exports package " + e.pkg() + ", which module " + owner
                        + " already exports in " + env + "; a package belongs to one module";
            } else if (platform.containsKey(e.pkg())) {
                problem = a.name() + " " + a.version() + " exports package " + e.pkg() + ", which the platform provides ("
                        + platform.get(e.pkg()) + "); a shared module cannot replace platform packages";
                code = DeployException.INVALID_BUNDLE;
            }
            if (problem != null) {
                if (problems == null) {
                    throw new DeployException(code, problem);
                }
                problems.add(problem);
            }
        }
    }

    /** Consumers of the released module that do not move to it, and why (the rule of {@link Stay}). */
    private static List<Stay> stays(Registry target, String env, Artifact released, List<MoveRecord> moves) {
        Set<String> moving = new HashSet<>();
        for (MoveRecord m : moves) {
            moving.add(m.name() + "@" + m.version());
        }
        List<Stay> stays = new ArrayList<>();
        Map<String, String> owners = null;
        for (Unit u : target.units(env)) {
            String on = u.bindings.get(released.name());
            if (on == null || moving.contains(u.key.name() + "@" + u.key.version()) || on.equals(released.version())) {
                continue;
            }
            Artifact consumer = target.artifact(u.key);
            if (owners == null) {
                owners = Planner.owners(target, env);
            }
            List<Model.Import> fromModule = Planner.importsFrom(owners, consumer, released.name());
            List<ImportInfo> ranges = fromModule.stream()
                    .map(i -> new ImportInfo(i.pkg(), i.range().toString(), i.optional())).toList();
            stays.add(Stay.of(env, u.key.name(), u.key.version(), u.bindings, ranges, Planner.admits(fromModule, released),
                    released.version(), false, on, consumer.manualUptake() ? UptakePolicy.MANUAL : UptakePolicy.AUTO));
        }
        return stays;
    }
}
