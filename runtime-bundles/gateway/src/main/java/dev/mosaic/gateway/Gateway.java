package dev.mosaic.gateway;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

import org.osgi.annotation.versioning.ProviderType;
import org.osgi.framework.Bundle;

/**
 * The device-facing HTTP server and its routing table, per environment.
 *
 * <p>Route handlers serve only once they are switched in: an adapter's bundle can be
 * installed, started and {@linkplain #prepare prepared} next to the version that is
 * serving, and then replace it in one atomic {@linkplain #switchRoutes switch}. Requests
 * already running in the old version finish there ({@link #awaitIdle}); new requests go to
 * the new one. This is what makes deploys make-before-break.
 *
 * <p>Callers (the deployer) serialise their changes; lookups on the request path never
 * wait for them.
 */
@ProviderType
public interface Gateway {

    /** What an environment name looks like: {@code prod}, {@code test}, {@code pr-1234}. */
    Pattern ENVIRONMENT_NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    /** The environment a device request is served from when it names none. */
    String DEFAULT_ENVIRONMENT = "prod";

    /** The request header naming the environment to serve a device request from. */
    String ENVIRONMENT_HEADER = "X-Mosaic-Env";

    /**
     * The request header naming the version of an adapter to serve a request with, one with no share of the
     * traffic included ({@link #split}): honoured outside {@value #DEFAULT_ENVIRONMENT}, and there only on requests
     * carrying the runtime's trace key (what {@code bin/mosaic call} sends). Since 2.3.
     */
    String VERSION_HEADER = "X-Mosaic-Version";

    /**
     * The request header asking for a trace of a device request's backend calls, answered in {@code Server-Timing}:
     * {@code 1} outside {@value #DEFAULT_ENVIRONMENT}, the runtime's trace key anywhere (what {@code bin/mosaic call}
     * sends). Since 2.3.
     */
    String TRACE_HEADER = "X-Mosaic-Trace";

    /** The response header carrying the id of every request. */
    String REQUEST_ID_HEADER = "X-Request-Id";

    /**
     * Hands each request the adapter answers to {@code served}, with its backend calls, until closed: what
     * {@code bin/mosaic tail} shows. Called on the thread that answered: it must not block.
     *
     * @param environment one environment, or null for all
     * @since 2.3
     */
    AutoCloseable follow(String adapter, String environment, java.util.function.Consumer<Served> served);

    /**
     * @return how each route served now has been answering: status classes, latency buckets, timeouts, rejections
     * @since 2.3
     */
    List<RouteStats> stats();

    /**
     * @return how many traces of device requests were kept and not, since the gateway started
     * @since 2.3
     */
    default TraceCounts traces() {
        return TraceCounts.NONE;
    }

    /**
     * @return how many access log lines were written and dropped, since the gateway started
     * @since 2.3
     */
    default AccessLogCounts accessLog() {
        return AccessLogCounts.NONE;
    }

    /**
     * @return the port device requests are served on, once the server listens (the gateway
     *         starts it in the background; this waits for it)
     * @throws IllegalStateException if the server could not listen, saying why
     */
    int port();

    /**
     * @return whether the device listener is open and taking requests: not yet while the
     *         server starts, no longer once the runtime stops (the readiness probe's half)
     */
    boolean serving();

    /**
     * Checks that the route handlers registered by {@code joining} can serve in the
     * environment once {@code leaving} stops serving, and activates them. Nothing that is
     * served changes.
     *
     * @param environment the environment the bundles are deployed to
     * @param joining bundles whose handlers are to start serving
     * @param leaving bundles whose handlers are to stop serving
     * @return the routes {@code joining} would serve
     * @throws RoutingException if a handler has no valid route, cannot be activated, or
     *         claims a route another adapter serves in that environment
     */
    List<RouteInfo> prepare(String environment, Collection<Bundle> joining, Collection<Bundle> leaving)
            throws RoutingException;

    /**
     * Atomically makes the handlers of {@code joining} serve in the environment and those of
     * {@code leaving} stop serving there.
     *
     * @throws RoutingException for the same reasons as {@link #prepare}; nothing changes then
     */
    void switchRoutes(String environment, Collection<Bundle> joining, Collection<Bundle> leaving)
            throws RoutingException;

    /**
     * Checks that the bundles' handlers can serve as versions of an adapter sharing its
     * requests ({@link #split}) in the environment, and activates them. Nothing that is served
     * changes.
     *
     * @throws RoutingException if a handler has no valid route or cannot be activated
     * @since 2.3
     */
    void prepareSplit(String environment, Collection<Bundle> bundles) throws RoutingException;

    /**
     * Shares the requests of an adapter's routes in the environment among its versions, at once
     * for the requests that come next: each bundle with its weight out of 100, one of them the
     * bundle whose routes serve in the environment ({@link #switchRoutes}). Replaces the
     * adapter's split, if it had one; no shares: it has none any more (the serving bundle takes
     * every request).
     *
     * @param stickyKey {@code header:NAME} or {@code query:NAME}: requests with the same value go
     *        to the same version; null: each request is drawn at random
     * @throws RoutingException if the weights do not add up to 100, or a bundle cannot serve
     * @since 2.3
     */
    void split(String environment, String adapter, java.util.Map<Bundle, Integer> shares, String stickyKey)
            throws RoutingException;

    /**
     * Waits until no request is running in a handler of any of the bundles.
     *
     * @return {@code true} if they became idle, {@code false} if the timeout passed first
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitIdle(Collection<Bundle> bundles, Duration timeout) throws InterruptedException;

    /** @return every route served now, in every environment */
    List<RouteInfo> routes();
}
