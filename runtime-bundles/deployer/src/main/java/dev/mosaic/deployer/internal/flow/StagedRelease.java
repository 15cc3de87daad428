package dev.mosaic.deployer.internal.flow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.Judgement;
import dev.mosaic.deployer.MoveReason;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Event.MoveRecord;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.Rollout;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Registry.Unit;

/**
 * A shared-module release in waves over the fleet's groups: the release is recorded once, with
 * the consumers it moves, but each consumer keeps the bindings it had ({@link Registry#bindingsIn})
 * on the instances of the groups the release has not reached; each next wave reaches one more
 * group, whose instances then move their consumers, make-before-break. Promoted after the last
 * wave, every consumer is bound as the release said everywhere; aborted, every consumer it moved
 * goes back to its bindings before, on every instance, and the module version goes.
 *
 * <p>Every step plans on this instance's group: what changes on its instances
 * ({@link RemoteApply#plan}, as the other instances work out the same step).
 */
final class StagedRelease {

    private StagedRelease() {
    }

    /** Before a release in waves is worked out: a fleet, live groups, nothing else staged in the environment. */
    static void checkStartable(Context ctx, Registry target, String env, Artifact a, List<String> waves) throws DeployException {
        CanaryFlow.checkLiveGroups(ctx, waves);
        if (target.unit(new UnitKey(env, a.name(), a.version())) != null) {
            throw new DeployException(DeployException.CONFLICT, a.name() + " " + a.version() + " is released in " + env
                    + " already; a release in waves puts a new version out");
        }
        for (Unit u : target.units(env)) {
            if (u.kind == dev.mosaic.deployer.Kind.MODULE && u.rollout != null) {
                throw new DeployException(DeployException.CONFLICT, u.key.name() + " " + u.key.version() + " is being released"
                        + " in waves in " + env + "; one release in waves at a time per environment: wait for it, or"
                        + " rollout abort " + u.key.name());
            }
        }
    }

    /** @return the release's plan, staged: the first group's turn, planned for this instance's group */
    static Plan staged(Context ctx, Event event, Registry target, Registry current, Path upload, List<String> waves,
            Judgement judgement, List<MoveRecord> moves) {
        String now = ctx.now();
        event.groups = Set.of(waves.get(0));
        event.rollout = new Rollout(Rollout.JUDGING, now, judgement.bake().toMillis(), judgement.deadline().toMillis(),
                judgement.minRequests(), true, null, List.copyOf(waves), 0, now);
        Unit released = target.writable(new UnitKey(event.env, event.name, event.version));
        released.groups = event.groups;
        released.rollout = event.rollout;
        target.stage(event.env, event.name, event.version, moves);
        return forThisInstance(ctx, event, current, target, upload);
    }

    /** @return the change as it lands on this instance: what its group's units do (maybe nothing but the record) */
    static Plan forThisInstance(Context ctx, Event event, Registry current, Registry target, Path upload) {
        FleetView fleet = ctx.fleet();
        Plan p = RemoteApply.plan(event, event.env, current, target, fleet == null ? null : fleet.group());
        return p == null ? new Plan(event, Map.of(), Set.of(), target, upload)
                : new Plan(event, p.install(), p.retire(), target, upload);
    }

    /** @return the module version being released in waves under that name in the environment, or null */
    static Unit find(Registry registry, String env, String name) {
        for (Unit u : registry.named(env, name)) {
            if (u.kind == dev.mosaic.deployer.Kind.MODULE && u.rollout != null) {
                return u;
            }
        }
        return null;
    }

    /**
     * Ends a release in waves, with changes held off (the caller found it in {@code target}): promoted (every consumer
     * bound as the release said, on every instance) or aborted (every consumer it moved back to its bindings before,
     * on every instance; the module version goes).
     *
     * @param verdict the judgement that ends it (null: an operator does)
     */
    static DeployResult end(Context ctx, Unit released, Registry target, boolean promote, String actor, boolean dryRun,
            CanaryFlow.Verdict verdict, long start) throws DeployException {
        Registry current = ctx.state().copy();
        String env = released.key.env();
        String name = released.key.name();
        List<Unit> staged = target.staged(env, released.key.name(), released.key.version());
        Operation op = promote ? Operation.CANARY_PROMOTE : Operation.CANARY_ABORT;
        String what = name + " " + released.key.version() + " in " + env;
        if (dryRun) {
            return Results.dryRun(op, "dry run: would " + (promote ? "complete the release in waves of " + what
                    + ": its " + staged.size() + " consumer(s) bound to it on every instance" : "abort the release in waves"
                    + " of " + what + ": its " + staged.size() + " consumer(s) back to their bindings before, on every"
                    + " instance, and the version gone") + "; nothing was changed", null, List.of(), List.of(), List.of(),
                    List.of(), start);
        }
        Event event = Event.about(op, released.key, actor);
        event.verdict = verdict == null ? null : verdict.line();
        if (!promote) {
            List<MoveRecord> back = new ArrayList<>();
            for (Unit u : staged) {
                back.add(new MoveRecord(u.key.name(), u.key.version(), u.bindings, u.staged.from(),
                        MoveReason.UNDEPLOY.toString()));
            }
            event.moves = back.isEmpty() ? null : back;
        }
        target.apply(CanaryFlow.withSeq(event, target));
        long seq = ctx.protocol().carryOut(forThisInstance(ctx, event, current, target, null));
        UnitKey subject = promote ? released.key : staged.isEmpty() ? released.key : staged.get(0).key;
        return ctx.results().changed(op, (promote ? "completed the release in waves of " + what + ": its consumers are"
                + " bound to it on every instance" : "aborted the release in waves of " + what + ": " + staged.size()
                        + " consumer(s) back to their bindings before, on every instance"), subject, null,
                event.moves == null ? List.of() : event.moves, List.of(), List.of(), seq, start);
    }
}
