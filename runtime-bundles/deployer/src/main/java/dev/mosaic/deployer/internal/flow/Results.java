package dev.mosaic.deployer.internal.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.Move;
import dev.mosaic.deployer.MoveReason;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.Stay;
import dev.mosaic.deployer.internal.model.Event.MoveRecord;
import dev.mosaic.deployer.internal.model.Model.UnitKey;

/** What a change tells its caller: the result, its one-line summary, the moves in the API's terms. */
final class Results {

    private final Views views;

    Results(Views views) {
        this.views = views;
    }

    /** A change that was recorded: the subject as it is now (null once removed); moves are in the subject's environment. */
    DeployResult changed(Operation op, String summary, UnitKey subject, String replaced, List<MoveRecord> moves,
            List<Stay> stays, List<DeploymentInfo> removed, long seq, long start) {
        return new DeployResult(op, true, summary, views.info(subject), replaced, moves(subject.env(), moves), stays,
                List.of(), false, removed, millisSince(start), seq);
    }

    /** Nothing to do: the state already is what was asked for. */
    DeployResult unchanged(Operation op, UnitKey subject, String summary, long start) {
        return new DeployResult(op, false, summary, views.info(subject), null, List.of(), List.of(), List.of(), false,
                List.of(), millisSince(start), 0);
    }

    /** What a change would do, and what would make it fail; nothing was done. */
    static DeployResult dryRun(Operation op, String summary, DeploymentInfo subject, List<Move> moves, List<Stay> stays,
            List<String> problems, List<DeploymentInfo> removed, long start) {
        return new DeployResult(op, false, summary, subject, null, moves, stays, problems, true, removed,
                millisSince(start), 0);
    }

    static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    static List<Move> moves(String env, List<MoveRecord> records) {
        List<Move> moves = new ArrayList<>();
        if (records != null) {
            for (MoveRecord m : records) {
                moves.add(new Move(env, m.name(), m.version(), m.from(), m.to(),
                        MoveReason.valueOf(m.reason().toUpperCase(Locale.ROOT))));
            }
        }
        return moves;
    }

    /** @return e.g. {@code moved: tv-home 1.0.0 (catalog 1.1.0 -> 1.2.0); re-wired 2 consumer(s) of moved modules} */
    /** The most moves a summary names; the rest are counted. */
    static final int SUMMARY_MOVES = 5;

    static String movedSummary(List<MoveRecord> moves) {
        List<String> direct = new ArrayList<>();
        int transitive = 0;
        for (MoveRecord m : moves) {
            if (MoveReason.TRANSITIVE.toString().equals(m.reason())) {
                transitive++;
                continue;
            }
            List<String> changes = new ArrayList<>();
            Set<String> modules = new TreeSet<>(m.from().keySet());
            modules.addAll(m.to().keySet());
            for (String module : modules) {
                String from = m.from().get(module);
                String to = m.to().get(module);
                if (from == null ? to != null : !from.equals(to)) {
                    changes.add(module + " " + (from == null ? "-" : from) + " -> " + (to == null ? "-" : to));
                }
            }
            direct.add(m.name() + " " + m.version() + " (" + String.join(", ", changes) + ")");
        }
        if (direct.isEmpty() && transitive == 0) {
            return "no consumer moved";
        }
        // a one-line summary: a release can move hundreds of consumers, each of which the result's moves list anyway
        String shown = direct.size() <= SUMMARY_MOVES ? String.join("; ", direct)
                : String.join("; ", direct.subList(0, SUMMARY_MOVES)) + "; and " + (direct.size() - SUMMARY_MOVES) + " more";
        return "moved: " + shown + (transitive == 0 ? "" : "; re-wired " + transitive + " consumer(s) of moved modules");
    }
}
