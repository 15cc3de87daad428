package dev.mosaic.deployer.internal.flow;

import java.io.IOException;
import java.util.function.Function;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.store.Journal;

/**
 * The registry the journal's events add up to. {@link #record} is the one place where the
 * recorded state changes: the event is appended to the journal and forced to disk, then
 * applied. Changes plan on a {@link #copy}; queries {@link #read} under the same monitor.
 */
public final class RecordedState {

    private final Journal journal;
    private Registry registry;

    public RecordedState(Journal journal, Registry restored) {
        this.journal = journal;
        this.registry = restored;
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
        } catch (IOException e) {
            throw new DeployException(DeployException.INTERNAL, "could not record the change durably ("
                    + e.getMessage() + "); nothing changed", e);
        }
        registry.apply(event);
        return event.seq;
    }
}
