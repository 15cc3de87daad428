package dev.mosaic.deployer.internal.flow;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.EventFilter;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Snapshot;
import dev.mosaic.deployer.internal.store.ChangeLog;
import dev.mosaic.deployer.internal.store.HistoryArchive;
import dev.mosaic.deployer.internal.store.Journal;
import dev.mosaic.deployer.internal.store.SnapshotFile;

/**
 * The registry the recorded changes add up to. {@link #record} is the one place where the
 * recorded state changes: the event is appended to the journal and forced to disk, then
 * applied. Changes plan on a {@link #copy}; queries {@link #read} under the same monitor.
 *
 * <p>The journal does not grow without bound: every {@code snapshotEvery} changes, its
 * changes are moved to the {@link HistoryArchive}, the registry is written to a
 * {@link SnapshotFile}, and the journal is emptied, in that order, each step forced to disk.
 * A restart reads the snapshot and the journal's few changes after it, so it costs what is
 * deployed, not how long the history is. A crash between two steps loses nothing: the
 * history archive skips what it already has, and the restart skips the journal's changes
 * that the snapshot already holds (archiving them if they are not yet). A data directory
 * from before snapshots is a journal with no snapshot: read as before, then snapshotted.
 */
public final class RecordedState {

    private static final Logger LOG = LoggerFactory.getLogger(RecordedState.class);

    private final ChangeLog journal;
    private final SnapshotFile snapshots;
    private final HistoryArchive history;
    private final int snapshotEvery;
    private Registry registry;
    /** Changes in the journal file now. */
    private int inJournal;
    /** When to try again after a snapshot failed (changes in the journal). */
    private int nextAttempt;

    private RecordedState(ChangeLog journal, SnapshotFile snapshots, HistoryArchive history, int snapshotEvery, Registry restored,
            int inJournal) {
        this.journal = journal;
        this.snapshots = snapshots;
        this.history = history;
        this.snapshotEvery = snapshotEvery;
        this.registry = restored;
        this.inJournal = inJournal;
        this.nextAttempt = snapshotEvery;
    }

    /**
     * Restores the registry: the snapshot, then the journal's changes after it.
     *
     * @param snapshotEvery after how many changes in the journal it is snapshotted and emptied
     */
    public static RecordedState open(ChangeLog journal, SnapshotFile snapshots, HistoryArchive history, int snapshotEvery)
            throws IOException {
        Snapshot snapshot = snapshots.read();
        Registry registry = snapshot == null ? new Registry() : Registry.restore(snapshot);
        long covered = snapshot == null ? 0 : snapshot.seq();
        history.open();
        List<Event> events = journal.open();
        List<Event> inSnapshot = new ArrayList<>();
        for (Event e : events) {
            if (e.seq <= covered) {
                inSnapshot.add(e); // a snapshot was written and the journal not emptied yet when the process stopped
            } else {
                registry.apply(e);
            }
        }
        history.append(inSnapshot);
        RecordedState state = new RecordedState(journal, snapshots, history, snapshotEvery, registry, events.size());
        synchronized (state) {
            if (state.inJournal >= snapshotEvery) {
                state.snapshot(); // a long journal: from before snapshots, or one whose snapshot failed
            }
        }
        return state;
    }

    /**
     * Restores the registry from a log that keeps its own snapshots and history (a fleet's
     * store): its last snapshot, then the changes after it. The history is the log's; the
     * changes since start-up stay in memory too, to answer while the log cannot.
     */
    public static RecordedState fromLog(ChangeLog log) throws IOException {
        List<Event> events = log.open();
        Snapshot base = log.base();
        Registry registry = base == null ? new Registry() : Registry.restore(base);
        for (Event e : events) {
            if (e.seq > registry.sequence()) {
                registry.apply(e);
            }
        }
        return new RecordedState(log, null, null, Integer.MAX_VALUE, registry, 0);
    }

    /** For tests of what plans and flows do with a registry: a state that keeps its changes in memory only. */
    static RecordedState inMemory(ChangeLog journal, Registry restored) {
        return new RecordedState(journal, null, null, Integer.MAX_VALUE, restored, 0);
    }

    /** @return a copy to plan a change on (constant time: the registry's maps are persistent) */
    public synchronized Registry copy() {
        return registry.copy();
    }

    /** @return what the question asks of the recorded state, asked under its monitor */
    public synchronized <T> T read(Function<Registry, T> question) {
        return question.apply(registry);
    }

    /** A question to the recorded state that may be refused (what it names is not there). */
    @FunctionalInterface
    public interface Question<T> {
        T ask(Registry registry) throws DeployException;
    }

    /** @return the answer to a question that may be refused, asked under the state's monitor */
    public synchronized <T> T ask(Question<T> question) throws DeployException {
        return question.ask(registry);
    }

    /**
     * Commits an event: appended to the journal and forced to disk, then applied.
     *
     * @return its sequence number
     * @throws DeployException if it could not be written; then nothing changed
     */
    public synchronized long record(Event event) throws DeployException {
        event.seq = registry.sequence() + 1;
        try {
            journal.append(event);
        } catch (ChangeLog.Conflict e) {
            throw new DeployException(DeployException.CONFLICT, e.getMessage() + "; nothing changed here: try again (this"
                    + " instance applies the other change first)", e);
        } catch (ChangeLog.Refused e) {
            throw new DeployException(DeployException.OUTDATED_INSTANCE, e.getMessage(), e);
        } catch (ChangeLog.Unavailable e) {
            throw new DeployException(DeployException.STORE_UNAVAILABLE, e.getMessage(), e);
        } catch (IOException e) {
            throw new DeployException(DeployException.INTERNAL, "could not record the change durably ("
                    + e.getMessage() + "); nothing changed", e);
        }
        registry.apply(event);
        journal.committed(event.seq, registry::snapshot);
        if (snapshots == null && registry.events().size() > 10_000) {
            registry.forgetEvents(); // a log that keeps the history has them
        }
        inJournal++;
        if (inJournal >= nextAttempt && snapshots != null && journal.snapshots()) {
            snapshot();
        }
        return event.seq;
    }

    /** @return the sequence number of the last change applied */
    public synchronized long sequence() {
        return registry.sequence();
    }

    /**
     * Applies a change another instance committed to the log (it is not written again).
     *
     * @throws IllegalStateException if it is not the next one
     */
    public synchronized void applyCommitted(Event event) {
        if (event.seq != registry.sequence() + 1) {
            throw new IllegalStateException("change " + event.seq + " is not the next after " + registry.sequence());
        }
        registry.apply(event);
        if (registry.events().size() > 10_000) {
            registry.forgetEvents(); // the log has them; this runtime keeps a bounded share in memory
        }
    }

    /**
     * Moves the journal's changes to the history archive, writes the snapshot, empties the
     * journal. A failure loses nothing (the journal still holds every change) and is tried
     * again a tenth of {@code snapshotEvery} changes later.
     */
    private void snapshot() {
        long t0 = System.nanoTime();
        try {
            history.append(registry.events());
            snapshots.write(registry.snapshot());
            journal.reset();
        } catch (IOException e) {
            nextAttempt = inJournal + Math.max(1, snapshotEvery / 10);
            LOG.warn("could not snapshot the registry and empty the journal ({}); nothing is lost, the journal keeps every"
                    + " change; trying again after {} more", e.getMessage(), nextAttempt - inJournal, e);
            return;
        }
        registry.forgetEvents();
        LOG.info("registry snapshotted at change {} and {} change(s) moved from the journal to the history in {} ms",
                registry.sequence(), inJournal, (System.nanoTime() - t0) / 1_000_000);
        inJournal = 0;
        nextAttempt = snapshotEvery;
    }

    /**
     * @return up to {@code limit} of the last changes the filter passes, oldest first: from the journal's (in memory)
     *         and, before them, from the history archive (or from a log that keeps the history itself)
     */
    public List<Event> history(int limit, EventFilter filter) throws IOException {
        try {
            // not under this state's lock: a fleet store's pages of a rare name must not hold up changes and reads
            List<Event> kept = journal.last(limit, filter);
            if (kept != null) {
                return kept;
            }
        } catch (ChangeLog.Unavailable e) {
            // the log keeps the history but cannot be read now: what this runtime has seen since it started
        }
        return recorded(limit, filter);
    }

    /** @return the history's last changes the filter passes: the journal's in memory, then the archive's */
    private synchronized List<Event> recorded(int limit, EventFilter filter) throws IOException {
        long archived = history == null ? 0 : history.lastSeq();
        List<Event> recent = new ArrayList<>();
        long first = archived + 1; // the first change not archived, in memory
        boolean any = false;
        for (Event e : registry.events()) {
            if (e.seq > archived) {
                if (!any) {
                    first = e.seq;
                    any = true;
                }
                if (filter.test(e)) {
                    recent.add(e);
                }
            }
        }
        if (recent.size() >= limit || history == null) {
            return new ArrayList<>(recent.subList(Math.max(0, recent.size() - limit), recent.size()));
        }
        List<Event> all = new ArrayList<>(history.last(limit - recent.size(), first, filter));
        all.addAll(recent);
        return all;
    }
}
