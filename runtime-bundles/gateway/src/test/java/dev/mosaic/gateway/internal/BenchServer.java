package dev.mosaic.gateway.internal;

import java.util.function.BiFunction;

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

    /** Serves with a plain connector, says {@code <what> ready on port N}, and runs until the process is stopped. */
    public static void serve(String what, Handler handler) throws Exception {
        serve(what, handler, ServerConnector::new);
    }

    /** The same, with the connector {@code connector} makes (Mosaic's gateway has its own in {@code adaptive} mode). */
    public static void serve(String what, Handler handler, BiFunction<Server, HttpConnectionFactory, ServerConnector> connector)
            throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName(what);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(8192);
        ServerConnector listening = connector.apply(server, new HttpConnectionFactory(http));
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
