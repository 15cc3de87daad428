package dev.mosaic.deployer.internal.flow;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.MoveReason;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.internal.checks.Names;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Event.MoveRecord;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Registry.Unit;

/**
 * Consumers move while every deployment stays: a module version is yanked (its consumers
 * move to the best other version in their range) or unyanked (they move back), or a
 * manual-uptake consumer adopts the newest versions its ranges admit.
 */
final class RebindFlow {

    private final Context ctx;

    RebindFlow(Context ctx) {
        this.ctx = ctx;
    }

    DeployResult setYanked(String environment, String name, String version, String actor, boolean yank, boolean dryRun)
            throws DeployException {
        long start = System.nanoTime();
        String env = Names.environment(environment);
        Names.name(name);
        Operation op = yank ? Operation.YANK : Operation.UNYANK;
        return ctx.changes().run(() -> {
            Registry target = ctx.state().copy();
            Unit unit = Lookup.moduleVersion(target, env, name, version);
            UnitKey key = unit.key;
            if (unit.kind != Kind.MODULE) {
                throw new DeployException(DeployException.INVALID_ARGUMENT, name + " is an adapter; " + op
                        + " is for shared-module versions. Use rollback or undeploy for adapters");
            }
            if (unit.yanked == yank) {
                return ctx.results().unchanged(op, key, name + " " + key.version() + " is " + (yank ? "already" : "not")
                        + " yanked in " + env + "; nothing to do", start);
            }
            target.writable(key).yanked = yank;
            List<MoveRecord> moves = Rebinding.rebind(target, env, Set.of(name), Set.of(),
                    yank ? MoveReason.YANK : MoveReason.UPTAKE, null, "cannot yank " + name + " " + key.version(), ctx.fit());
            if (dryRun) {
                return Results.dryRun(op, "dry run: would " + op + " " + name + " " + key.version() + " in " + env + "; "
                        + Results.movedSummary(moves).replace("moved:", "would move:") + "; nothing was changed",
                        ctx.views().info(key), Results.moves(env, moves), List.of(), List.of(), List.of(), start);
            }
            long seq = carryOut(Event.about(op, key, actor), moves, target);
            return ctx.results().changed(op, (yank ? "yanked " : "unyanked ") + name + " " + key.version() + " in " + env
                    + "; " + Results.movedSummary(moves), key, null, moves, List.of(), List.of(), seq, start);
        });
    }

    DeployResult adopt(String environment, String name, String actor, boolean dryRun) throws DeployException {
        long start = System.nanoTime();
        String env = Names.environment(environment);
        Names.name(name);
        return ctx.changes().run(() -> {
            Registry target = ctx.state().copy();
            List<Unit> units = target.named(env, name);
            if (units.isEmpty()) {
                throw Lookup.notDeployed(target, env, name);
            }
            Set<UnitKey> adopting = units.stream().map(u -> u.key).collect(Collectors.toSet());
            List<MoveRecord> moves = Rebinding.rebind(target, env, Set.of(), adopting, MoveReason.ADOPT, null,
                    "cannot adopt for " + name, ctx.fit());
            UnitKey subject = units.get(units.size() - 1).key;
            if (moves.isEmpty()) {
                return ctx.results().unchanged(Operation.ADOPT, subject, name + " in " + env
                        + " is already on the newest module versions its ranges admit; nothing to do", start);
            }
            if (dryRun) {
                return Results.dryRun(Operation.ADOPT, "dry run: would adopt for " + name + " in " + env + ": "
                        + Results.movedSummary(moves).replace("moved:", "would move:") + "; nothing was changed",
                        ctx.views().info(subject), Results.moves(env, moves), List.of(), List.of(), List.of(), start);
            }
            long seq = carryOut(Event.about(Operation.ADOPT, subject, actor), moves, target);
            return ctx.results().changed(Operation.ADOPT, "adopted for " + name + " in " + env + ": "
                    + Results.movedSummary(moves), subject, null, moves, List.of(), List.of(), seq, start);
        });
    }

    /** Only consumers change: each that moves gets a new generation, its old one retires. */
    private long carryOut(Event event, List<MoveRecord> moves, Registry target) throws DeployException {
        Map<UnitKey, Map<String, String>> install = new LinkedHashMap<>();
        Set<UnitKey> retire = new LinkedHashSet<>();
        Rebinding.addMoves(event.env, moves, install, retire);
        event.moves = moves.isEmpty() ? null : moves;
        return ctx.protocol().carryOut(new Plan(event, install, retire, target, null));
    }
}
