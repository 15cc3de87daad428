package dev.mosaic.gateway.internal;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
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
        return connector(server, http, HEADER_TIMEOUT_MILLIS);
    }

    static ServerConnector connector(Server server, HttpConnectionFactory http, long headerTimeoutMillis) {
        return new DeviceConnector(server, http, false, headerTimeoutMillis, 0);
    }

    /**
     * @return the handler, telling the connection of each request that reaches it that the request's headers are in: the
     *         header timeout stops until the connection reads its next request
     */
    public static Handler handler(Handler next) {
        return new Handler.Wrapper(next) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                DeviceConnector.handling(request, false);
                return super.handle(request, response, callback);
            }
        };
    }
}
