package dev.mosaic.deployer.internal.model;

import java.util.List;
import java.util.Map;

import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.UnitKey;

/**
 * One committed change, as written to the journal. Replaying every event in order rebuilds
 * the registry; the events are also the history.
 */
public final class Event {

    public long seq;
    public String time;
    public String actor;
    public String op;
    public String env;
    public String name;
    public String version;
    /** For deploy, release and rollback: the artifact, with what its manifest says. */
    public Artifact artifact;
    /** For deploy, release and rollback: the bindings of the unit put in place. */
    public Map<String, String> bindings;
    /** For adapter deploys and rollbacks (and a module's development build replacing its bytes): the version replaced. */
    public String replaced;
    /** Consumers whose bindings changed, or that were re-wired, with this change. */
    public List<MoveRecord> moves;
    /** For deploy, release, promote, rollback and ttl: when the unit expires (ISO-8601), or null for never. */
    public String expiresAt;
    /** For promote: the environment the artifact came from. */
    public String from;
    /** For deploy, release, promote and rollback: what the deploy policy reported without refusing. */
    public List<String> findings;
    /** For deploy, release, promote and rollback: optional imports the policy keeps unwired. */
    public List<String> unwired;
    /** For backend-set: the declaration (secrets only as references: {@code env:VAR}, {@code file:/path}). */
    public dev.mosaic.backends.BackendSpec backend;
    /** For a forced backend-remove: the adapters that named it, which now fail to call it. */
    public List<String> broken;
    /** For canary and split: each version of the adapter to its share of the requests (out of 100). */
    public Map<String, Integer> weights;
    /** For canary and split: what keeps a client on one version ({@code header:NAME}, {@code query:NAME}), or null. */
    public String sticky;
    /** For a judged canary, and the rollout steps after (pause, resume, halt, pass): its judgement from then on. */
    public Model.Rollout rollout;
    /** For a rollout in waves (its start, and each next wave): the fleet's groups where the new version takes every request. */
    public java.util.Set<String> groups;
    /** For what a canary's judgement did (or halted on): the verdict, in a line. */
    public String verdict;
    /** A module version released with --allow-incompatible: its report, as lines (null otherwise). */
    public List<String> incompatible;

    /**
     * The newest revision format this runtime applies, which each instance of a fleet reports: a change whose
     * {@linkplain #format() format} some live instance does not apply is refused (it would fail there, or be applied
     * wrongly: an older runtime skips what it does not know of a change). 1: what a fleet instance applied before
     * judged rollouts; 2: their steps ({@code rollout-*}) and rollouts in waves (a canary or a release with its
     * {@link #groups}). A change that an older instance cannot apply as it should gets a new format, here and in
     * {@link #format()}.
     */
    public static final int FORMAT = 2;
    /** The format every fleet instance applies, also one that does not say (a runtime from before formats). */
    public static final int OLDEST_FORMAT = 1;

    /** @return the oldest revision {@linkplain #FORMAT format} an instance must apply to apply this change */
    public int format() {
        return op.startsWith("rollout-") || groups != null ? 2 : OLDEST_FORMAT;
    }

    /** @return an event about a unit (its operation, environment, name and version), by an actor */
    public static Event about(Operation op, UnitKey unit, String actor) {
        Event e = new Event();
        e.op = op.toString();
        e.env = unit.env();
        e.name = unit.name();
        e.version = unit.version();
        e.actor = actor == null || actor.isBlank() ? "unknown" : actor;
        return e;
    }

    /** @return an event putting an artifact in an environment (deploy, release, promote, rollback) */
    public static Event placing(Operation op, String env, Artifact artifact, Map<String, String> bindings, String expiresAt,
            String actor) {
        Event e = about(op, new UnitKey(env, artifact.name(), artifact.version()), actor);
        e.artifact = artifact;
        e.bindings = bindings;
        e.expiresAt = expiresAt;
        return e;
    }

    /**
     * A consumer's bindings before and after.
     *
     * @param reason a {@link dev.mosaic.deployer.MoveReason}, spelled as the journal keeps it ({@code uptake})
     */
    public record MoveRecord(String name, String version, Map<String, String> from, Map<String, String> to, String reason) {
    }
}
