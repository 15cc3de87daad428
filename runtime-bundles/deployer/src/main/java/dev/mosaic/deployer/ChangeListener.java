package dev.mosaic.deployer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told where a change is in the make-before-break protocol. Register one as a service (a
 * platform bundle, never a tenant: tenants cannot import this package) to time changes,
 * trace them, or hold one at a point.
 *
 * <p>Called synchronously on the thread carrying out the change, with the change serialised
 * against every other: a listener that blocks holds the change there, and every change after
 * it. The crash tests do exactly that to kill the runtime before and after a change is
 * recorded. A listener that throws is logged and otherwise ignored.
 *
 * <pre>
 *   restore ──► RESTORING ──► (recorded deployments installed, started, routed)
 *   change  ──► PREPARED ──► (recorded, fsync'd) ──► RECORDED ──► (routes switched) ──► SWITCHED
 *                 new generations installed, started and their routes checked next to what serves
 * </pre>
 */
@ConsumerType
public interface ChangeListener {

    /** The points of a change (and of the restore at start-up) a listener hears of. */
    enum Phase {
        /** The runtime is about to restore the recorded deployments. */
        RESTORING,
        /** The change is ready next to what serves; nothing that serves has changed, nothing is recorded. */
        PREPARED,
        /** The change is recorded durably; routes still go to what served before. */
        RECORDED,
        /** Routes go to the new generations; what they replace is about to be drained and retired. */
        SWITCHED
    }

    /**
     * What a change is about.
     *
     * @param operation what is done
     * @param environment where
     * @param name the deployment the change is about (null for the restore)
     * @param version its version (null for the restore)
     */
    record Change(Operation operation, String environment, String name, String version) {
    }

    /**
     * @param phase where the change is
     * @param change what it is about; for {@link Phase#RESTORING}, no operation, environment or name
     */
    void changing(Phase phase, Change change);
}
