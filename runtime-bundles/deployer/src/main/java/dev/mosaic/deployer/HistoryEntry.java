package dev.mosaic.deployer;

import java.util.List;

/**
 * One recorded change: who did what, when.
 *
 * @param time ISO-8601
 * @param sha256 SHA-256 of the artifact deployed, for deploys
 * @param replacedVersion for deploys and rollbacks of adapters: the version replaced
 * @param detail for backend changes: the declaration (secrets as references only), or whom a forced removal broke (since 2.2)
 */
public record HistoryEntry(long sequence, String time, String actor, Operation operation, String environment,
        String name, String version, String sha256, String replacedVersion, List<Move> moves, String detail) {

    /** An entry without detail (the constructor of 2.1). */
    public HistoryEntry(long sequence, String time, String actor, Operation operation, String environment, String name,
            String version, String sha256, String replacedVersion, List<Move> moves) {
        this(sequence, time, actor, operation, environment, name, version, sha256, replacedVersion, moves, null);
    }
}
