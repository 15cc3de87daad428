package dev.mosaic.gateway.internal;

import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** What {@link dev.mosaic.gateway.Connections} hands out: the device server's thread pool and connector. */
public final class PlatformJetty {

    private static final long HEADER_TIMEOUT_MILLIS = 10_000;

    private PlatformJetty() {
    }

    public static QueuedThreadPool threads(String name, int maxThreads, int minThreads) {
        DeviceThreads threads = new DeviceThreads(maxThreads, minThreads);
        threads.setName(name);
        return threads;
    }

    public static ServerConnector connector(Server server, HttpConnectionFactory http) {
        return new DeviceConnector(server, http, false, HEADER_TIMEOUT_MILLIS, 0);
    }
}
