package dev.mosaic.deployer.internal.flow;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.MoveReason;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.internal.checks.Names;
import dev.mosaic.deployer.Durations;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Event.MoveRecord;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Registry.Unit;

/**
 * Deployments go: on request ({@code undeploy}), when their lifetime runs out (TTL,
 * {@code expire}), or, for module versions nobody has used for a while, at {@code sunset}.
 * An adapter's routes stop (404); a module version's consumers first move to the best other
 * version in their range, and one in use is refused unless forced. Here too: how long a
 * deployment lives ({@code ttl}).
 */
final class RemovalFlow {

    private static final Logger LOG = LoggerFactory.getLogger(RemovalFlow.class);

    private final Context ctx;
    /** Units whose expiry had to wait (a module version still in use), so it is logged once. */
    private final Set<UnitKey> postponed = ConcurrentHashMap.newKeySet();

    RemovalFlow(Context ctx) {
        this.ctx = ctx;
    }

    DeployResult undeploy(String environment, String name, String version, boolean force, String actor, boolean dryRun)
            throws DeployException {
        long start = System.nanoTime();
        String env = Names.environment(environment);
        Names.name(name);
        return ctx.changes().run(() -> {
            Unit unit = ctx.state().ask(r -> Lookup.find(r, env, name, version, "to undeploy"));
            return remove(unit, force, Operation.UNDEPLOY, actor, start, dryRun);
        });
    }

    DeployResult setTtl(String environment, String name, String version, String ttl, String actor, boolean dryRun)
            throws DeployException {
        long start = System.nanoTime();
        String env = Names.environment(environment);
        Names.name(name);
        Duration duration = Durations.parse(ttl, "TTL");
        return ctx.changes().run(() -> {
            Unit unit = ctx.state().ask(r -> Lookup.find(r, env, name, version, "whose TTL to set"));
            Event e = Event.about(Operation.TTL, unit.key, actor);
            e.time = ctx.now();
            e.expiresAt = duration == null ? null : ctx.instant().plus(duration).toString();
            // what expiring does to an adapter, said where it is easily not meant (a TTL given to the wrong environment)
            String then = duration != null && unit.kind == dev.mosaic.deployer.Kind.ADAPTER
                    ? "; then it is undeployed and its routes in " + env + " answer 404" : "";
            if (dryRun) {
                return Results.dryRun(Operation.TTL, "dry run: " + name + " " + unit.key.version() + " in " + env
                        + (duration == null ? " would no longer expire" : " would expire " + e.expiresAt + " (in "
                                + Durations.format(duration) + ")") + then + "; nothing was changed",
                        ctx.views().info(unit.key), List.of(), List.of(), List.of(), List.of(), start);
            }
            long seq = ctx.state().record(e);
            postponed.remove(unit.key);
            return ctx.results().changed(Operation.TTL, name + " " + unit.key.version() + " in " + env + (duration == null
                    ? " no longer expires" : " now expires " + e.expiresAt + " (in " + Durations.format(duration) + ")")
                    + then, unit.key, null, List.of(), List.of(), List.of(), seq, start);
        });
    }

    /**
     * Takes a unit away. Called with changes held off.
     *
     * @param force for a module version in use: move its consumers rather than refuse
     * @param op {@link Operation#UNDEPLOY}, {@link Operation#EXPIRE} or {@link Operation#SUNSET}
     */
    private DeployResult remove(Unit unit, boolean force, Operation op, String actor, long start, boolean dryRun)
            throws DeployException {
        UnitKey key = unit.key;
        String env = key.env();
        Registry target = ctx.state().copy();
        DeploymentInfo before = ctx.views().info(key);
        List<MoveRecord> moves = List.of();
        Map<UnitKey, Map<String, String>> install = new LinkedHashMap<>();
        Set<UnitKey> retire = new LinkedHashSet<>();
        retire.add(key);
        if (unit.kind == Kind.MODULE) {
            List<Unit> consumers = target.consumersOf(env, key.name(), key.version());
            if (!consumers.isEmpty() && !force) {
                throw new DeployException(DeployException.IN_USE, key.name() + " " + key.version() + " is in use in " + env
                        + " by " + Lookup.consumers(consumers)
                        + ". Yank it first (its consumers move to another version in their range), or undeploy with force");
            }
            target.remove(key);
            moves = Rebinding.rebind(target, env, Set.of(key.name()), Set.of(), MoveReason.UNDEPLOY, null,
                    "cannot remove " + key.name() + " " + key.version(), ctx.fit());
            Rebinding.addMoves(env, moves, install, retire);
        } else {
            target.remove(key);
        }
        String what = key.name() + " " + key.version() + " from " + env
                + (unit.kind == Kind.ADAPTER ? "; its routes answer 404" : "; " + Results.movedSummary(moves));
        if (dryRun) {
            return Results.dryRun(op, "dry run: would " + op + " " + what.replace("moved:", "would move:")
                    .replace("its routes answer 404", "its routes would answer 404") + "; nothing was changed", null,
                    Results.moves(env, moves), List.of(), List.of(), List.of(before), start);
        }
        Event event = Event.about(op, key, actor);
        event.moves = moves.isEmpty() ? null : moves;
        long seq = ctx.protocol().carryOut(new Plan(event, install, retire, target, null));
        String verb = switch (op) {
            case EXPIRE -> "expired ";
            case SUNSET -> "sunset ";
            default -> "undeployed ";
        };
        String summary = verb + what;
        return ctx.results().changed(op, summary, key, null, moves, List.of(), List.of(before), seq, start);
    }

    /** Undeploys what has expired. Runs on the TTL thread; a module version still in use waits, logged once. */
    private List<Unit> due(Instant now) {
        return ctx.state().read(registry -> {
            List<Unit> found = new ArrayList<>();
            for (Unit u : registry.units(null)) {
                if (u.expiresAt != null && !Instant.parse(u.expiresAt).isAfter(now)) {
                    found.add(u);
                }
            }
            return found;
        });
    }

    /** The registry's sequence number when {@link #postponed} was last brought up to date. */
    private volatile long postponedAt = -1;

    void expireDue() {
        if (ctx.state().sequence() != postponedAt) {
            postponed.clear(); // something changed: what had to stay may go now
        }
        if (due(ctx.instant()).stream().allMatch(u -> postponed.contains(u.key))) {
            return; // nothing (new) due: no change, and in a fleet no round trip to the store, once a second
        }
        // in a fleet, on the store's last revision: another instance may have expired them already
        ctx.changes().runInternalChange(() -> {
            try {
                List<Unit> due = due(ctx.instant());
                // adapters first: a module version often expires along with the adapters using it
                due.sort((a, b) -> Boolean.compare(a.kind == Kind.MODULE, b.kind == Kind.MODULE));
                for (Unit u : due) {
                    try {
                        DeployResult r = remove(u, true, Operation.EXPIRE, "ttl", System.nanoTime(), false);
                        LOG.info("{}", r.summary());
                        postponed.remove(u.key);
                    } catch (DeployException e) {
                        if (postponed.add(u.key)) {
                            LOG.warn("{} expired but stays: {}", u.key, e.getMessage());
                        }
                    }
                }
            } catch (RuntimeException e) {
                LOG.error("expiring deployments failed", e);
            }
            postponedAt = ctx.state().sequence();
        });
    }

    List<DeploymentInfo> sunsetCandidates(String environment, String unusedFor) throws DeployException {
        String env = environment == null ? null : Names.environment(environment);
        Duration period = Durations.parse(unusedFor == null ? ctx.settings().sunsetAfter() : unusedFor,
                unusedFor == null ? "mosaic.sunset.after" : "sunset period");
        if (period == null) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "a sunset period cannot be 'none'; say how long unused, e.g. 30d");
        }
        Instant cutoff = ctx.instant().minus(period);
        List<UnitKey> keys = ctx.state().read(registry -> {
            List<UnitKey> found = new ArrayList<>();
            for (Unit u : registry.modules(env)) {
                if (u.unusedSince != null && !Instant.parse(u.unusedSince).isAfter(cutoff)
                        && registry.consumersOf(u.key.env(), u.key.name(), u.key.version()).isEmpty()) {
                    found.add(u.key);
                }
            }
            return found;
        });
        return keys.stream().map(ctx.views()::info).toList();
    }

    DeployResult sunset(String environment, String module, String version, String unusedFor, String actor, boolean dryRun)
            throws DeployException {
        long start = System.nanoTime();
        if (version != null && (module == null || environment == null)) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "to sunset one version, name its environment and module");
        }
        return ctx.changes().run(() -> {
            List<DeploymentInfo> candidates = new ArrayList<>(sunsetCandidates(environment, unusedFor));
            String only = version == null ? null : Names.version(version);
            if (module != null) {
                Names.name(module);
                candidates.removeIf(c -> !c.name().equals(module) || (only != null && !c.version().equals(only)));
            }
            if (only != null && candidates.isEmpty()) {
                throw notASunsetCandidate(Names.environment(environment), module, only, unusedFor);
            }
            List<DeploymentInfo> removed = new ArrayList<>();
            long seq = 0;
            for (DeploymentInfo c : candidates) {
                Unit unit = ctx.state().read(r -> r.unit(new UnitKey(c.environment(), c.name(), c.version())));
                seq = remove(unit, false, Operation.SUNSET, actor, start, dryRun).sequence();
                removed.add(c);
                if (!dryRun) {
                    dropUnusedArtifact(c.name(), c.version());
                }
            }
            String summary = removed.isEmpty() ? "no module version has been unused long enough to sunset; nothing to do"
                    : (dryRun ? "dry run: would sunset " : "sunset ") + removed.size() + " module version(s) nobody used: "
                            + removed.stream().map(d -> d.name() + " " + d.version() + " in " + d.environment())
                                    .collect(Collectors.joining(", ")) + (dryRun ? "; nothing was changed" : "");
            return new DeployResult(Operation.SUNSET, !dryRun && !removed.isEmpty(), summary, null, null, List.of(), List.of(),
                    List.of(), dryRun, removed, Results.millisSince(start), seq);
        });
    }

    /** Why one module version cannot be sunset: it is not one, it is in use, or unused for too short a time. */
    private DeployException notASunsetCandidate(String env, String module, String version, String unusedFor)
            throws DeployException {
        Unit unit = ctx.state().ask(r -> Lookup.find(r, env, module, version, "to sunset"));
        if (unit.kind != Kind.MODULE) {
            return new DeployException(DeployException.INVALID_ARGUMENT, module + " is an adapter; sunset removes module"
                    + " versions nobody uses. Use undeploy for adapters");
        }
        List<Unit> consumers = ctx.state().read(r -> r.consumersOf(env, module, version));
        if (!consumers.isEmpty()) {
            return new DeployException(DeployException.IN_USE, module + " " + version + " is in use in " + env + " by "
                    + Lookup.consumers(consumers) + "; sunset removes only versions nobody uses. Yank it to move its"
                    + " consumers off it");
        }
        return new DeployException(DeployException.CONFLICT, module + " " + version + " in " + env + " has been unused only since "
                + unit.unusedSince + ", less than " + (unusedFor == null ? ctx.settings().sunsetAfter() : unusedFor)
                + "; give a shorter --unused-for, or undeploy it");
    }

    /** The bytes go when no environment uses them any more; the record stays, so the version is never reused. */
    private void dropUnusedArtifact(String name, String version) {
        boolean used = ctx.state().read(registry -> registry.environments().stream()
                .anyMatch(env -> registry.unit(new UnitKey(env, name, version)) != null));
        if (used) {
            return;
        }
        try {
            Files.deleteIfExists(ctx.store().path(name, version));
        } catch (IOException e) {
            LOG.warn("could not delete the artifact of sunset {} {}: {}", name, version, e.getMessage());
        }
    }
}
