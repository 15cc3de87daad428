package dev.mosaic.gateway.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Jetty server devices talk to: made and started on a thread of its own (start-up time
 * is mostly loading Jetty's and jackson's classes, and the deployer restores meanwhile), with
 * untrusted-traffic limits; stopped device traffic first when the framework stops.
 */
final class DeviceServer {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceServer.class);

    private final GatewaySettings settings;
    /** The port, once the server listens; completed exceptionally if it cannot. */
    private final CompletableFuture<Integer> started = new CompletableFuture<>();
    /** Set by the thread that starts it, before {@link #started} completes. */
    private volatile Server server;
    private volatile DeviceHandler handler;
    private volatile boolean serving;

    DeviceServer(GatewaySettings settings) {
        this.settings = settings;
    }

    /** Starts the server in the background; {@link #port} waits for it. */
    void start(Function<ObjectMapper, DeviceHandler> handlerFactory) {
        String where = (settings.host() == null ? "*" : settings.host()) + ":" + settings.port();
        Thread starter = new Thread(() -> {
            try {
                ObjectMapper mapper = Json.mapper();
                Server s = newServer(settings, null, HttpConnectionFactory::new);
                DeviceConnector connector = (DeviceConnector) s.getConnectors()[0];
                s.setErrorHandler(new JsonErrorHandler(mapper));
                DeviceHandler h = handlerFactory.apply(mapper);
                s.setHandler(h);
                handler = h;
                server = s;
                s.start();
                serving = true;
                LOG.info("gateway serving devices on port {}", connector.getLocalPort());
                started.complete(connector.getLocalPort());
            } catch (Exception | LinkageError e) {
                LOG.error("cannot serve devices on {}: {}", where, e.getMessage(), e);
                started.completeExceptionally(new IllegalStateException("cannot serve devices on " + where + ": "
                        + e.getMessage() + " (set --port to a free port)", e));
            }
        }, "mosaic-gateway-start");
        starter.setDaemon(true);
        starter.start();
    }

    /**
     * A device server, not started and with no handler yet: Mosaic's thread pool and
     * connector, the untrusted-traffic limits of {@code settings}.
     *
     * @param buffers Jetty's buffer pool, null for its default (tests give one that checks how buffers are used)
     * @param connections makes the HTTP/1 connection factory from the configuration
     */
    static Server newServer(GatewaySettings settings, ByteBufferPool buffers,
            Function<HttpConfiguration, HttpConnectionFactory> connections) {
        QueuedThreadPool threads = new DeviceThreads(settings.deviceThreads(), 8);
        threads.setName("mosaic-device");
        Server s = new Server(threads, null, buffers);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // Device traffic is untrusted: bounded headers, no slow-loris bodies, idle connections closed.
        http.setRequestHeaderSize(settings.maxHeaderBytes());
        http.setIdleTimeout(settings.idleTimeoutMillis());
        DeviceConnector connector = new DeviceConnector(s, connections.apply(http),
                settings.mode() == GatewaySettings.Mode.ADAPTIVE, settings.headerTimeoutMillis(),
                settings.maxConnectionsPerAddress());
        connector.setIdleTimeout(settings.idleTimeoutMillis());
        connector.setPort(settings.port());
        if (settings.host() != null) {
            connector.setHost(settings.host());
        }
        s.addConnector(connector);
        // Connections wait on the selector, not on threads; still, a flood of them is cut at a bound,
        // where the ones still trickling their headers make room for new clients.
        s.addBean(new DeviceConnector.Limit(settings.maxConnections(), connector));
        return s;
    }

    /**
     * @return the port, once the server listens (waiting for it if it is still starting)
     * @throws IllegalStateException if the server could not start
     */
    int port() {
        try {
            return started.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof IllegalStateException i ? i : new IllegalStateException(e.getCause());
        }
    }

    /** @return whether the server listens for devices now (not yet while starting, no longer once stopping) */
    boolean serving() {
        return serving;
    }

    /**
     * The framework is stopping: no new device connections, 503 (with {@code Connection: close})
     * for new requests on open ones, and the calls in flight get up to the stop timeout to
     * finish; then the server stops.
     *
     * @param awaitIdle waits up to the given nanoseconds for the calls in flight, returning how many still run
     */
    void stopServing(IdleWait awaitIdle) {
        serving = false;
        Server s;
        try {
            started.join();
            s = server;
        } catch (CompletionException e) {
            return; // it never served
        }
        long t0 = System.nanoTime();
        handler.refuseNewCalls();
        for (Connector c : s.getConnectors()) {
            if (c instanceof ServerConnector listening) {
                listening.close(); // stops accepting; open connections stay until the server stops
            }
        }
        long running = 0;
        try {
            running = awaitIdle.await(TimeUnit.MILLISECONDS.toNanos(settings.stopTimeoutMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (running > 0) {
            LOG.warn("stopped serving devices after {} ms; {} call(s) still running were cut off (mosaic.gateway.stopTimeout {} ms)",
                    ms, running, settings.stopTimeoutMillis());
        } else {
            LOG.info("stopped serving devices: the calls in flight finished in {} ms", ms);
        }
    }

    /** Stops the server at once (it may not have started). */
    void stop() {
        serving = false;
        try {
            started.join();
        } catch (CompletionException e) {
            // it never served; stopping it below releases what it took
        }
        Server s = server;
        if (s != null) {
            try {
                s.stop();
            } catch (Exception e) {
                LOG.warn("stopping the device server failed: {}", e.getMessage(), e);
            }
        }
    }

    /** Waits for the calls in flight. */
    @FunctionalInterface
    interface IdleWait {
        /** @return how many calls still run after at most that long */
        long await(long timeoutNanos) throws InterruptedException;
    }
}
