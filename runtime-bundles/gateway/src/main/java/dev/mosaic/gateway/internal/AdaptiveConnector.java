package dev.mosaic.gateway.internal;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A server connector whose connections choose, read by read, on which thread Jetty parses
 * and handles their next request: the gateway's {@code adaptive} mode.
 *
 * <p>Jetty decides where a request runs before it is read, from the invocation type of the
 * callback a connection registers for reading: {@code NON_BLOCKING} runs it on the selector
 * thread with no hand-off (what raw non-blocking Jetty does), {@code BLOCKING} lets the
 * selector thread run it after handing the selecting to another thread (what raw blocking
 * Jetty does). A plain {@code HttpConnection} registers the same type for its whole life,
 * copied from the server's handler. Here each connection's endpoint re-types that callback
 * every time it is registered, from what the connection's last request went to: a handler
 * declared non-blocking, so the next read runs inline; or one that may block, so the next
 * read runs where blocking is allowed. A device's connection keeps talking to the same
 * experience, so the guess is nearly always right, and a wrong guess is only slower, never
 * unsafe: a call may block only where {@link #mayBlockHere()} says so, which holds only on a
 * thread running a read typed {@code BLOCKING}.
 *
 * <p>Only the connection's read interest is re-typed ({@code fillInterested}); a handler's
 * demand for body content ({@code tryFillInterested}) keeps its own type.
 */
final class AdaptiveConnector extends ServerConnector {

    /** Set while this thread runs a read Jetty scheduled as blocking: a call may block here. */
    private static final ThreadLocal<Boolean> MAY_BLOCK = new ThreadLocal<>();

    AdaptiveConnector(Server server, ConnectionFactory... factories) {
        super(server, factories);
    }

    /**
     * @return whether the current thread runs a read that Jetty scheduled as blocking (on a
     *         thread it may give to a call that blocks); false on a selector thread and on any
     *         thread this connector did not schedule
     */
    static boolean mayBlockHere() {
        return MAY_BLOCK.get() != null;
    }

    /**
     * Records where the request's connection should read its next request: inline (its
     * request went to a handler declared non-blocking) or where blocking is allowed. Does
     * nothing for a connection of another connector.
     */
    static void nextReadInline(Request request, boolean inline) {
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        if (endPoint instanceof Adaptive adaptive) {
            adaptive.nextInline = inline;
        }
    }

    @Override
    protected SocketChannelEndPoint newEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key)
            throws IOException {
        Adaptive endPoint = new Adaptive(channel, selector, key, getScheduler());
        endPoint.setIdleTimeout(getIdleTimeout());
        return endPoint;
    }

    private static final class Adaptive extends SocketChannelEndPoint {
        /**
         * Where the next read runs. Written by the thread that routed the last request, read by
         * the one registering the next read; a stale value only picks the slower thread.
         */
        volatile boolean nextInline = true;
        /** The connection's read callback, as re-typed the last time; the connection registers the same one each time. */
        private Callback reading;
        private Callback inline;
        private Callback blocking;

        Adaptive(SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler) {
            super(channel, selector, key, scheduler);
        }

        @Override
        public void fillInterested(Callback callback) {
            if (callback.getInvocationType() != Invocable.InvocationType.NON_BLOCKING) {
                super.fillInterested(callback); // not a read that may run inline: leave it as it is
                return;
            }
            if (callback != reading) {
                reading = callback;
                inline = callback;
                blocking = new Callback() {
                    @Override
                    public void succeeded() {
                        MAY_BLOCK.set(Boolean.TRUE);
                        try {
                            callback.succeeded();
                        } finally {
                            MAY_BLOCK.remove();
                        }
                    }

                    @Override
                    public void failed(Throwable x) {
                        callback.failed(x);
                    }

                    @Override
                    public InvocationType getInvocationType() {
                        return InvocationType.BLOCKING;
                    }
                };
            }
            super.fillInterested(nextInline ? inline : blocking);
        }
    }
}
