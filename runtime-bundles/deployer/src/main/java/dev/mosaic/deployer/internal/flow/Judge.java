package dev.mosaic.deployer.internal.flow;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.RolloutInfo.Verdict;
import dev.mosaic.deployer.internal.judge.Samples;
import dev.mosaic.deployer.internal.judge.Verdicts;
import dev.mosaic.deployer.internal.model.Model.Rollout;
import dev.mosaic.deployer.internal.model.Model.SampleRow;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Registry.Unit;
import dev.mosaic.gateway.Gateway;

/**
 * Judges the canaries, every {@code mosaic.rollout.judgeMillis} (default 250) on its own thread:
 * follows each judged adapter's answers in the gateway ({@link Gateway#follow}), keeping the
 * canary's and the serving version's {@link Samples}, and acts on the {@link Verdicts verdict}:
 * a failing one aborts the canary at once; a passing one, once the bake is over, promotes it (if
 * asked to) or records that it passed, or, for a rollout in waves whose groups have applied the
 * current wave, gives the next group its turn (the last wave passed: promoted); no verdict by
 * the deadline halts the rollout.
 *
 * <p>In a fleet every instance shares its samples through the store (its most recent
 * {@value #SHARED} requests a side, about once a second) and judges on everyone's: in a wave,
 * the new version serves in some groups and the old one in the others, so neither instance sees
 * both. The instances reach the same verdict; the first to act does, the others find the
 * rollout moved on. A restart starts this instance's samples afresh (the bake and deadline are
 * recorded and keep counting).
 */
public final class Judge {

    private static final Logger LOG = LoggerFactory.getLogger(Judge.class);

    /** How many of its most recent requests a side each instance of a fleet shares. */
    static final int SHARED = 2000;
    private static final long PUBLISH_EVERY_MILLIS = 1000;

    /** One judged canary being followed: the samples of both sides since its judgement (re)started. */
    private static final class Watch {
        final Rollout rollout;
        final String baseline;
        final Samples baselineSamples = new Samples();
        final Samples canarySamples = new Samples();
        final List<AutoCloseable> following = new ArrayList<>();
        long publishedAt;
        /** For a release in waves: whether it has reached this instance's group (its consumers' requests are the canary's). */
        volatile boolean reached;

        Watch(Rollout rollout, String baseline) {
            this.rollout = rollout;
            this.baseline = baseline;
        }
    }

    /**
     * A judged canary, or a release in waves, as the registry has it now (at revision {@code seq}).
     *
     * @param consumers for a release: the adapters it moves, whose requests are judged (by group: those of the groups
     *        it has reached are the canary's); null for an adapter's canary (judged by the version that answered)
     * @param reached for a release: whether it has reached this instance's group
     */
    private record Judged(UnitKey canary, String baseline, Rollout rollout, long seq, List<String> consumers, boolean reached) {
    }

    /** A unit under judgement (a canary, or a module released in waves), with what it is compared with. */
    record Subject(Unit unit, String baseline) {
    }

    /** @return every canary and release in waves of the registry, with what each is compared with */
    static List<Subject> rollouts(Registry registry) {
        List<Subject> found = new ArrayList<>();
        for (Unit u : registry.units(null)) {
            String baseline = u.rollout == null ? null : baselineOf(registry, u);
            if (baseline != null) {
                found.add(new Subject(u, baseline));
            }
        }
        return found;
    }

    /**
     * @return the adapters whose requests judge a release in waves: those it moved, and those bound to a module it moved,
     *         through any chain of modules (a release that moved only modules runs in their adapters all the same)
     */
    static List<String> judgedAdapters(Registry registry, Unit release) {
        String env = release.key.env();
        Set<String> adapters = new TreeSet<>();
        Set<UnitKey> seen = new HashSet<>();
        Deque<Unit> moved = new ArrayDeque<>(registry.staged(env, release.key.name(), release.key.version()));
        while (!moved.isEmpty()) {
            Unit u = moved.poll();
            if (!seen.add(u.key)) {
                continue;
            }
            if (u.kind == dev.mosaic.deployer.Kind.ADAPTER) {
                adapters.add(u.key.name());
            } else {
                moved.addAll(registry.consumersOf(env, u.key.name(), u.key.version()));
            }
        }
        return List.copyOf(adapters);
    }

    /**
     * @return what a judged unit is compared with: a canary's serving version, or the version a release in waves moved
     *         its consumers from; null when it is neither
     */
    static String baselineOf(Registry registry, Unit u) {
        if (u.kind == dev.mosaic.deployer.Kind.MODULE) {
            for (Unit c : registry.staged(u.key.env(), u.key.name(), u.key.version())) {
                String from = c.staged.from().get(u.key.name());
                if (from != null) {
                    return from;
                }
            }
            return "-";
        }
        Unit serving = registry.adapter(u.key.env(), u.key.name());
        return serving == null ? null : serving.key.version();
    }

    private final Context ctx;
    private final RolloutFlow rollouts;
    private final CanaryFlow canaries;
    private final Gateway gateway;
    /** Only the judge's thread touches it. */
    private final Map<UnitKey, Watch> watches = new HashMap<>();
    private final Map<UnitKey, Verdict> latest = new ConcurrentHashMap<>();
    /** Why a verdict last could not act, by what it judges: the same reason is logged once, not at every tick. */
    private final Map<String, String> unableBecause = new ConcurrentHashMap<>();
    /** Whether the last exchange of samples with the store failed (said once, until one succeeds). */
    private boolean storeTrouble;

    Judge(Context ctx, RolloutFlow rollouts, CanaryFlow canaries, Gateway gateway) {
        this.ctx = ctx;
        this.rollouts = rollouts;
        this.canaries = canaries;
        this.gateway = gateway;
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
        FleetView fleet = ctx.fleet();
        List<Judged> judged = ctx.state().read(registry -> {
            List<Judged> found = new ArrayList<>();
            for (Subject r : rollouts(registry)) {
                Unit u = r.unit();
                String baseline = r.baseline();
                if (u.rollout.judged()) {
                    List<String> consumers = null;
                    if (u.kind == dev.mosaic.deployer.Kind.MODULE) {
                        consumers = judgedAdapters(registry, u);
                    }
                    boolean reached = fleet != null && u.groups != null && u.groups.contains(fleet.group());
                    found.add(new Judged(u.key, baseline, u.rollout, registry.sequence(), consumers, reached));
                }
            }
            return found;
        });
        Map<UnitKey, Judged> now = new HashMap<>();
        judged.forEach(j -> now.put(j.canary, j));
        watches.entrySet().removeIf(w -> {
            Judged j = now.get(w.getKey());
            // gone, or restarted (resumed: samples anew), or judged against another version now
            boolean stale = j == null || !j.rollout.samplesSince().equals(w.getValue().rollout.samplesSince())
                    || !j.baseline.equals(w.getValue().baseline);
            if (stale) {
                unfollow(w.getValue());
            }
            return stale;
        });
        latest.keySet().removeIf(k -> !now.containsKey(k));
        for (Judged j : judged) {
            Watch w = watches.computeIfAbsent(j.canary, k -> follow(j));
            w.reached = j.reached;
            Verdict v;
            try {
                v = fleet == null ? Verdicts.judge(j.baseline, w.baselineSamples.seen(), j.canary.version(),
                        w.canarySamples.seen(), j.rollout.minRequests(), ctx.now()) : pooled(fleet, j, w);
            } catch (IOException e) {
                if (!storeTrouble) { // once per outage, not four times a second
                    LOG.info("the samples of canary {} cannot be shared through the store now ({}); judged again when it"
                            + " answers", j.canary, e.getMessage());
                }
                storeTrouble = true;
                continue;
            }
            storeTrouble = false;
            latest.put(j.canary, v);
            act(j, v, fleet);
        }
    }

    /** @return the verdict on every instance's samples: this one's shared first (about once a second), then all read */
    private Verdict pooled(FleetView fleet, Judged j, Watch w) throws IOException {
        String since = j.rollout.samplesSince();
        Samples.Seen base = w.baselineSamples.seen(SHARED);
        Samples.Seen canary = w.canarySamples.seen(SHARED);
        long t = System.currentTimeMillis();
        if (t - w.publishedAt >= PUBLISH_EVERY_MILLIS) {
            fleet.publish(List.of(
                    new SampleRow(fleet.instance(), j.canary.env(), j.canary.name(), j.baseline, since, base.requests(),
                            base.errors(), base.encoded()),
                    new SampleRow(fleet.instance(), j.canary.env(), j.canary.name(), j.canary.version(), since,
                            canary.requests(), canary.errors(), canary.encoded())));
            w.publishedAt = t;
        }
        List<Samples.Seen> bases = new ArrayList<>(List.of(base));
        List<Samples.Seen> canaries = new ArrayList<>(List.of(canary));
        for (SampleRow r : fleet.samples(j.canary.env(), j.canary.name(), since)) {
            if (r.instance().equals(fleet.instance())) {
                continue; // this instance's own, as of now rather than as last shared
            }
            Samples.Seen seen = Samples.Seen.decoded(r.requests(), r.errors(), r.window());
            if (r.version().equals(j.baseline)) {
                bases.add(seen);
            } else if (r.version().equals(j.canary.version())) {
                canaries.add(seen);
            }
        }
        return Verdicts.judge(j.baseline, Samples.Seen.pooled(bases), j.canary.version(), Samples.Seen.pooled(canaries),
                j.rollout.minRequests(), ctx.now());
    }

    private Watch follow(Judged j) {
        Watch w = new Watch(j.rollout, j.baseline);
        String canaryVersion = j.canary.version();
        if (j.consumers != null) {
            // a release: its consumers' requests, the canary's where it has reached this instance's group
            for (String consumer : j.consumers) {
                w.following.add(gateway.follow(consumer, j.canary.env(),
                        served -> (w.reached ? w.canarySamples : w.baselineSamples).record(served.status(), served.millis())));
            }
            return w;
        }
        w.following.add(gateway.follow(j.canary.name(), j.canary.env(), served -> {
            if (canaryVersion.equals(served.version())) {
                w.canarySamples.record(served.status(), served.millis());
            } else if (j.baseline.equals(served.version())) {
                w.baselineSamples.record(served.status(), served.millis());
            }
        }));
        return w;
    }

    private static void unfollow(Watch w) {
        for (AutoCloseable f : w.following) {
            try {
                f.close();
            } catch (Exception e) {
                LOG.debug("could not stop following a canary", e);
            }
        }
    }

    /** @return whether every group of the current wave and before has applied the revision the judgement read */
    private static boolean waveApplied(FleetView fleet, Judged j) {
        try {
            Map<String, Long> live = fleet.liveGroups();
            for (String g : j.rollout.waves().subList(0, j.rollout.wave() + 1)) {
                Long applied = live.get(g);
                if (applied == null || applied < j.seq) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void act(Judged j, Verdict v, FleetView fleet) {
        Instant now = ctx.instant();
        Instant started = j.rollout.started();
        CanaryFlow.Verdict decided = new CanaryFlow.Verdict(j.canary, j.rollout, Verdicts.line(v));
        String what = (j.consumers != null ? "the release in waves of " : j.rollout.inWaves() ? "the rollout in waves of "
                : "canary ") + j.canary.name() + " " + j.canary.version() + " in " + j.canary.env();
        try {
            if (Verdicts.FAIL.equals(v.outcome())) {
                canaries.abort(j.canary.env(), j.canary.name(), RolloutFlow.JUDGE, false, decided);
                LOG.warn("{} failed its judgement against {}: {}; taken away", what, j.baseline, decided.line());
            } else if (Verdicts.PASS.equals(v.outcome()) && !now.isBefore(started.plusMillis(j.rollout.bakeMillis()))) {
                if (j.rollout.inWaves() && (fleet == null || !waveApplied(fleet, j))) {
                    return; // the wave's groups have not all applied it yet
                }
                if (j.rollout.inWaves() && !j.rollout.lastWave()) {
                    rollouts.judged(decided, Operation.ROLLOUT_WAVE);
                    LOG.info("{} passed its judgement in wave {} ({}); group {} gets it", what, j.rollout.wave() + 1,
                            j.rollout.waves().get(j.rollout.wave()), j.rollout.waves().get(j.rollout.wave() + 1));
                } else if (j.rollout.promote()) {
                    canaries.promote(j.canary.env(), j.canary.name(), j.canary.version(), RolloutFlow.JUDGE, false, decided);
                    LOG.info("{} passed its judgement for its whole bake; promoted", what);
                } else if (Rollout.JUDGING.equals(j.rollout.state())) {
                    rollouts.judged(decided, Operation.ROLLOUT_PASS);
                    LOG.info("{} passed its judgement for its whole bake; rollout promote makes it the only version", what);
                }
            } else if (Verdicts.NOT_ENOUGH_DATA.equals(v.outcome()) && Rollout.JUDGING.equals(j.rollout.state())
                    && !now.isBefore(started.plusMillis(j.rollout.deadlineMillis()))) {
                CanaryFlow.Verdict halt = new CanaryFlow.Verdict(j.canary, j.rollout, "not enough requests by the deadline: "
                        + decided.line());
                rollouts.judged(halt, Operation.ROLLOUT_HALT);
                LOG.warn("{} halted: {}", what, halt.line());
            }
        } catch (DeployException e) {
            // another instance (or an operator) moved the rollout on first, or the change failed: judged again next tick
            String why = String.valueOf(e.getMessage());
            if (DeployException.CONFLICT.equals(e.code())) {
                LOG.debug("the verdict on {} did not act: {}", what, why);
            } else if (!why.equals(unableBecause.put(what, why))) {
                // such as an instance too old to apply the step (outdated_instance): said once, tried again every tick
                LOG.warn("the verdict on {} did not act: {}", what, why);
            }
            return;
        }
        unableBecause.remove(what);
    }
}
