package dev.mosaic.deployer;

import java.time.Duration;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The fleet this runtime is an instance of: present only when the runtime keeps its registry
 * in a shared store ({@code bin/mosaic run --store postgresql://...}). Every change a
 * {@link Deployer} makes is then a revision of the store, which every instance applies.
 *
 * @since 2.4
 */
@ProviderType
public interface Fleet {

    /** @return this instance's id, unique in the fleet and kept across restarts (its data directory's) */
    String instanceId();

    /** @return every instance that has reported to the store, live or not, by group and id */
    List<FleetInstance> instances() throws DeployException;

    /**
     * Waits until every live instance has applied the revision, at most {@code timeout}.
     *
     * @return who has and who has not, and why
     */
    Convergence await(long revision, Duration timeout) throws DeployException, InterruptedException;

    /**
     * Makes a management token valid on every instance (its SHA-256 is kept in the store, not
     * the token), and records where this instance's management API is.
     */
    void announce(String managementUrl, String token) throws DeployException;

    /** @return whether a token presented to this instance was announced by any instance of the fleet */
    boolean accepts(String token);

    /** @return the store as this instance sees it now */
    StoreStatus status();

    /**
     * An instance, as the store knows it.
     *
     * @param live its heartbeat is younger than three heartbeat intervals: it counts for convergence
     * @param lag how many revisions it is behind the store's last
     * @param health {@code ok}, {@code starting}, {@code failing} (a revision it could not apply: see problem) or
     *        {@code stopped}
     * @param heartbeatAgeMillis how long ago it last reported
     * @param runtime the version of Mosaic it runs; null for a runtime from before instances said it
     * @param applies the newest revision format it applies: a change that a live instance does not apply is refused
     *        ({@link DeployException#OUTDATED_INSTANCE})
     */
    record FleetInstance(String id, String group, String address, String managementUrl, long applied, long lag,
            String health, String problem, long heartbeatAgeMillis, boolean live, String runtime, int applies) {
    }

    /**
     * Where a revision stands across the live instances.
     *
     * @param complete every live instance has applied it
     * @param applied the ids of those that have
     * @param pending the ids of those that have not, with why (their health, problem, or the revision they are at)
     */
    record Convergence(long revision, boolean complete, List<String> applied, List<Pending> pending, long millis) {
        public Convergence {
            applied = List.copyOf(applied);
            pending = List.copyOf(pending);
        }
    }

    /** A live instance that has not applied a revision yet, and why. */
    record Pending(String id, String group, long applied, String reason) {
    }

    /**
     * @param reachable the last exchange with the store succeeded
     * @param applied the revision this instance serves
     * @param head the store's last revision, as of this instance's last heartbeat
     * @param unreachableSinceMillis since when (epoch millis) it has not been reachable, 0 when reachable
     * @param problem why not, or the revision this instance failed to apply; null when all is well
     */
    record StoreStatus(String store, boolean reachable, long applied, long head, long unreachableSinceMillis, String problem) {
    }
}
