package dev.mosaic.deployer.internal.flow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mosaic.deployer.ApiBaseliner;
import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.ImportInfo;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.MoveReason;
import dev.mosaic.deployer.ReleaseReport;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.Stay;
import dev.mosaic.deployer.StayReason;
import dev.mosaic.deployer.UptakePolicy;
import dev.mosaic.deployer.internal.checks.ApiFit;
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
        return release(env, a, upload, options, op, from, violations, verdict, start, null, null);
    }

    /**
     * @param waves for a release in waves: the fleet's groups in order (its consumers move in the first group's
     *        instances only, the next group's once the one before passed its judgement); null for every instance at once
     * @param judgement how each wave is judged (with {@code waves})
     */
    DeployResult release(String env, Artifact a, Path upload, DeployOptions options, Operation op, String from,
            List<String> violations, PolicyCheck.Verdict verdict, long start, List<String> waves,
            dev.mosaic.deployer.Judgement judgement) throws DeployException {
        UnitKey key = new UnitKey(env, a.name(), a.version());
        Registry before = waves == null ? null : ctx.state().copy(); // what this instance plans a release in waves from
        Registry target = ctx.state().copy();
        if (waves != null) {
            StagedRelease.checkStartable(ctx, target, env, a, waves);
        }
        Placement.checkKind(target, env, a);
        Unit current = target.unit(key);
        if (current != null && current.sha256.equals(a.sha256()) && ctx.installer().live(key) != null) {
            return ctx.results().unchanged(op, key, a.name() + " " + a.version() + " already serves in " + env
                    + " with these exact bytes; nothing to do", start);
        }
        List<String> problems = new ArrayList<>(violations);
        checkExports(target, env, a, options.dryRun() ? problems : null);
        Path jar = upload != null ? upload : ctx.store().path(a.name(), a.version());
        Unit below = below(target, env, a);
        ReleaseReport report = below == null ? null : baseline(below, a, jar);
        boolean understates = report != null && report.annotated() && report.mismatch();
        String understated = understates && !options.allowIncompatible()
                ? a.name() + " " + a.version() + " understates its API change against " + report.baseline() + " in " + env
                        + ": it needs at least " + report.bundleVersionNeeded() + ".\n" + String.join("\n", report.lines())
                        + "\nRelease it with the versions the report names, or with --allow-incompatible to release it anyway"
                        + " (recorded in history)"
                : null;
        if (understated != null) {
            if (!options.dryRun()) {
                throw new DeployException(DeployException.INCOMPATIBLE_RELEASE, understated, report);
            }
            problems.add(understated);
        }
        target.putArtifact(a);
        if (current != null) {
            target.remove(current.key);
        }
        // the release's own code is read from its upload; consumers are never moved to a version their code does not run on
        ApiFit fit = ctx.fit().with(a, jar);
        Map<String, String> bindings = Placement.bind(target, env, a, options.dryRun() ? problems : null, fit);
        Placement.Expiry expiry = Placement.expiry(ctx, a, env, options.ttl());
        Unit unit = new Unit(key, Kind.MODULE, a.sha256(), ctx.now(), options.actor(), bindings);
        unit.expiresAt = expiry.at();
        target.put(unit);
        Map<String, String> misfits = new HashMap<>();
        List<MoveRecord> moves = Rebinding.rebind(target, env, Set.of(a.name()), Set.of(), MoveReason.UPTAKE, key, null, fit,
                misfits);
        List<Stay> stays = stays(target, env, a, moves, misfits);
        // a development build replacing its own version's bytes (where the environment allows it)
        boolean replacing = current != null && !current.sha256.equals(a.sha256());
        if (replacing) {
            String lacking = lacking(target, env, a, fit);
            if (lacking != null && !options.dryRun()) {
                throw new DeployException(DeployException.IN_USE, lacking);
            } else if (lacking != null) {
                problems.add(lacking);
            }
        }
        if (report != null) {
            report = report.timed(report.baselineMillis(), (int) fit.checks(), fit.checkMillis());
        }
        if (options.dryRun()) {
            problems.addAll(Placement.platformGaps(ctx, target, env, a));
            if (waves != null) {
                FleetView.check(ctx.fleet(), FleetView.inWaves(op, key, waves), problems);
            }
            return Results.dryRun(op, "dry run: " + (problems.isEmpty() ? "would " : "would fail to ")
                    + (op == Operation.PROMOTE ? "promote " : "release ") + a.name() + " " + a.version()
                    + (waves == null ? "" : " in waves over " + waves)
                    + (from != null ? " from " + from + " to " : " in ") + env + (problems.isEmpty() ? "" : " (" + problems.size()
                    + " problem(s))") + "; " + Results.movedSummary(moves).replace("moved:", "would move:")
                    + expiry.summary() + "; nothing was changed", DeploymentInfo.planned(env, a.name(), a.version(),
                            Kind.MODULE, a.sha256(), bindings), Results.moves(env, moves), stays, problems, List.of(), start).withReport(report);
        }
        Map<UnitKey, Map<String, String>> install = new LinkedHashMap<>();
        install.put(key, bindings);
        Set<UnitKey> retire = new LinkedHashSet<>();
        if (current != null) {
            retire.add(current.key);
        }
        Rebinding.addMoves(env, moves, install, retire);
        List<String> rewired = new ArrayList<>();
        if (replacing) {
            // a development build replacing its own version: its consumers stay bound to that version, and get a new
            // generation wired to the new bytes (the old generation is retired with them)
            for (Unit u : target.units(env)) {
                if (!u.key.equals(key) && a.version().equals(u.bindings.get(a.name())) && !install.containsKey(u.key)) {
                    install.put(u.key, u.bindings);
                    retire.add(u.key);
                    rewired.add(u.key.name() + " " + u.key.version());
                }
            }
        }
        Event event = Event.placing(op, env, a, bindings, expiry.at(), options.actor());
        if (replacing) {
            event.replaced = current.key.version(); // history says "replaced", as for an adapter's new bytes
        }
        Placement.admitted(unit, event, verdict);
        event.from = from;
        event.moves = moves.isEmpty() ? null : moves;
        if (understates) {
            event.incompatible = report.lines(); // released anyway, as the operator asked: history says so, with the report
        }
        Plan plan = new Plan(event, install, retire, target, upload);
        if (waves != null) {
            plan = StagedRelease.staged(ctx, event, target, before, upload, waves, judgement, moves);
        }
        long seq = ctx.protocol().carryOut(plan);
        String unchecked = report == null && below != null ? "; its API was NOT compared with the version"
                + " below it: the release gate is unavailable (see the runtime log)" : "";
        String summary = (op == Operation.PROMOTE ? "promoted " : "released ") + a.name() + " " + a.version()
                + (from != null ? " from " + from + " to " + env : " in " + env) + (event.replaced == null ? ""
                        : ", replacing its earlier bytes") + "; " + Results.movedSummary(moves) + (rewired.isEmpty() ? ""
                        : "; wired to the new bytes: " + String.join(", ", rewired)) + expiry.summary();
        if (waves != null) {
            summary += "; in waves over " + waves + ": they move in group " + waves.get(0) + " now, in each next group once"
                    + " the one before passed its judgement for " + judgement.bake().toSeconds() + " s";
        }
        return ctx.results().changed(op, summary + unchecked + (event.incompatible != null ? "; released with"
                + " --allow-incompatible" : ""), key, null, moves, stays, List.of(), seq, start).withReport(report);
    }

    /**
     * A development build replacing its own version moves none of its consumers: they are wired again to the new bytes.
     * Bytes without what they use (a class still being compiled, a method taken out) would fail their requests, so they
     * are refused while a consumer needs what is missing.
     *
     * @return why the new bytes cannot serve the consumers bound to the version, or null if they can
     */
    private static String lacking(Registry target, String env, Artifact a, ApiFit fit) {
        List<String> broken = new ArrayList<>();
        for (Unit u : target.units(env)) {
            Artifact consumer = target.artifact(u.key.name(), u.key.version());
            String misfit = !u.key.name().equals(a.name()) && a.version().equals(u.bindings.get(a.name())) && consumer != null
                    ? fit.misfit(consumer, a) : null;
            if (misfit != null) {
                broken.add(u.key.name() + " " + u.key.version() + ": " + misfit);
            }
        }
        return broken.isEmpty() ? null : "these bytes of " + a.name() + " " + a.version() + " lack what its consumers in "
                + env + " use, which would fail their requests: " + String.join("; ", broken) + ". The bytes serving now"
                + " keep serving: build the module whole (or change its consumers first), then release it again";
    }

    /**
     * @param below the nearest lower version of the module in the environment
     * @return the release's API against it; null in a runtime without a working baseliner
     */
    private ReleaseReport baseline(Unit below, Artifact a, Path jar) throws DeployException {
        ApiBaseliner baseliner = ctx.baseliner().get();
        if (baseliner == null) {
            return null;
        }
        long start = System.nanoTime();
        try {
            ReleaseReport r = baseliner.compare(jar, ctx.store().path(a.name(), below.key.version()));
            return r.timed((System.nanoTime() - start) / 1e6, 0, 0);
        } catch (java.io.IOException e) {
            throw new DeployException(DeployException.INVALID_BUNDLE, "the API of " + a.name() + " " + a.version()
                    + " cannot be compared with " + below.key.version() + ": " + e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            // a broken or departing gate (its bundle stopped mid-call) must not fail the release, nor a restore:
            // the release goes on, and its result says its API was not compared
            org.slf4j.LoggerFactory.getLogger(ReleaseFlow.class).warn("the release gate failed comparing {} {} with {}: {}",
                    a.name(), a.version(), below.key.version(), e.toString(), e);
            return null;
        }
    }

    /** @return the nearest lower version of the module in the environment, or null */
    private static Unit below(Registry target, String env, Artifact a) {
        org.osgi.framework.Version released = org.osgi.framework.Version.parseVersion(a.version());
        Unit below = null;
        for (Unit u : target.named(env, a.name())) {
            org.osgi.framework.Version v = org.osgi.framework.Version.parseVersion(u.key.version());
            if (u.kind == Kind.MODULE && v.compareTo(released) < 0
                    && (below == null || v.compareTo(org.osgi.framework.Version.parseVersion(below.key.version())) > 0)) {
                below = u;
            }
        }
        return below;
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
    private static List<Stay> stays(Registry target, String env, Artifact released, List<MoveRecord> moves,
            Map<String, String> misfits) {
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
            String misfit = misfits.get(u.key.name() + "@" + u.key.version());
            if (misfit != null && misfit.startsWith(released.name() + " " + released.version() + ": ")) {
                stays.add(new Stay(env, u.key.name(), u.key.version(), u.bindings, StayReason.INCOMPATIBLE, "incompatible: "
                        + misfit.substring(released.name().length() + released.version().length() + 3) + "; stays on " + on));
                continue;
            }
            stays.add(Stay.of(env, u.key.name(), u.key.version(), u.bindings, ranges, Planner.admits(fromModule, released),
                    released.version(), false, on, consumer.manualUptake() ? UptakePolicy.MANUAL : UptakePolicy.AUTO));
        }
        return stays;
    }
}
