package dev.mosaic.deployer;

import java.util.List;

/**
 * What a change did (or, for a dry run, would do).
 *
 * @param changed {@code true} if something changed; {@code false} for a no-op (the same bytes
 *        deployed again) and for a dry run
 * @param summary a one-line summary for people
 * @param deployment the deployment the change was about, as it is now (null when it was removed)
 * @param replacedVersion the adapter version that served before, if one was replaced
 * @param moves consumers that moved (or, for a dry run, would move) to other module versions
 * @param stays for releases: consumers of the module that stay where they are, and why
 * @param problems for a dry run: what would make the change fail; empty if it would go through
 * @param dryRun {@code true} if nothing was done because this was a dry run
 * @param removed deployments removed by the change (undeploy, sunset, expiry)
 * @param millis milliseconds from the call to the new state serving
 * @param sequence sequence number of the history entry recording the change (0 when nothing was recorded)
 * @param report for a shared-module release: its API against the nearest lower version (null otherwise, or for the first
 *        version); since 2.3
 */
public record DeployResult(Operation operation, boolean changed, String summary, DeploymentInfo deployment,
        String replacedVersion, List<Move> moves, List<Stay> stays, List<String> problems, boolean dryRun,
        List<DeploymentInfo> removed, long millis, long sequence, ReleaseReport report) {

    /** A result with no release report. */
    public DeployResult(Operation operation, boolean changed, String summary, DeploymentInfo deployment,
            String replacedVersion, List<Move> moves, List<Stay> stays, List<String> problems, boolean dryRun,
            List<DeploymentInfo> removed, long millis, long sequence) {
        this(operation, changed, summary, deployment, replacedVersion, moves, stays, problems, dryRun, removed, millis, sequence,
                null);
    }

    /** @return this result with the release report */
    public DeployResult withReport(ReleaseReport r) {
        return new DeployResult(operation, changed, summary, deployment, replacedVersion, moves, stays, problems, dryRun, removed,
                millis, sequence, r);
    }

    public DeployResult {
        moves = moves == null ? List.of() : List.copyOf(moves);
        stays = stays == null ? List.of() : List.copyOf(stays);
        problems = problems == null ? List.of() : List.copyOf(problems);
        removed = removed == null ? List.of() : List.copyOf(removed);
    }
}
