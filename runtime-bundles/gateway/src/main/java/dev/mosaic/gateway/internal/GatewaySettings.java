package dev.mosaic.gateway.internal;

import java.util.Locale;
import java.util.function.Function;

import org.eclipse.jetty.util.thread.Invocable.InvocationType;

/**
 * The gateway's configuration, read once from framework properties.
 *
 * <p>The device server: {@code mosaic.gateway.port} (default 8080, 0 for any free port),
 * {@code mosaic.gateway.host} (default: all interfaces), {@code mosaic.gateway.deviceThreads}
 * (default 200), {@code mosaic.gateway.invocationType} ({@link Mode}, default
 * {@code adaptive}) and {@code mosaic.gateway.inPlaceCalls} (how many blocking handler calls
 * may hold Jetty threads at once, default half the device threads), {@code
 * mosaic.gateway.stopTimeout} (how long the calls in flight get to finish when the framework
 * stops, default 10s).
 *
 * <p>Device traffic is untrusted: {@code mosaic.gateway.maxHeaderBytes} (request line and
 * headers, default 8 KiB), {@code mosaic.gateway.maxBodyBytes} (default 1 MiB),
 * {@code mosaic.gateway.minRequestDataRate} (bytes per second a client must send a body at,
 * default 1024; a body gets at least 5 s and at most {@code mosaic.gateway.maxBodyMillis},
 * default 30000), {@code mosaic.gateway.idleTimeoutMillis} (default 30000),
 * {@code mosaic.gateway.maxConnections} (default 10000; at the limit, connections still reading
 * their request headers are closed, oldest first), {@code mosaic.gateway.headerTimeout} (how
 * long a request's line and headers may take to arrive, default 10s),
 * {@code mosaic.gateway.maxConnectionsPerAddress} (default 0: no limit). See {@link DeviceConnector}.
 *
 * <p>Adapters' limits: {@code mosaic.gateway.timeout} and {@code mosaic.gateway.concurrency}
 * (unless an adapter's {@code Mosaic-Timeout} and {@code Mosaic-Concurrency} headers say
 * otherwise, default 2s and 256), capped by {@code mosaic.gateway.maxTimeout} and
 * {@code mosaic.gateway.maxConcurrency} (30s, 2048); an operator sets one adapter's with
 * {@code mosaic.limits.<name>.timeout} and {@code mosaic.limits.<name>.concurrency}
 * ({@link #limit}); {@code mosaic.gateway.adapterThreads} bounds the threads running adapter
 * calls (default 2048); {@code mosaic.gateway.inlineBudgetMicros} is how long a non-blocking
 * handler may take before it counts as blocking (default 10000; three such calls in a row move
 * its adapter to the thread pool), {@code mosaic.gateway.inlineWarmupCalls} how many first calls
 * of a route do not count (default 100: loading classes and compiling make the first calls slow),
 * unless they take a hundred times the budget.
 */
record GatewaySettings(int port, String host, int deviceThreads, Mode mode, int inPlaceCalls, long stopTimeoutMillis,
        int maxHeaderBytes, long maxBodyBytes, long minRequestDataRate, long maxBodyMillis, int idleTimeoutMillis,
        int maxConnections, long headerTimeoutMillis, int maxConnectionsPerAddress, long defaultTimeoutMillis, long maxTimeoutMillis, int defaultConcurrency, int maxConcurrency,
        int adapterThreads, long inlineBudgetMicros, Function<String, String> properties) {

    /** Where Jetty reads and handles device requests; see {@link DeviceHandler}. */
    enum Mode {
        ADAPTIVE, BLOCKING, NONBLOCKING;

        /** @return how the device handler declares itself to Jetty in this mode */
        InvocationType invocationType() {
            return this == BLOCKING ? InvocationType.BLOCKING : InvocationType.NON_BLOCKING;
        }

        static Mode parse(String text) {
            for (Mode m : values()) {
                if (m.name().equalsIgnoreCase(text.trim())) {
                    return m;
                }
            }
            throw new IllegalArgumentException("mosaic.gateway.invocationType must be adaptive, blocking or nonblocking,"
                    + " got '" + text + "'");
        }
    }

    /** @param property a framework property by name, null when not set */
    static GatewaySettings from(Function<String, String> property) {
        Function<String, String> p = name -> {
            String v = property.apply(name);
            return v == null || v.isBlank() ? null : v.trim();
        };
        int deviceThreads = number(p, "mosaic.gateway.deviceThreads", 200);
        long maxTimeout = Limits.millis(or(p, "mosaic.gateway.maxTimeout", "30s"));
        int maxConcurrency = Limits.count(or(p, "mosaic.gateway.maxConcurrency", "2048"));
        return new GatewaySettings(number(p, "mosaic.gateway.port", 8080), p.apply("mosaic.gateway.host"), deviceThreads,
                Mode.parse(or(p, "mosaic.gateway.invocationType", "adaptive")),
                number(p, "mosaic.gateway.inPlaceCalls", deviceThreads / 2),
                Limits.millis(or(p, "mosaic.gateway.stopTimeout", "10s")),
                number(p, "mosaic.gateway.maxHeaderBytes", 8192), number(p, "mosaic.gateway.maxBodyBytes", 1 << 20),
                number(p, "mosaic.gateway.minRequestDataRate", 1024), number(p, "mosaic.gateway.maxBodyMillis", 30_000),
                number(p, "mosaic.gateway.idleTimeoutMillis", 30_000), number(p, "mosaic.gateway.maxConnections", 10_000),
                Limits.millis(or(p, "mosaic.gateway.headerTimeout", "10s")), number(p, "mosaic.gateway.maxConnectionsPerAddress", 0),
                Math.min(maxTimeout, Limits.millis(or(p, "mosaic.gateway.timeout", "2s"))), maxTimeout,
                Math.min(maxConcurrency, Limits.count(or(p, "mosaic.gateway.concurrency", "256"))), maxConcurrency,
                number(p, "mosaic.gateway.adapterThreads", 2048), number(p, "mosaic.gateway.inlineBudgetMicros", 10_000), p);
    }

    /** @return how many first calls of a route a slow inline call is forgiven in ({@code mosaic.gateway.inlineWarmupCalls}, 100) */
    int inlineWarmupCalls() {
        return number(properties, "mosaic.gateway.inlineWarmupCalls", 100);
    }

    /**
     * @return the key that makes {@code X-Mosaic-Trace} count in {@code prod} ({@code mosaic.trace.key}: the launcher
     *         makes a random one at each start, which the management API's {@code call} sends); null if none
     */
    String traceKey() {
        return properties.apply("mosaic.trace.key");
    }

    /** @return the operator's setting for one adapter ({@code mosaic.limits.<adapter>.<limit>}), or null */
    String limit(String adapter, String limit) {
        return properties.apply("mosaic.limits." + adapter + "." + limit);
    }

    private static String or(Function<String, String> p, String name, String defaultValue) {
        String v = p.apply(name);
        return v == null ? defaultValue : v;
    }

    private static int number(Function<String, String> p, String name, int defaultValue) {
        String value = p.apply(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("framework property " + name + " must be a number, got '" + value + "'");
        }
    }

    /** @return these settings in another mode (tests, benchmarks) */
    GatewaySettings withMode(Mode m) {
        return new GatewaySettings(port, host, deviceThreads, m, inPlaceCalls, stopTimeoutMillis, maxHeaderBytes, maxBodyBytes,
                minRequestDataRate, maxBodyMillis, idleTimeoutMillis, maxConnections, headerTimeoutMillis, maxConnectionsPerAddress,
                defaultTimeoutMillis, maxTimeoutMillis,
                defaultConcurrency, maxConcurrency, adapterThreads, inlineBudgetMicros, properties);
    }

    @Override
    public String toString() {
        return "port " + port + ", mode " + mode.name().toLowerCase(Locale.ROOT);
    }
}
