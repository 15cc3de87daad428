package dev.mosaic.gateway.internal;

import java.util.function.Function;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * For the benchmarks (bench/, through this module's test-jar): a Jetty server configured like
 * Mosaic's gateway (same thread pool, same HTTP settings) on a free loopback port, for the
 * raw-Jetty yardstick and for {@link PlainGateway} alike.
 */
public final class BenchServer {

    private BenchServer() {
    }

    /** Serves with a plain connector and thread pool, says {@code <what> ready on port N}, and runs until the process is stopped. */
    public static void serve(String what, Handler handler) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        serve(what, handler, threads, new Server(threads), null);
    }

    /**
     * The same with Mosaic's device connector and thread pool (its connections read on one
     * thread at a time, and time their headers), in the adaptive mode or not.
     */
    public static void serveWithDeviceConnector(String what, Handler handler, boolean adaptive) throws Exception {
        QueuedThreadPool threads = new DeviceThreads(200, 8);
        Server server = new Server(threads);
        serve(what, handler, threads, server, http -> new DeviceConnector(server, http, adaptive, 10_000, 0));
    }

    private static void serve(String what, Handler handler, QueuedThreadPool threads, Server server,
            Function<HttpConnectionFactory, ServerConnector> connector) throws Exception {
        threads.setName(what);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(8192);
        HttpConnectionFactory factory = new HttpConnectionFactory(http);
        ServerConnector listening = connector == null ? new ServerConnector(server, factory) : connector.apply(factory);
        listening.setHost("127.0.0.1");
        listening.setPort(0);
        server.addConnector(listening);
        server.setHandler(handler);
        server.start();
        System.out.println(what + " ready on port " + listening.getLocalPort());
        System.out.flush();
        server.join();
    }
}
