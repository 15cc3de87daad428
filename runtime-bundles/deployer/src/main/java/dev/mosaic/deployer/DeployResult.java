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
    /** Consumers that moved (or, for a dry run, would move) to other module versions. */
    public List<Move> moves;
    /**
     * For releases: consumers of the module that stay where they are, with the reason in
     * {@link Move#reason} ({@code from} and {@code to} are the same).
     */
    public List<Move> stays;
    /** For a dry run: what would make the deploy fail; empty if it would go through. */
    public List<String> problems;
    /** {@code true} if nothing was done because this was a dry run. */
    public boolean dryRun;
    /** Deployments removed by the change (sunset, expiry). */
    public List<DeploymentInfo> removed;
    /** Milliseconds from the call to the new state serving. */
    public long millis;
    /** Sequence number of the history entry recording the change (0 for a no-op). */
    public long sequence;
}
