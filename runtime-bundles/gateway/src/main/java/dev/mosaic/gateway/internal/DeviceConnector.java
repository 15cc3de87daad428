package dev.mosaic.gateway.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connector devices talk to. Its connections ({@link DeviceEndPoint}) run their read loop
 * on one thread at a time (Jetty 12.1 does not, after a malformed request), and it keeps
 * slow clients from holding connections:
 *
 * <ul>
 * <li><b>Header timeout</b> ({@code mosaic.gateway.headerTimeout}, default 10s, like nginx's
 * {@code client_header_timeout}): a connection whose request headers have not all arrived
 * that long after it opened, or after the first byte of a later request, is closed. An idle
 * timeout never fires on a client that trickles a byte a second; this does.
 * <li><b>Connections per client address</b> ({@code mosaic.gateway.maxConnectionsPerAddress},
 * off by default: clients behind a load balancer or a carrier's NAT share one address): a
 * connection beyond it is closed as soon as it opens.
 * <li><b>At the connection limit</b> ({@code mosaic.gateway.maxConnections}), instead of only
 * refusing new clients until someone leaves, the connections still reading their request
 * headers are closed, oldest first (a fiftieth of the limit each time it is reached): a
 * client that sends its request at once gets in, one that trickles goes.
 * </ul>
 *
 * <p>In the gateway's {@code adaptive} mode, its connections also choose, read by read, on
 * which thread Jetty parses and handles their next request. Jetty decides where a request
 * runs before it is read, from the invocation type of the callback a connection registers for
 * reading: {@code NON_BLOCKING} runs it on the selector thread with no hand-off (what raw
 * non-blocking Jetty does), {@code BLOCKING} lets the selector thread run it after handing the
 * selecting to another thread (what raw blocking Jetty does). A plain {@code HttpConnection}
 * registers the same type for its whole life, copied from the server's handler. Here each
 * connection's endpoint re-types that callback every time it is registered, from what the
 * connection's last request went to: a handler declared non-blocking, so the next read runs
 * inline; or one that may block, so the next read runs where blocking is allowed. A device's
 * connection keeps talking to the same experience, so the guess is nearly always right, and a
 * wrong guess is only slower, never unsafe: a call may block only where {@link #mayBlockHere()}
 * says so, which holds only on a thread running a read typed {@code BLOCKING}. Only the
 * connection's read interest is re-typed ({@code fillInterested}); a handler's demand for body
 * content ({@code tryFillInterested}) keeps its own type.
 */
final class DeviceConnector extends ServerConnector {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceConnector.class);

    private final boolean adaptive;
    private final long headerTimeoutNanos;
    private final int maxPerAddress;
    /** Open connections per client address, when they are capped. */
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    /** Connections closed since the last log line, and why. */
    private final LongAdder slowHeaders = new LongAdder();
    private final LongAdder overAddressCap = new LongAdder();
    private final LongAdder evicted = new LongAdder();
    private volatile Scheduler.Task sweep;
    private long lastReport = System.nanoTime();

    /**
     * @param adaptive whether connections re-type their reads (the {@code adaptive} mode)
     * @param headerTimeoutMillis how long request headers may take, 0 for no limit
     * @param maxPerAddress open connections one client address may have, 0 for no limit
     */
    DeviceConnector(Server server, ConnectionFactory factory, boolean adaptive, long headerTimeoutMillis, int maxPerAddress) {
        super(server, factory);
        this.adaptive = adaptive;
        this.headerTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(headerTimeoutMillis);
        this.maxPerAddress = maxPerAddress;
    }

    /**
     * @return whether the current thread runs a read that Jetty scheduled as blocking (on a
     *         thread it may give to a call that blocks); false on a selector thread and on any
     *         thread this connector did not schedule
     */
    static boolean mayBlockHere() {
        return DeviceEndPoint.MAY_BLOCK.get() != null;
    }

    /**
     * The device handler has a request: its headers are complete (the header timeout stops
     * until the connection reads its next request), and the connection's next read runs
     * inline (its request went to a handler declared non-blocking) or where blocking is
     * allowed. Does nothing for a connection of another connector.
     */
    static void handling(Request request, boolean nextInline) {
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        if (endPoint instanceof DeviceEndPoint device) {
            device.headersRead();
            device.nextInline = nextInline;
        }
    }

    @Override
    protected SocketChannelEndPoint newEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key)
            throws IOException {
        DeviceEndPoint endPoint = new DeviceEndPoint(channel, selector, key, getScheduler(), adaptive);
        endPoint.setIdleTimeout(getIdleTimeout());
        return endPoint;
    }

    @Override
    protected void onEndPointOpened(EndPoint endPoint) {
        super.onEndPointOpened(endPoint);
        if (maxPerAddress > 0 && endPoint instanceof DeviceEndPoint device && device.address != null
                && perAddress.computeIfAbsent(device.address, a -> new AtomicInteger()).incrementAndGet() > maxPerAddress) {
            overAddressCap.increment();
            device.close();
        }
    }

    @Override
    protected void onEndPointClosed(EndPoint endPoint) {
        if (maxPerAddress > 0 && endPoint instanceof DeviceEndPoint device && device.address != null) {
            perAddress.computeIfPresent(device.address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
        super.onEndPointClosed(endPoint);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        if (headerTimeoutNanos > 0) {
            long every = Math.max(100, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos) / 4));
            scheduleSweep(every);
        }
    }

    @Override
    protected void doStop() throws Exception {
        Scheduler.Task task = sweep;
        if (task != null) {
            task.cancel();
        }
        super.doStop();
    }

    private void scheduleSweep(long everyMillis) {
        sweep = getScheduler().schedule(() -> {
            try {
                closeSlowHeaders();
            } catch (RuntimeException e) {
                LOG.warn("checking device connections' header timeout failed: {}", e.toString(), e);
            }
            if (isRunning()) {
                scheduleSweep(everyMillis);
            }
        }, everyMillis, TimeUnit.MILLISECONDS);
    }

    /** Closes the connections whose request headers have taken longer than the header timeout. */
    void closeSlowHeaders() {
        long now = System.nanoTime();
        for (EndPoint e : getConnectedEndPoints()) {
            if (e instanceof DeviceEndPoint device) {
                long since = device.readingHeadersSince();
                if (since != 0 && now - since > headerTimeoutNanos && device.isOpen()) {
                    slowHeaders.increment();
                    device.close();
                }
            }
        }
        report();
    }

    /**
     * At the connection limit: closes up to {@code count} connections still reading their
     * request headers, oldest first, so that new clients get in.
     *
     * @return how many it closed
     */
    int evictHeaderReaders(int count) {
        long now = System.nanoTime();
        List<Reading> reading = new ArrayList<>();
        for (EndPoint e : getConnectedEndPoints()) {
            long since;
            if (e instanceof DeviceEndPoint device && (since = device.readingHeadersSince()) != 0 && device.isOpen()) {
                reading.add(new Reading(device, now - since));
            }
        }
        reading.sort(Comparator.comparingLong(Reading::nanos).reversed());
        int closed = Math.min(count, reading.size());
        for (int i = 0; i < closed; i++) {
            reading.get(i).endPoint().close();
        }
        evicted.add(closed);
        return closed;
    }

    /** A connection reading its request headers, and for how long it has been (as it was when looked at). */
    private record Reading(DeviceEndPoint endPoint, long nanos) {
    }

    /** One log line at most every 10 s for the connections closed meanwhile. */
    private synchronized void report() {
        long now = System.nanoTime();
        if (now - lastReport < TimeUnit.SECONDS.toNanos(10)) {
            return;
        }
        lastReport = now;
        long slow = slowHeaders.sumThenReset();
        long cap = overAddressCap.sumThenReset();
        long out = evicted.sumThenReset();
        if (slow + cap + out > 0) {
            LOG.info("device connections closed in the last 10 s: {} whose request headers took over {} ms"
                    + " (mosaic.gateway.headerTimeout), {} over the per-address limit of {} (mosaic.gateway.maxConnectionsPerAddress),"
                    + " {} reading headers at the connection limit", slow, TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos), cap,
                    maxPerAddress, out);
        }
    }

    /**
     * Jetty's connection limit, which also closes the connections still reading request
     * headers, oldest first, whenever the limit is reached: accepting resumes as soon as they go.
     */
    static final class Limit extends NetworkConnectionLimit {
        private final DeviceConnector connector;
        private final int evictEachTime;

        Limit(int maxConnections, DeviceConnector connector) {
            super(maxConnections, connector);
            this.connector = connector;
            this.evictEachTime = Math.max(1, maxConnections / 50);
        }

        @Override
        protected void limit() {
            super.limit();
            // not here: closing calls back into this limit, under its lock
            connector.getExecutor().execute(() -> {
                if (connector.evictHeaderReaders(evictEachTime) > 0) {
                    connector.report();
                }
            });
        }
    }
}
