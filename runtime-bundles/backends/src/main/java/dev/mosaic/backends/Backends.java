package dev.mosaic.backends;

import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The platform's egress: the backends declared in each environment, and the calls adapters make
 * to them. The deployer keeps the declarations (durably, in the registry) and {@linkplain #apply
 * applies} them here; the gateway {@linkplain #open opens} a scope per device request that calls
 * them.
 */
@ProviderType
public interface Backends {

    /**
     * Checks that a declaration can be used on this runtime: its secrets can be read (the
     * environment variable is set, the file is readable) and its stores opened. Nothing changes.
     *
     * @throws IllegalArgumentException saying what cannot be used, never a secret's value
     */
    void check(BackendSpec spec);

    /**
     * Makes {@code specs} the backends of the environment, replacing what it had. A backend whose
     * declaration did not change keeps its breaker and its figures.
     */
    void apply(String environment, Collection<BackendSpec> specs);

    /** @return the backends declared in the environment now, by name */
    Set<String> declared(String environment);

    /**
     * Starts what one device request may call: calls made through the scope share its deadline,
     * its trace, its de-duplication of identical GETs, and end with it.
     */
    Scope open(Caller caller);

    /**
     * @param environment one environment, or {@code null} for all
     * @return how calls to each backend went
     */
    List<BackendStats> stats(String environment);

    /**
     * The device request a scope serves.
     *
     * @param environment where it is served; only that environment's backends are reached
     * @param adapter the adapter answering it, and its version
     * @param declared the backends the adapter names in {@code Mosaic-Backends}
     * @param deadlineNanos when its answer is due ({@link System#nanoTime()} clock)
     * @param requestId its id, sent along as {@code X-Request-Id}
     * @param traceparent its W3C {@code traceparent} header if it came with a valid one, else {@code null} (a trace starts here)
     * @param mapper the adapter's own JSON mapper, to read answers into its classes
     * @param onCall run once for each call made (the route's counter), or {@code null}
     */
    record Caller(String environment, String adapter, String version, Set<String> declared, long deadlineNanos,
            String requestId, String traceparent, ObjectMapper mapper, Runnable onCall) {
    }

    /** The backends one device request reaches. */
    interface Scope {

        /**
         * @throws dev.mosaic.api.BackendException with reason UNDECLARED if the adapter does not name
         *         the backend or the environment does not declare it
         */
        dev.mosaic.api.Backend backend(String name);

        /** The request is answered: calls still in flight are aborted. */
        void close();

        /**
         * Keeps each call made from now on, for {@link #calls()}: for a request a developer or an operator traces
         * ({@code X-Mosaic-Trace}); untraced requests keep nothing.
         *
         * @since 1.1
         */
        default void trace() {
            // a scope that keeps nothing
        }

        /**
         * @return the calls made since {@link #trace()} that have ended, in the order they ended; empty if not traced
         * @since 1.1
         */
        default java.util.List<BackendTrace> calls() {
            return java.util.List.of();
        }
    }
}
