package dev.mosaic.logs;

import java.util.Map;
import java.util.function.Consumer;

/**
 * The runtime's log, as the platform's bundles see it (a service the launcher registers; the system bundle exports
 * this package). Lines an adapter logs while serving a request carry its name, version, environment and the request's
 * id (slf4j MDC keys {@link #ADAPTER}, {@link #VERSION}, {@link #ENVIRONMENT}, {@link #REQUEST_ID}), on the request's
 * thread and on the threads its backend calls complete on.
 */
public interface RuntimeLogs {

    /** MDC key: the adapter's symbolic name. */
    String ADAPTER = "adapter";
    /** MDC key: the adapter's version. */
    String VERSION = "adapterVersion";
    /** MDC key: the environment the request is served in. */
    String ENVIRONMENT = "env";
    /** MDC key: the request's id ({@code X-Request-Id}). */
    String REQUEST_ID = "requestId";

    /**
     * Hands each log line attributed to the adapter to {@code lines} as it is logged, until closed. Called on the
     * logging thread: it must not block.
     *
     * @param environment one environment, or null for all
     */
    AutoCloseable follow(String adapter, String environment, Consumer<String> lines);

    /**
     * Sets the level of the lines an adapter logs while serving (TRACE, DEBUG, INFO, WARN, ERROR, OFF), whatever the
     * level of its loggers; null goes back to theirs.
     *
     * @return the level it had, or null
     * @throws IllegalArgumentException for a level that is none of these
     */
    String level(String adapter, String level);

    /** @return the adapters whose level was set, with their level */
    Map<String, String> levels();
}
