package dev.mosaic.gateway.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.Retainable;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Clients flood requests whose headers are too large (each answered 431 by Jetty) while
 * others send small valid requests ({@link HeaderFlood}), on a real server over loopback. Jetty 12.1's HTTP/1
 * connection then runs its read loop on two threads at once, and one run releases the request
 * buffer the other still reads into (see {@link DeviceEndPoint}); the device server must not.
 * Two instruments see it: a connection factory whose connections count the runs of their read
 * loop that overlap, and a buffer pool that poisons released buffers, keeps them aside for a
 * while and then checks nobody wrote into them, and counts releases past the last.
 */
class CrossTalkTest {

    private final CheckingPool pool = new CheckingPool();
    private final WatchedConnections connections = new WatchedConnections();
    private Server server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    @ParameterizedTest
    @EnumSource(GatewaySettings.Mode.class)
    void oneClientsOversizedHeadersNeverReachAnotherClientsRequest(GatewaySettings.Mode mode) throws Exception {
        GatewaySettings settings = GatewaySettings.from(Map.of("mosaic.gateway.port", "0", "mosaic.gateway.host", "127.0.0.1",
                "mosaic.gateway.invocationType", mode.name())::get);
        server = DeviceServer.newServer(settings, pool, connections::make);
        server.setHandler(new HeaderFlood.Echo(mode.invocationType())); // as the device handler declares itself in that mode
        server.start();
        HeaderFlood.Result flood = HeaderFlood.run(port(), TimeUnit.SECONDS.toNanos(4), () -> false, HeaderFlood::echoRequest,
                HeaderFlood::echoed);
        pool.checkAll();

        assertTrue(flood.attacks().get() > 100, "the flood ran: " + flood);
        assertTrue(flood.right().get() > 100, "valid requests were served: " + flood);
        assertEquals(0, flood.wrong().get(), "answers to other requests than the one sent: " + flood);
        assertEquals(0, connections.overlapping.get(), "runs of a connection's read loop that overlapped");
        assertEquals(0, pool.overReleased.get(), "buffers released more often than acquired");
        assertEquals(0, pool.writtenAfterRelease.get(), "buffers written after their release");
    }

    /** The parts the management API's server is made of ({@link dev.mosaic.gateway.Connections}) hold too. */
    @Test
    void theManagementServersPartsHoldUnderTheSameFlood() throws Exception {
        server = new Server(dev.mosaic.gateway.Connections.threads("mgmt-test", 16, 2), null, pool);
        HttpConfiguration http = new HttpConfiguration();
        ServerConnector connector = dev.mosaic.gateway.Connections.connector(server, connections.make(http));
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(dev.mosaic.gateway.Connections.handler(new HeaderFlood.Echo(InvocationType.BLOCKING))); // as the management API's
        server.start();
        HeaderFlood.Result flood = HeaderFlood.run(port(), TimeUnit.SECONDS.toNanos(3), () -> false, HeaderFlood::echoRequest,
                HeaderFlood::echoed);
        pool.checkAll();
        assertTrue(flood.right().get() > 100, "valid requests were served: " + flood);
        assertEquals(0, flood.wrong().get(), "answers to other requests than the one sent: " + flood);
        assertEquals(0, connections.overlapping.get(), "runs of a connection's read loop that overlapped");
        assertEquals(0, pool.writtenAfterRelease.get(), "buffers written after their release");
    }

    /**
     * The same flood on a plain Jetty server (its own connector and thread pool) shows the
     * fault the device server works around. When this fails, Jetty no longer has the fault:
     * {@link DeviceEndPoint#serially} and {@link DeviceThreads} can go.
     */
    @Test
    void plainJettyRunsAConnectionsReadLoopTwiceAtOnceUnderTheSameFlood() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        server = new Server(threads, null, pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(8192);
        ServerConnector plain = new ServerConnector(server, connections.make(http));
        plain.setHost("127.0.0.1");
        server.addConnector(plain);
        server.setHandler(new HeaderFlood.Echo(InvocationType.NON_BLOCKING));
        server.start();
        HeaderFlood.Result flood = HeaderFlood.run(port(), TimeUnit.SECONDS.toNanos(30), () -> connections.overlapping.get() > 0,
                HeaderFlood::echoRequest, HeaderFlood::echoed);
        assertTrue(connections.overlapping.get() > 0, "no overlapping runs of a read loop in 30 s on plain Jetty: " + flood);
    }

    private int port() {
        for (Connector c : server.getConnectors()) {
            if (c instanceof ServerConnector s) {
                return s.getLocalPort();
            }
        }
        throw new IllegalStateException("no connector");
    }

    /** HTTP/1 connections that count the runs of their read loop overlapping another on the same connection. */
    private static final class WatchedConnections {
        final AtomicLong overlapping = new AtomicLong();

        HttpConnectionFactory make(HttpConfiguration http) {
            return new HttpConnectionFactory(http) {
                @Override
                public Connection newConnection(Connector connector, EndPoint endPoint) {
                    HttpConnection connection = new HttpConnection(getHttpConfiguration(), connector, endPoint) {
                        private final AtomicInteger inside = new AtomicInteger();

                        @Override
                        public void onFillable() {
                            if (inside.incrementAndGet() > 1) {
                                overlapping.incrementAndGet();
                            }
                            try {
                                super.onFillable();
                            } finally {
                                inside.decrementAndGet();
                            }
                        }
                    };
                    return configure(connection, connector, endPoint);
                }
            };
        }
    }

    /**
     * A buffer pool that never reuses a buffer: each acquisition is a new buffer with its own
     * reference count; a release past the last is counted; a released buffer is filled with a
     * poison byte and kept aside (the last 256), and checked still poisoned when it leaves:
     * anything else means someone wrote into it after giving it back.
     */
    private static final class CheckingPool implements ByteBufferPool {
        private static final byte POISON = 0x5A;
        final AtomicLong overReleased = new AtomicLong();
        final AtomicLong writtenAfterRelease = new AtomicLong();
        private final ArrayBlockingQueue<ByteBuffer> quarantine = new ArrayBlockingQueue<>(256);

        @Override
        public RetainableByteBuffer.Mutable acquire(int size, boolean direct) {
            ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
            buffer.limit(0);
            Retainable.ReferenceCounter count = new Retainable.ReferenceCounter() {
                @Override
                public boolean release() {
                    boolean last;
                    try {
                        last = super.release();
                    } catch (IllegalStateException e) {
                        overReleased.incrementAndGet();
                        return false;
                    }
                    if (last) {
                        ByteBuffer all = buffer.duplicate().clear();
                        for (int i = 0; i < all.capacity(); i++) {
                            all.put(i, POISON);
                        }
                        while (!quarantine.offer(buffer)) {
                            ByteBuffer old = quarantine.poll();
                            if (old != null) {
                                check(old);
                            }
                        }
                    }
                    return last;
                }
            };
            return new RetainableByteBuffer.FixedCapacity(buffer, count);
        }

        void checkAll() {
            for (ByteBuffer b = quarantine.poll(); b != null; b = quarantine.poll()) {
                check(b);
            }
        }

        private void check(ByteBuffer released) {
            ByteBuffer all = released.duplicate().clear();
            for (int i = 0; i < all.capacity(); i++) {
                if (all.get(i) != POISON) {
                    writtenAfterRelease.incrementAndGet();
                    return;
                }
            }
        }

        @Override
        public void clear() {
            quarantine.clear();
        }
    }
}
