package dev.mosaic.backends;

import java.util.Collection;
import java.util.List;
import java.util.Map;
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
     * The slf4j MDC keys set while an adapter serves a request (its handler, by the gateway, and the completions of its
     * backend calls, here): the adapter's name, its version, the environment and the request's id. Each line it logs
     * then says whose it is.
     *
     * @since 1.1
     */
    String MDC_ADAPTER = "adapter";
    /** @since 1.1 */
    String MDC_VERSION = "adapterVersion";
    /** @since 1.1 */
    String MDC_ENVIRONMENT = "env";
    /** @since 1.1 */
    String MDC_REQUEST_ID = "requestId";

    /**
     * Makes the MDC of this thread say whose request it serves, unless it says so already; {@link #unattribute()} when
     * done, if this returned true.
     *
     * @return whether it set the MDC
     * @since 1.1
     */
    static boolean attribute(String adapter, String version, String environment, String requestId) {
        if (requestId.equals(org.slf4j.MDC.get(MDC_REQUEST_ID))) {
            return false;
        }
        org.slf4j.MDC.put(MDC_ADAPTER, adapter);
        org.slf4j.MDC.put(MDC_VERSION, version);
        org.slf4j.MDC.put(MDC_ENVIRONMENT, environment);
        org.slf4j.MDC.put(MDC_REQUEST_ID, requestId);
        return true;
    }

    /**
     * Clears what {@link #attribute} set.
     *
     * @since 1.1
     */
    static void unattribute() {
        org.slf4j.MDC.remove(MDC_ADAPTER);
        org.slf4j.MDC.remove(MDC_VERSION);
        org.slf4j.MDC.remove(MDC_ENVIRONMENT);
        org.slf4j.MDC.remove(MDC_REQUEST_ID);
    }

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

    /**
     * How an environment's backend calls are answered while an adapter is developed ({@code bin/mosaic dev --record} or
     * {@code --replay}): from the network as usual, also written to {@code directory} ({@link Recordings}), or only from
     * what is written there, never the network. Not kept across a restart.
     *
     * @param redact the headers (lower case) whose values are never written
     * @since 1.1
     */
    record Recording(Mode mode, java.nio.file.Path directory, Set<String> redact) {
        /** @since 1.1 */
        public enum Mode {
            /** Calls go out, and that is all. */
            OFF,
            /** Calls go out, and their answers are written. */
            RECORD,
            /** Calls are answered from what was written; one never recorded fails. */
            REPLAY
        }

        /** No recording. */
        public static final Recording OFF = new Recording(Mode.OFF, null, Set.of());
    }

    /**
     * Sets how the environment's calls are answered: {@link Recording}.
     *
     * @throws IllegalArgumentException for prod, or a directory that cannot be used, saying why
     * @since 1.1
     */
    void recording(String environment, Recording recording);

    /**
     * @return how each environment that records or replays does
     * @since 1.1
     */
    Map<String, Recording> recordings();

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
