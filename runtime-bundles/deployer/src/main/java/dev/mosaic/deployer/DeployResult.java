package dev.mosaic.deployer;

import java.util.List;

/**
 * What a change did.
 */
public class DeployResult {
    /** {@code deploy}, {@code release}, {@code undeploy}, {@code rollback}, {@code yank}, {@code unyank}, {@code adopt}. */
    public String operation;
    /** {@code true} if something changed; {@code false} for a no-op (the same bytes deployed again). */
    public boolean changed;
    /** A one-line summary for people. */
    public String summary;
    /** The deployment the change was about, as it is now (null when it was removed). */
    public DeploymentInfo deployment;
    /** The adapter version that served before, if one was replaced. */
    public String replacedVersion;
    /** Consumers that moved to other module versions. */
    public List<Move> moves;
    /** Milliseconds from the call to the new state serving. */
    public long millis;
    /** Sequence number of the history entry recording the change (0 for a no-op). */
    public long sequence;
}
