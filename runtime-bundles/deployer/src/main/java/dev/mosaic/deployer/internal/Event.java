package dev.mosaic.deployer.internal;

import java.util.List;
import java.util.Map;

import dev.mosaic.deployer.internal.Model.Artifact;

/**
 * One committed change, as written to the journal. Replaying every event in order rebuilds
 * the registry; the events are also the history.
 */
final class Event {
    static final String DEPLOY = "deploy";
    static final String RELEASE = "release";
    static final String UNDEPLOY = "undeploy";
    static final String ROLLBACK = "rollback";
    static final String YANK = "yank";
    static final String UNYANK = "unyank";
    static final String ADOPT = "adopt";
    static final String PROMOTE = "promote";
    static final String TTL = "ttl";
    static final String EXPIRE = "expire";
    static final String SUNSET = "sunset";

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
    /** For adapter deploys and rollbacks: the version that was replaced. */
    public String replaced;
    /** Consumers whose bindings changed, or that were re-wired, with this change. */
    public List<MoveRecord> moves;
    /** For deploy, release, promote, rollback and ttl: when the unit expires (ISO-8601), or null for never. */
    public String expiresAt;
    /** For promote: the environment the artifact came from. */
    public String from;

    /** A consumer's bindings before and after. */
    record MoveRecord(String name, String version, Map<String, String> from, Map<String, String> to, String reason) {
    }
}
