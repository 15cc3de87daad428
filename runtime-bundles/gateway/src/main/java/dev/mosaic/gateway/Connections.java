package dev.mosaic.gateway;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import dev.mosaic.gateway.internal.PlatformJetty;

/**
 * Jetty parts for the platform's other servers (the management API and its health port),
 * with what the device server has against hostile clients: connections whose read loop runs
 * on one thread at a time (Jetty 12.1 can run it on two after a malformed request and parse
 * one client's bytes as another's request; see bench/RESULTS.md, "the header flood"), a 10 s
 * header timeout, and thread-locals swept after changes. Use all three: the connector's guard
 * needs the pool's, and its header timeout needs the {@link #handler} to say when a request's
 * headers are in (else a connection is closed 10 s after its first request began, whatever it
 * does then: in the middle of a long call, or just as its next request is sent).
 *
 * @since 2.1
 */
public final class Connections {

    private Connections() {
    }

    /** @return a thread pool for a server whose connectors come from {@link #connector} */
    public static QueuedThreadPool threads(String name, int maxThreads, int minThreads) {
        return PlatformJetty.threads(name, maxThreads, minThreads);
    }

    /** @return an HTTP/1.1 connector on the server, not yet added to it */
    public static ServerConnector connector(Server server, HttpConnectionFactory http) {
        return PlatformJetty.connector(server, http);
    }

    /**
     * @return the server's handler, wrapped: each request that reaches it stops its connection's header timeout
     * @since 2.3
     */
    public static org.eclipse.jetty.server.Handler handler(org.eclipse.jetty.server.Handler next) {
        return PlatformJetty.handler(next);
    }

    /**
     * Says {@code Connection: close} on a refusal before all of a request's body arrived (no route, a bad token, a
     * method not allowed, a full adapter, a body over the limit): Jetty closes such a connection once the answer is
     * written, and a client told nothing would send its next request on it and see the connection end instead of an
     * answer. What has arrived of the body is taken; when that was all of it, the connection stays.
     *
     * @since 2.3
     */
    public static void closeIfBodyUnread(org.eclipse.jetty.server.Request request,
            org.eclipse.jetty.server.Response response) {
        if (request.getLength() <= 0 && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) {
            return; // no body
        }
        // what has arrived is taken (a small body usually has, whole): the connection stays only if that was all of it
        for (Content.Chunk c = request.read(); c != null; c = request.read()) {
            c.release();
            if (c.isLast()) {
                if (!Content.Chunk.isFailure(c)) {
                    return;
                }
                break;
            }
        }
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
    }
}
