package dev.mosaic.deployer.internal.flow;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.Durations;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.RolloutInfo;
import dev.mosaic.deployer.internal.checks.Names;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model.Rollout;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Registry.Unit;
import dev.mosaic.gateway.Gateway;

/**
 * A judged canary's rollout, step by step: what an operator does to it (pause, resume) and what
 * its judgement does (halt without enough requests by the deadline, pass after the bake, and,
 * through the {@link CanaryFlow}, promote or abort). Each step is a recorded change, in history and
 * in every instance of a fleet; the {@link Judge} decides the judgement's steps.
 */
final class RolloutFlow {

    static final String JUDGE = "judge";

    private final Context ctx;
    private final CanaryFlow canaries;
    private final Judge judge;

    RolloutFlow(Context ctx, CanaryFlow canaries, Gateway gateway) {
        this.ctx = ctx;
        this.canaries = canaries;
        this.judge = new Judge(ctx, this, canaries, gateway);
    }

    Judge judge() {
        return judge;
    }

    /** @return every judged canary, with this instance's latest verdict on it */
    List<RolloutInfo> list() {
        return ctx.state().read(registry -> {
            List<RolloutInfo> all = new ArrayList<>();
            for (Judge.Subject judged : Judge.rollouts(registry)) {
                Unit c = judged.unit();
                String baseline = judged.baseline();
                Rollout r = c.rollout;
                Instant started = r.started();
                all.add(new RolloutInfo(c.key.env(), c.key.name(), baseline, c.key.version(),
                        c.weight == null ? 0 : c.weight, r.state(), r.startedAt(),
                        started.plusMillis(r.bakeMillis()).toString(), started.plusMillis(r.deadlineMillis()).toString(),
                        Durations.format(Duration.ofMillis(r.bakeMillis())),
                        Durations.format(Duration.ofMillis(r.deadlineMillis())), r.minRequests(), r.promote(),
                        r.inWaves() ? r.waves() : List.of(), r.inWaves() ? r.wave() + 1 : 0,
                        r.reason(), judge.latest(c.key)));
            }
            return all;
        });
    }

    /** Judgement suspended: no verdict acts on the canary until it resumes. */
    DeployResult pause(String environment, String name, String actor, boolean dryRun) throws DeployException {
        return step(environment, name, actor, dryRun, Operation.ROLLOUT_PAUSE, (r, who) -> {
            if (!r.judged()) {
                throw new DeployException(DeployException.CONFLICT, "the rollout of " + name + " in " + environment + " is "
                        + r.state() + " already; rollout resume starts its judgement again");
            }
            return r.in(Rollout.PAUSED, null, "paused by " + who);
        }, "paused the judgement of");
    }

    /** Judgement started again, on new requests, with the bake and deadline counted from now. */
    DeployResult resume(String environment, String name, String actor, boolean dryRun) throws DeployException {
        return step(environment, name, actor, dryRun, Operation.ROLLOUT_RESUME, (r, who) -> {
            if (r.judged()) {
                throw new DeployException(DeployException.CONFLICT, "the rollout of " + name + " in " + environment + " is "
                        + r.state() + "; only a paused or halted one resumes");
            }
            return r.resumed(ctx.now());
        }, "resumed the judgement of");
    }

    /**
     * The judgement's own step: halted for want of requests, passed after its bake, or (a rollout
     * in waves) the next group's turn.
     */
    void judged(CanaryFlow.Verdict verdict, Operation op) throws DeployException {
        ctx.changes().run(() -> {
            Registry target = ctx.state().copy();
            CanaryFlow.Verdict.check(verdict, target);
            Rollout judged = verdict.judged();
            Rollout next = switch (op) {
                case ROLLOUT_HALT -> judged.in(Rollout.HALTED, null, verdict.line());
                case ROLLOUT_WAVE -> judged.nextWave(ctx.now());
                default -> judged.in(Rollout.PASSED, null, verdict.line());
            };
            Event event = Event.about(op, verdict.canary(), JUDGE);
            event.rollout = next;
            event.verdict = verdict.line();
            if (op == Operation.ROLLOUT_WAVE) {
                event.groups = new java.util.TreeSet<>(judged.waves().subList(0, next.wave() + 1));
                event.verdict = "group " + judged.waves().get(next.wave()) + " gets it after " + judged.waves().get(judged.wave())
                        + " passed: " + verdict.line();
            }
            Registry current = ctx.state().copy();
            target.apply(CanaryFlow.withSeq(event, target));
            // a module's next wave moves consumers on the instances of the group it reaches: maybe this one
            return ctx.protocol().carryOut(StagedRelease.forThisInstance(ctx, event, current, target, null));
        });
    }

    private interface Next {
        Rollout of(Rollout now, String actor) throws DeployException;
    }

    private DeployResult step(String environment, String name, String actor, boolean dryRun, Operation op, Next next,
            String verb) throws DeployException {
        long start = System.nanoTime();
        String env = Names.environment(environment);
        Names.name(name);
        return ctx.changes().run(() -> {
            Registry target = ctx.state().copy();
            Unit canary = null;
            for (Unit u : target.named(env, name)) {
                canary = u.rollout != null ? u : canary;
            }
            if (canary == null) {
                throw new DeployException(DeployException.NOT_FOUND, name + " has no judged canary or release in waves in "
                        + env + " (deploy --canary PCT or --waves GROUPS starts one)");
            }
            String who = actor == null || actor.isBlank() ? "unknown" : actor;
            Rollout after = next.of(canary.rollout, who);
            String what = name + " " + canary.key.version() + " in " + env;
            Event event = Event.about(op, canary.key, who);
            event.rollout = after;
            if (dryRun) {
                List<String> problems = new java.util.ArrayList<>();
                FleetView.check(ctx.fleet(), event, problems);
                return Results.dryRun(op, "dry run: would " + (problems.isEmpty() ? "" : "fail to ")
                        + (op == Operation.ROLLOUT_PAUSE ? "pause" : "resume") + " the judgement of " + what + " ("
                        + canary.rollout.state() + " now); nothing was changed", null, List.of(), List.of(), problems,
                        List.of(), start);
            }
            target.apply(CanaryFlow.withSeq(event, target));
            long seq = ctx.protocol().carryOut(new Plan(event, Map.of(), Set.of(), target, null));
            if (op == Operation.ROLLOUT_RESUME) {
                judge.forget(canary.key);
            }
            return ctx.results().changed(op, verb + " " + what + (op == Operation.ROLLOUT_RESUME ? ": judged on the requests"
                    + " from now, deadline " + after.started().plusMillis(after.deadlineMillis()) : ""), canary.key, null,
                    List.of(), List.of(), List.of(), seq, start);
        });
    }
}
