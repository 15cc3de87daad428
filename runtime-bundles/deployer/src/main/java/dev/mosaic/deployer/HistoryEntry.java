package dev.mosaic.deployer;

import java.util.List;

/**
 * One recorded change: who did what, when.
 *
 * @param time ISO-8601
 * @param sha256 SHA-256 of the artifact deployed, for deploys
 * @param replacedVersion for deploys and rollbacks of adapters: the version replaced
 */
public record HistoryEntry(long sequence, String time, String actor, Operation operation, String environment,
        String name, String version, String sha256, String replacedVersion, List<Move> moves) {
}
