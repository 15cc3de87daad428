package dev.mosaic.deployer.internal.model;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.internal.model.Model.Artifact;

/**
 * What the registry holds at one sequence number, without its history: what a restart
 * starts from instead of replaying every change ever made. See {@link Registry#snapshot()}.
 *
 * @param format the snapshot's format, 1
 * @param seq the sequence number of the last change it includes
 * @param artifacts every artifact the registry knows (deployed, and kept for a rollback)
 * @param units every deployment
 * @param previous per environment and adapter ({@code env/name}), the versions a rollback goes back to, oldest first
 * @param backends the backends declared, each with its environment (absent from snapshots written before backends existed)
 */
public record Snapshot(int format, long seq, List<Artifact> artifacts, List<UnitState> units, Map<String, List<String>> previous,
        List<BackendState> backends) {

    /** A backend declared in an environment. */
    public record BackendState(String env, dev.mosaic.backends.BackendSpec spec) {
    }

    public static final int FORMAT = 1;

    /** One deployment, as {@link Registry.Unit} holds it ({@code rollout}: absent before canaries were judged). */
    public record UnitState(String env, String name, String version, Kind kind, String sha256, String deployedAt,
            String deployedBy, boolean yanked, String expiresAt, String unusedSince, Map<String, String> bindings,
            List<String> findings, Set<String> unwired, boolean canary, Integer weight, String sticky, Model.Rollout rollout,
            Set<String> groups, Model.Staged staged) {
    }
}
