package dev.mosaic.deployer.internal.flow;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.RolloutInfo.Verdict;
import dev.mosaic.deployer.internal.judge.Samples;
import dev.mosaic.deployer.internal.judge.Verdicts;
import dev.mosaic.deployer.internal.model.Model.Rollout;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry.Unit;
import dev.mosaic.gateway.Gateway;

/**
 * Judges the canaries, every {@code mosaic.rollout.judgeMillis} (default 250) on its own thread:
 * follows each judged adapter's answers in the gateway ({@link Gateway#follow}), keeping the
 * canary's and the serving version's {@link Samples}, and acts on the {@link Verdicts verdict}:
 * a failing one aborts the canary at once; a passing one, once the bake is over, promotes it (if
 * asked to) or records that it passed; no verdict by the deadline halts the rollout.
 *
 * <p>In a fleet every instance judges the requests it answers itself, a random part of the
 * traffic, and the first to reach a verdict acts; the others' steps then find the rollout moved
 * on and are dropped. A restart starts the samples afresh (the bake and deadline are recorded and
 * keep counting).
 */
public final class Judge {

    private static final Logger LOG = LoggerFactory.getLogger(Judge.class);

    /** One judged canary being followed: the samples of both sides since its judgement (re)started. */
    private record Watch(Rollout rollout, String baseline, Samples baselineSamples, Samples canarySamples, AutoCloseable following) {
    }

    /** A judged canary, as the registry has it now. */
    private record Judged(UnitKey canary, String baseline, Rollout rollout) {
    }

    private final Context ctx;
    private final RolloutFlow rollouts;
    private final CanaryFlow canaries;
    private final Gateway gateway;
    /** Only the judge's thread touches it. */
    private final Map<UnitKey, Watch> watches = new HashMap<>();
    private final Map<UnitKey, Verdict> latest = new ConcurrentHashMap<>();

    Judge(Context ctx, RolloutFlow rollouts, CanaryFlow canaries, Gateway gateway) {
        this.ctx = ctx;
        this.rollouts = rollouts;
        this.canaries = canaries;
        this.gateway = gateway;
    }

    /** @return the interval of {@link #tick}, {@code mosaic.rollout.judgeMillis} */
    public long everyMillis() {
        String v = ctx.settings().properties().apply("mosaic.rollout.judgeMillis");
        return v == null || v.isBlank() ? 250 : Math.max(10, Long.parseLong(v.trim()));
    }

    Verdict latest(UnitKey canary) {
        return latest.get(canary);
    }

    /** The samples of a canary whose judgement restarts are dropped; the next tick starts new ones. */
    void forget(UnitKey canary) {
        latest.remove(canary);
    }

    /** Judges every judged canary once, and acts on the verdicts. */
    public void tick() {
        try {
            judgeAll();
        } catch (RuntimeException e) {
            LOG.error("judging the canaries failed; trying again at the next tick", e);
        }
    }

    /** Stops following every adapter. */
    public void close() {
        watches.values().forEach(Judge::unfollow);
        watches.clear();
    }

    private void judgeAll() {
        List<Judged> judged = ctx.state().read(registry -> {
            List<Judged> found = new ArrayList<>();
            for (Unit u : registry.units(null)) {
                Unit serving = u.rollout == null ? null : registry.adapter(u.key.env(), u.key.name());
                if (serving != null && u.rollout.judged()) {
                    found.add(new Judged(u.key, serving.key.version(), u.rollout));
                }
            }
            return found;
        });
        Map<UnitKey, Judged> now = new HashMap<>();
        judged.forEach(j -> now.put(j.canary, j));
        watches.entrySet().removeIf(w -> {
            Judged j = now.get(w.getKey());
            // gone, or restarted (resumed: a new start), or judged against another version now: new samples
            boolean stale = j == null || !j.rollout.startedAt().equals(w.getValue().rollout.startedAt())
                    || !j.baseline.equals(w.getValue().baseline);
            if (stale) {
                unfollow(w.getValue());
            }
            return stale;
        });
        latest.keySet().removeIf(k -> !now.containsKey(k));
        for (Judged j : judged) {
            Watch w = watches.computeIfAbsent(j.canary, k -> follow(j));
            Verdict v = Verdicts.judge(j.baseline, w.baselineSamples.seen(), j.canary.version(), w.canarySamples.seen(),
                    j.rollout.minRequests(), ctx.now());
            latest.put(j.canary, v);
            act(j, v);
        }
    }

    private Watch follow(Judged j) {
        Samples base = new Samples();
        Samples canary = new Samples();
        String canaryVersion = j.canary.version();
        AutoCloseable following = gateway.follow(j.canary.name(), j.canary.env(), served -> {
            if (canaryVersion.equals(served.version())) {
                canary.record(served.status(), served.millis());
            } else if (j.baseline.equals(served.version())) {
                base.record(served.status(), served.millis());
            }
        });
        return new Watch(j.rollout, j.baseline, base, canary, following);
    }

    private static void unfollow(Watch w) {
        try {
            w.following.close();
        } catch (Exception e) {
            LOG.debug("could not stop following a canary", e);
        }
    }

    private void act(Judged j, Verdict v) {
        Instant now = ctx.instant();
        Instant started = j.rollout.started();
        CanaryFlow.Verdict decided = new CanaryFlow.Verdict(j.canary, j.rollout, Verdicts.line(v));
        String what = j.canary.name() + " " + j.canary.version() + " in " + j.canary.env();
        try {
            if (Verdicts.FAIL.equals(v.outcome())) {
                LOG.warn("canary {} failed its judgement against {}: {}; taking it away", what, j.baseline, decided.line());
                canaries.abort(j.canary.env(), j.canary.name(), RolloutFlow.JUDGE, false, decided);
            } else if (Verdicts.PASS.equals(v.outcome()) && !now.isBefore(started.plusMillis(j.rollout.bakeMillis()))) {
                if (j.rollout.promote()) {
                    LOG.info("canary {} passed its judgement for its whole bake; promoting it", what);
                    canaries.promote(j.canary.env(), j.canary.name(), j.canary.version(), RolloutFlow.JUDGE, false, decided);
                } else if (Rollout.JUDGING.equals(j.rollout.state())) {
                    LOG.info("canary {} passed its judgement for its whole bake; rollout promote makes it the only version", what);
                    rollouts.judged(decided, Operation.ROLLOUT_PASS);
                }
            } else if (Verdicts.NOT_ENOUGH_DATA.equals(v.outcome()) && Rollout.JUDGING.equals(j.rollout.state())
                    && !now.isBefore(started.plusMillis(j.rollout.deadlineMillis()))) {
                CanaryFlow.Verdict halt = new CanaryFlow.Verdict(j.canary, j.rollout, "not enough requests by the deadline: "
                        + decided.line());
                LOG.warn("canary {} halted: {}", what, halt.line());
                rollouts.judged(halt, Operation.ROLLOUT_HALT);
            }
        } catch (DeployException e) {
            // another instance (or an operator) moved the rollout on first, or the change failed: judged again next tick
            LOG.info("the verdict on canary {} did not act: {}", what, e.getMessage());
        }
    }
}
