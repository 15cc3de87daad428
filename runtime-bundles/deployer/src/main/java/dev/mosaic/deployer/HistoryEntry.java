package dev.mosaic.deployer;

import java.util.List;

/**
 * One recorded change: who did what, when.
 */
public class HistoryEntry {
    public long sequence;
    /** ISO-8601. */
    public String time;
    public String actor;
    public String operation;
    public String environment;
    public String name;
    public String version;
    /** SHA-256 of the artifact deployed, for deploys. */
    public String sha256;
    /** For deploys and rollbacks of adapters: the version replaced. */
    public String replacedVersion;
    public List<Move> moves;
}
