package dev.mosaic.gateway.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * One device connection, as the {@link DeviceConnector} makes it. Three things a plain
 * endpoint does not do:
 *
 * <ul>
 * <li><b>One reader at a time.</b> Jetty 12.1's HTTP/1 connection can run its read loop
 * ({@code onFillable}) on two threads at once after a malformed request: the bad-message
 * answer is written by another thread, whose completion schedules the read loop again while
 * the first run is still inside it (the answer's completion finds no request "handling" and
 * resumes). Both runs then use the connection's one request buffer, and one releases it to
 * the buffer pool while the other still reads into it: another connection gets that buffer,
 * and one client's bytes become another client's request. Here every run of the read loop
 * (from the selector, and from the thread pool through {@link DeviceThreads}) goes through
 * {@link #serially}: a run that arrives while another is inside waits for it to finish and
 * then runs on the same thread, which is what Jetty's code assumes. See bench/RESULTS.md,
 * "the header flood".
 * <li><b>Where the next read runs</b> (the {@code adaptive} mode): the connection's read
 * interest is re-typed, read by read, after what its last request went to; see
 * {@link DeviceConnector}.
 * <li><b>How long its request headers take.</b> From the connection's first moment, or from
 * the first byte of a later request, until the device handler sees the request: the connector
 * closes a connection whose headers take longer than its header timeout (slow-loris), and at
 * its connection limit closes the oldest such connections first.
 * </ul>
 */
final class DeviceEndPoint extends SocketChannelEndPoint {

    /** Set while this thread runs a read Jetty scheduled as blocking: a call may block here. */
    static final ThreadLocal<Boolean> MAY_BLOCK = new ThreadLocal<>();

    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int RUNNING_AND_ASKED_AGAIN = 2;

    /** The client's address, kept past the close (the channel forgets it). */
    final InetAddress address;
    /** The access log's {@code client} field for this connection: made by {@link AccessLog} on its first request. */
    byte[] accessLogClient;
    private final boolean adaptive;
    /** IDLE, RUNNING, or RUNNING_AND_ASKED_AGAIN: the read loop runs on one thread at a time. */
    private final AtomicInteger reader = new AtomicInteger();
    /** A run asked for while another was inside; run next by the thread inside. */
    private volatile Runnable again;

    /**
     * Where the next read runs (adaptive mode). Written by the thread that routed the last
     * request, read by the one registering the next read; a stale value only picks the slower thread.
     */
    volatile boolean nextInline = true;
    /** The connection's read callback as last wrapped; the connection registers the same one each time. */
    private Callback reading;
    private Callback inline;
    private Callback blocking;

    /** When this connection started reading request headers (System.nanoTime), 0 when it is not. */
    private volatile long headersSince;
    /** Between the device handler seeing a request and the connection waiting for the next one. */
    private volatile boolean handling;

    DeviceEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler, boolean adaptive) {
        super(channel, selector, key, scheduler);
        this.adaptive = adaptive;
        this.address = getRemoteSocketAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        this.headersSince = now();
    }

    /**
     * Runs {@code run} (the connection's read loop) now, or, if another thread is inside it,
     * once that thread is done, on that thread. Never two at once; never one lost.
     */
    void serially(Runnable run) {
        while (true) {
            int state = reader.get();
            if (state == IDLE) {
                if (reader.compareAndSet(IDLE, RUNNING)) {
                    break;
                }
            } else {
                again = run;
                if (reader.compareAndSet(state, RUNNING_AND_ASKED_AGAIN)) {
                    return; // the thread inside runs it when it leaves
                }
            }
        }
        Runnable next = run;
        while (true) {
            next.run();
            if (reader.compareAndSet(RUNNING, IDLE)) {
                return;
            }
            next = again; // asked again meanwhile: written before the state said so
            reader.set(RUNNING);
        }
    }

    /** @return whether a thread is inside the connection's read loop (for tests: a read asked for now would run on that thread) */
    boolean insideReadLoop() {
        return reader.get() != IDLE;
    }

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        int filled = super.fill(buffer);
        if (filled > 0 && !handling && headersSince == 0) {
            headersSince = now(); // the first bytes of a request: its headers' clock starts
        }
        return filled;
    }

    /** The device handler has the request: its headers are in, and until the connection reads again the clock stops. */
    void headersRead() {
        handling = true;
        headersSince = 0;
    }

    /** @return since when (System.nanoTime) this connection reads request headers, or 0 */
    long readingHeadersSince() {
        return headersSince;
    }

    @Override
    public void fillInterested(Callback callback) {
        handling = false; // the connection waits for a request (or more of one): its handler is done with the last
        super.fillInterested(wrap(callback));
    }

    /**
     * The connection's read callback, made to run {@link #serially} and, in adaptive mode,
     * typed after where the last request went. Wrapped once per callback (a connection
     * registers the same one every time).
     */
    private Callback wrap(Callback callback) {
        if (callback != reading) {
            reading = callback;
            Runnable fillable = callback::succeeded;
            inline = new Callback() {
                @Override
                public void succeeded() {
                    serially(fillable);
                }

                @Override
                public void failed(Throwable x) {
                    callback.failed(x);
                }

                @Override
                public InvocationType getInvocationType() {
                    return callback.getInvocationType();
                }
            };
            blocking = adaptive && callback.getInvocationType() == Invocable.InvocationType.NON_BLOCKING ? new Callback() {
                @Override
                public void succeeded() {
                    MAY_BLOCK.set(Boolean.TRUE);
                    try {
                        serially(fillable);
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
            } : inline;
        }
        return nextInline ? inline : blocking;
    }

    private static long now() {
        long t = System.nanoTime();
        return t == 0 ? 1 : t;
    }
}
