package dev.mosaic.deployer.internal.store;

import java.io.IOException;
import java.util.List;

import dev.mosaic.deployer.internal.model.Event;

/**
 * Where committed changes are kept, in order: the {@link Journal} of one runtime's data
 * directory, or the revision log of a fleet's store. Appending is the commit point.
 */
public interface ChangeLog extends AutoCloseable {

    /** @return the committed changes, oldest first; the log is then open for appending */
    List<Event> open() throws IOException;

    /**
     * Commits the change: when this returns, it is durable.
     *
     * @throws Conflict if another writer committed a change with that sequence number first
     * @throws IOException if it could not be committed (for a store: or its outcome is not known)
     */
    void append(Event event) throws IOException;

    /** Empties the log once a snapshot holds what it had; only logs that {@link #snapshots()} are asked. */
    default void reset() throws IOException {
        throw new UnsupportedOperationException("this change log is never emptied");
    }

    /** @return whether the log is snapshotted and emptied from time to time by its reader (the journal) */
    default boolean snapshots() {
        return true;
    }

    /** @return after {@link #open}: the snapshot the changes it returned follow, or null if they start from nothing */
    default dev.mosaic.deployer.internal.model.Snapshot base() {
        return null;
    }

    /**
     * Told after a change was committed and applied, with the registry it led to (made only if
     * asked for): a log that keeps its own snapshots takes one from time to time.
     */
    default void committed(long seq, java.util.function.Supplier<dev.mosaic.deployer.internal.model.Snapshot> registry) {
    }

    /**
     * @return the last changes the filter passes (up to {@code limit}, oldest first), if the log keeps the history
     *         itself; else null
     */
    default List<Event> last(int limit, dev.mosaic.deployer.internal.model.EventFilter filter) throws IOException {
        return null;
    }

    @Override
    void close() throws IOException;

    /** Another writer committed that sequence number first: nothing of this change was committed. */
    final class Conflict extends IOException {
        private static final long serialVersionUID = 1L;

        public Conflict(String message) {
            super(message);
        }
    }

    /** The log refuses the change as it stands (the message says why and what to do): nothing was committed. */
    final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }

    /** The log cannot be reached: nothing was committed, or (see the message) whether it was is not known. */
    final class Unavailable extends IOException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
