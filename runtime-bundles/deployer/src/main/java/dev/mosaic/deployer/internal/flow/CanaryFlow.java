package dev.mosaic.deployer.internal.flow;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.Judgement;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.internal.checks.Names;
import dev.mosaic.deployer.internal.checks.PolicyCheck;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.Rollout;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Registry.Unit;

/**
 * Versions of one adapter serving side by side, each with a share of its requests: a canary
 * deployed next to the serving version ({@code deploy --canary 5%}), the shares changed, and the
 * canary promoted (it becomes the only version: a new generation of it takes the table's routes
 * and the others go) or aborted (the canaries go; the serving version takes every request). The
 * gateway shares the requests ({@code Gateway.split}); every step is make-before-break, through
 * the {@link ChangeProtocol}.
 */
final class CanaryFlow {

    /** What keeps a client on one version: a request header or a query parameter, by name. */
    static final java.util.regex.Pattern STICKY = java.util.regex.Pattern.compile("(header|query):[A-Za-z0-9_.-]{1,64}");

    private final Context ctx;

    CanaryFlow(Context ctx) {
        this.ctx = ctx;
    }

    /** Called with changes held off: the artifact (read and checked) next to the adapter's serving version. */
    DeployResult place(String env, Artifact a, Path upload, DeployOptions options, int percent, String sticky,
            Judgement judgement, List<String> waves, List<String> violations, PolicyCheck.Verdict verdict, long start)
            throws DeployException {
        checkShare(percent);
        checkSticky(sticky);
        checkJudgement(judgement);
        if (a.kind() != Kind.ADAPTER) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, a.name() + " " + a.version() + " is a shared module;"
                    + " a canary is a version of an adapter (a module version is released: its consumers' ranges decide)");
        }
        UnitKey key = new UnitKey(env, a.name(), a.version());
        Registry target = ctx.state().copy();
        Placement.checkKind(target, env, a);
        BackendFlow.checkDeclared(target, env, a);
        Unit serving = target.adapter(env, a.name());
        if (serving == null) {
            throw new DeployException(DeployException.NOT_FOUND, a.name() + " is not deployed in " + env + ": a canary goes"
                    + " next to a serving version; deploy " + a.version() + " without --canary");
        }
        if (target.unit(key) != null) {
            throw new DeployException(DeployException.CONFLICT, a.name() + " " + a.version() + " already serves in " + env
                    + (target.unit(key).canary ? " as a canary; change its share with rollout split" : "; nothing to do"));
        }
        List<String> problems = new java.util.ArrayList<>(violations);
        target.putArtifact(a);
        Map<String, String> bindings = Placement.bind(target, env, a, options.dryRun() ? problems : null,
                ctx.fit().with(a, upload != null ? upload : ctx.store().path(a.name(), a.version())));
        Map<String, Integer> weights = new TreeMap<>();
        int others = 0;
        for (Unit u : target.versions(env, a.name())) {
            if (u.canary) {
                weights.put(u.key.version(), u.weight == null ? 0 : u.weight);
                others += u.weight == null ? 0 : u.weight;
            }
        }
        if (others + percent > 100) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "the canaries of " + a.name() + " would have "
                    + (others + percent) + "% of its requests; shares add up to at most 100 with the serving version's");
        }
        weights.put(a.version(), percent);
        weights.put(serving.key.version(), 100 - others - percent);
        Placement.Expiry expiry = Placement.expiry(ctx, a, env, options.ttl());
        if (options.dryRun()) {
            if (waves != null) {
                FleetView.check(ctx.fleet(), FleetView.inWaves(Operation.CANARY, key, waves), problems);
            }
            return Results.dryRun(Operation.CANARY, "dry run: " + (problems.isEmpty() ? "would " : "would fail to ")
                    + "deploy " + a.name() + " " + a.version() + " to " + env + (waves != null ? " in waves over the groups "
                            + waves + ", replacing " + serving.key.version() : " as a canary with " + percent + "% of the"
                            + " requests next to " + serving.key.version()) + expiry.summary() + "; nothing was changed",
                    DeploymentInfo.planned(env, a.name(), a.version(), Kind.ADAPTER, a.sha256(), bindings), List.of(),
                    List.of(), problems, List.of(), start);
        }
        if (waves != null) {
            if (target.versions(env, a.name()).size() > 1) {
                throw new DeployException(DeployException.CONFLICT, a.name() + " has a canary in " + env + " already; a rollout"
                        + " in waves goes alone: promote or abort the canary first");
            }
            checkLiveGroups(ctx, waves);
        }
        if (judgement != null && target.versions(env, a.name()).stream().anyMatch(u -> u.rollout != null)) {
            throw new DeployException(DeployException.CONFLICT, a.name() + " already has a judged canary in " + env
                    + "; one is judged at a time: promote or abort it first (or deploy this one with --no-judge)");
        }
        Event event = Event.placing(Operation.CANARY, env, a, bindings, expiry.at(), options.actor());
        String now = ctx.now();
        event.rollout = judgement == null ? null : new Rollout(Rollout.JUDGING, now, judgement.bake().toMillis(),
                judgement.deadline().toMillis(), judgement.minRequests(), judgement.promote() || waves != null, null,
                waves == null ? null : List.copyOf(waves), 0, now);
        event.groups = waves == null ? null : Set.of(waves.get(0));
        event.weights = weights;
        event.sticky = sticky != null ? sticky : serving.sticky;
        target.apply(withSeq(event, target));
        Placement.admitted(target.writable(key), event, verdict);
        long seq = ctx.protocol().carryOut(new Plan(event, Map.of(key, bindings), Set.of(), target, upload));
        if (waves != null) {
            return ctx.results().changed(Operation.CANARY, "rolling " + a.name() + " " + a.version() + " out in " + env
                    + " in waves over " + waves + ": group " + waves.get(0) + " serves it now, the others "
                    + serving.key.version() + "; each next group once the one before passed its judgement for "
                    + judgement.bake().toSeconds() + " s" + expiry.summary(), key, null, List.of(), List.of(), List.of(),
                    seq, start);
        }
        return ctx.results().changed(Operation.CANARY, "deployed " + a.name() + " " + a.version() + " to " + env
                + " as a canary: " + shares(weights) + (event.sticky == null ? "" : ", sticky by " + event.sticky)
                + (judgement == null ? "; not judged" : "; judged against " + serving.key.version() + " (bake "
                        + judgement.bake().toSeconds() + " s, " + judgement.minRequests() + " requests a side"
                        + (judgement.promote() ? ", promoted when it passes" : "") + ")") + expiry.summary(), key, null,
                List.of(), List.of(), List.of(), seq, start);
    }

    /** New shares for the versions of an adapter: every version named, the shares adding up to 100. */
    DeployResult split(String environment, String name, Map<String, Integer> weights, String sticky, String actor,
            boolean dryRun) throws DeployException {
        long start = System.nanoTime();
        String env = Names.environment(environment);
        Names.name(name);
        checkSticky(sticky);
        return ctx.changes().run(() -> {
            Registry target = ctx.state().copy();
            List<Unit> versions = versionsOf(target, env, name);
            Map<String, Integer> shares = new TreeMap<>();
            int total = 0;
            for (Map.Entry<String, Integer> w : weights.entrySet()) {
                if (versions.stream().noneMatch(u -> u.key.version().equals(w.getKey()))) {
                    throw new DeployException(DeployException.NOT_FOUND, name + " " + w.getKey() + " does not serve in " + env
                            + "; its versions there: " + versions.stream().map(u -> u.key.version()).toList());
                }
                checkShare(w.getValue());
                shares.put(w.getKey(), w.getValue());
                total += w.getValue();
            }
            for (Unit u : versions) {
                shares.putIfAbsent(u.key.version(), 0);
            }
            if (total != 100) {
                throw new DeployException(DeployException.INVALID_ARGUMENT, "the shares of " + name + " add up to " + total
                        + "%, not 100%: " + shares(shares));
            }
            Unit serving = target.adapter(env, name);
            String keep = sticky != null ? sticky : serving.sticky;
            UnitKey subject = serving.key;
            if (dryRun) {
                return Results.dryRun(Operation.SPLIT, "dry run: would share the requests of " + name + " in " + env + " as "
                        + shares(shares) + "; nothing was changed", null, List.of(), List.of(), List.of(), List.of(), start);
            }
            Event event = Event.about(Operation.SPLIT, subject, actor);
            event.weights = shares;
            event.sticky = keep;
            target.apply(withSeq(event, target));
            long seq = ctx.protocol().carryOut(new Plan(event, Map.of(), Set.of(), target, null));
            return ctx.results().changed(Operation.SPLIT, "the requests of " + name + " in " + env + " now go " + shares(shares),
                    subject, null, List.of(), List.of(), List.of(), seq, start);
        });
    }

    /** The version (a canary; the only one if null) becomes the adapter's only version. */
    DeployResult promote(String environment, String name, String version, String actor, boolean dryRun) throws DeployException {
        return promote(environment, name, version, actor, dryRun, null);
    }

    /** @param verdict the judgement that promotes it (null: an operator does) */
    DeployResult promote(String environment, String name, String version, String actor, boolean dryRun, Verdict verdict)
            throws DeployException {
        long start = System.nanoTime();
        String env = Names.environment(environment);
        Names.name(name);
        return ctx.changes().run(() -> {
            Registry target = ctx.state().copy();
            Verdict.check(verdict, target);
            Unit released = StagedRelease.find(target, env, name);
            if (released != null) {
                return StagedRelease.end(ctx, released, target, true, actor, dryRun, verdict, start);
            }
            List<Unit> versions = versionsOf(target, env, name);
            List<Unit> canaries = versions.stream().filter(u -> u.canary).toList();
            Unit chosen = null;
            for (Unit u : canaries) {
                if (version == null ? canaries.size() == 1 : u.key.version().equals(version)) {
                    chosen = u;
                }
            }
            if (chosen == null) {
                throw new DeployException(canaries.size() > 1 && version == null ? DeployException.INVALID_ARGUMENT
                        : DeployException.NOT_FOUND, "promote names the canary of " + name + " in " + env + " that becomes its"
                                + " only version; its canaries: " + canaries.stream().map(u -> u.key.version()).toList());
            }
            Unit serving = target.adapter(env, name);
            if (dryRun) {
                return Results.dryRun(Operation.CANARY_PROMOTE, "dry run: would make " + name + " " + chosen.key.version()
                        + " its only version in " + env + ", replacing " + serving.key.version() + "; nothing was changed",
                        null, List.of(), List.of(), List.of(), List.of(), start);
            }
            Event event = Event.about(Operation.CANARY_PROMOTE, chosen.key, actor);
            event.replaced = serving.key.version();
            event.verdict = verdict == null ? null : verdict.line();
            target.apply(withSeq(event, target));
            // a new generation of the canary takes the table's routes; every version before goes
            Set<UnitKey> retire = new LinkedHashSet<>();
            versions.forEach(u -> retire.add(u.key));
            long seq = ctx.protocol().carryOut(new Plan(event, Map.of(chosen.key, chosen.bindings), retire, target, null));
            return ctx.results().changed(Operation.CANARY_PROMOTE, "promoted " + name + " " + chosen.key.version() + " in "
                    + env + ": it takes every request, replacing " + serving.key.version(), chosen.key, serving.key.version(),
                    List.of(), List.of(), List.of(), seq, start);
        });
    }

    /** The canaries go; the serving version takes every request again. */
    DeployResult abort(String environment, String name, String actor, boolean dryRun) throws DeployException {
        return abort(environment, name, actor, dryRun, null);
    }

    /** @param verdict the judgement that takes them away (null: an operator does) */
    DeployResult abort(String environment, String name, String actor, boolean dryRun, Verdict verdict) throws DeployException {
        long start = System.nanoTime();
        String env = Names.environment(environment);
        Names.name(name);
        return ctx.changes().run(() -> {
            Registry target = ctx.state().copy();
            Verdict.check(verdict, target);
            Unit released = StagedRelease.find(target, env, name);
            if (released != null) {
                return StagedRelease.end(ctx, released, target, false, actor, dryRun, verdict, start);
            }
            List<Unit> canaries = versionsOf(target, env, name).stream().filter(u -> u.canary).toList();
            Unit serving = target.adapter(env, name);
            if (canaries.isEmpty()) {
                throw new DeployException(DeployException.CONFLICT, name + " has no canary in " + env + "; nothing to abort");
            }
            List<String> gone = canaries.stream().map(u -> u.key.version()).toList();
            if (dryRun) {
                return Results.dryRun(Operation.CANARY_ABORT, "dry run: would take away the canaries " + gone + " of " + name
                        + " in " + env + "; nothing was changed", null, List.of(), List.of(), List.of(), List.of(), start);
            }
            Event event = Event.about(Operation.CANARY_ABORT, serving.key, actor);
            event.verdict = verdict == null ? null : verdict.line();
            target.apply(withSeq(event, target));
            Set<UnitKey> retire = new LinkedHashSet<>();
            canaries.forEach(u -> retire.add(u.key));
            long seq = ctx.protocol().carryOut(new Plan(event, Map.of(), retire, target, null));
            return ctx.results().changed(Operation.CANARY_ABORT, "aborted the canaries " + gone + " of " + name + " in " + env
                    + ": " + serving.key.version() + " takes every request again", serving.key, null, List.of(), List.of(),
                    List.of(), seq, start);
        });
    }

    /**
     * What a canary's judgement decided, on the rollout as it was when it judged: the change it
     * makes is refused if the rollout has moved on since (paused, resumed, ended by someone else).
     */
    record Verdict(UnitKey canary, Rollout judged, String line) {

        static void check(Verdict v, Registry target) throws DeployException {
            if (v == null) {
                return;
            }
            Unit u = target.unit(v.canary);
            if (u == null || !v.judged.equals(u.rollout)) {
                throw new DeployException(DeployException.CONFLICT, "the rollout of " + v.canary.name() + " " + v.canary.version()
                        + " in " + v.canary.env() + " moved on before its verdict could act: " + v.line);
            }
        }
    }

    /** Before the upload is read: waves need a fleet, a judgement, and groups named once each. */
    void checkWaves(List<String> waves, Judgement judgement) throws DeployException {
        if (waves == null) {
            return;
        }
        if (ctx.fleet() == null) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "a rollout in waves goes over a fleet's groups; this"
                    + " runtime is not part of a fleet (start the instances with --store and --group), so deploy it as a canary"
                    + " (--canary PCT) instead");
        }
        if (judgement == null) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "a rollout in waves is judged: each next group gets"
                    + " the version once the one before passed; it does not go with an unjudged canary");
        }
        if (waves.isEmpty() || new java.util.HashSet<>(waves).size() != waves.size()) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "waves name the fleet's groups in order, each once,"
                    + " such as us-east-1,eu-west-1; got " + waves);
        }
        for (String g : waves) {
            if (!g.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new DeployException(DeployException.INVALID_ARGUMENT, "'" + g + "' is not a group's name");
            }
        }
    }

    /** Every group of the waves has a live instance now: a wave with none would wait for nothing. */
    static void checkLiveGroups(Context ctx, List<String> waves) throws DeployException {
        java.util.Map<String, Long> live;
        try {
            live = ctx.fleet().liveGroups();
        } catch (java.io.IOException e) {
            throw new DeployException(DeployException.STORE_UNAVAILABLE, "the fleet's groups cannot be read from the store: "
                    + e.getMessage());
        }
        for (String g : waves) {
            if (!live.containsKey(g)) {
                throw new DeployException(DeployException.INVALID_ARGUMENT, "group " + g + " has no live instance; the"
                        + " fleet's groups now: " + new TreeMap<>(live).keySet());
            }
        }
    }

    static void checkJudgement(Judgement judgement) throws DeployException {
        String problem = judgement == null ? null : judgement.problem();
        if (problem != null) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, problem);
        }
    }

    static List<Unit> versionsOf(Registry registry, String env, String name) throws DeployException {
        List<Unit> versions = registry.versions(env, name);
        if (versions.isEmpty()) {
            throw Lookup.notDeployed(registry, env, name);
        }
        return versions;
    }

    /** The event as the registry applies it to plan on (its sequence is set when it commits). */
    static Event withSeq(Event e, Registry target) {
        e.seq = target.sequence() + 1;
        return e;
    }

    private static void checkShare(int percent) throws DeployException {
        if (percent < 0 || percent > 100) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "a version's share of the requests is from 0% to"
                    + " 100%, not " + percent + "%");
        }
    }

    private static void checkSticky(String sticky) throws DeployException {
        if (sticky != null && !STICKY.matcher(sticky).matches()) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "the sticky key is header:NAME or query:NAME (such as"
                    + " header:X-User-Id), not '" + sticky + "'");
        }
    }

    static String shares(Map<String, Integer> weights) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(weights).forEach((v, w) -> b.append(b.length() == 0 ? "" : ", ").append(v).append(' ').append(w).append('%'));
        return b.toString();
    }
}
