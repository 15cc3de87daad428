package dev.mosaic.deployer.internal.flow;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.MoveReason;
import dev.mosaic.deployer.internal.model.Fit;
import dev.mosaic.deployer.internal.model.Event.MoveRecord;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.plan.Planner;

/** Who moves when module versions come, go or are yanked, as the {@link Planner} decides, in the flows' terms. */
final class Rebinding {

    private Rebinding() {
    }

    /**
     * @param refusal how to begin the message when a consumer would be left without a version
     *        (the change is then refused as in use); null to report it as unresolvable
     */
    static List<MoveRecord> rebind(Registry target, String env, Set<String> affected, Set<UnitKey> adopt, MoveReason reason,
            UnitKey exclude, String refusal, Fit fit) throws DeployException {
        return rebind(target, env, affected, adopt, reason, exclude, refusal, fit, null);
    }

    /** @param misfits where each consumer kept off a module version its code does not run on is noted, with why */
    static List<MoveRecord> rebind(Registry target, String env, Set<String> affected, Set<UnitKey> adopt, MoveReason reason,
            UnitKey exclude, String refusal, Fit fit, Map<String, String> misfits) throws DeployException {
        try {
            return Planner.rebind(target, env, affected, adopt, reason, exclude, fit, misfits);
        } catch (Planner.Unresolvable u) {
            throw new DeployException(refusal == null ? DeployException.UNRESOLVABLE : DeployException.IN_USE,
                    (refusal == null ? "" : refusal + ": ") + u.getMessage());
        }
    }

    /** Every consumer that moves gets a new generation wired to its new bindings; its old one retires. */
    static void addMoves(String env, List<MoveRecord> moves, Map<UnitKey, Map<String, String>> install, Set<UnitKey> retire) {
        for (MoveRecord m : moves) {
            UnitKey k = new UnitKey(env, m.name(), m.version());
            install.put(k, m.to());
            retire.add(k);
        }
    }
}
