package dev.mosaic.gateway.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that hold connections without finishing a request (a slow-loris trickles its
 * headers a byte at a time, which an idle timeout never catches), against the device server's
 * own connector on a real Jetty over loopback: a header timeout, a cap per client address,
 * and, at the connection limit, the connections still reading headers closed oldest first.
 */
class SlowClientsTest {

    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    private Server server;
    private int port;

    @AfterEach
    void stop() throws Exception {
        trickle.shutdownNow();
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    private void start(Map<String, String> properties) throws Exception {
        Map<String, String> p = new HashMap<>(properties);
        p.put("mosaic.gateway.port", "0");
        p.put("mosaic.gateway.host", "127.0.0.1");
        server = DeviceServer.newServer(GatewaySettings.from(p::get), null, HttpConnectionFactory::new);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                DeviceConnector.handling(request, true);
                response.write(true, ByteBuffer.wrap(request.getHttpURI().getPath().getBytes(StandardCharsets.US_ASCII)), callback);
                return true;
            }
        });
        server.start();
        port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Test
    void aNewClientIsServedWithinTwoSecondsWhileSlowClientsHoldEveryConnection() throws Exception {
        // the header timeout far away: what makes room here is the connection limit's eviction
        start(Map.of("mosaic.gateway.maxConnections", "200", "mosaic.gateway.headerTimeout", "60s"));
        for (int i = 0; i < 250; i++) {
            Socket s = open();
            s.getOutputStream().write("GET /slow HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        trickleHeaders(true);
        // the limit is reached (each time it is, the oldest 4 trickling connections are closed
        // and reconnect, behind the others waiting to be accepted)
        awaitAtLeast(196);

        long t0 = System.nanoTime();
        assertEquals("/fresh", get("/fresh", 5_000));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(millis < 2_000, "a new client waited " + millis + " ms for its answer");
        assertTrue(connector().getConnectedEndPoints().size() <= 200, "the limit still holds");
    }

    @Test
    void headersThatTakeLongerThanTheHeaderTimeoutCloseTheConnectionAndIdleOnesStay() throws Exception {
        start(Map.of("mosaic.gateway.headerTimeout", "1s"));
        Socket slow = open();
        slow.getOutputStream().write("GET /slow HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        trickleHeaders(false);
        // a client that sent its request at once and keeps the connection open, idle
        Socket idle = open();
        OutputStream out = idle.getOutputStream();
        out.write("GET /kept HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertTrue(readAnswer(idle.getInputStream()).endsWith("/kept"));

        long t0 = System.nanoTime();
        assertEquals(-1, awaitEnd(slow, 10_000), "the trickling connection is closed");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(millis >= 500 && millis < 5_000, "closed after " + millis + " ms, the timeout being 1 s");

        // the idle one still serves, well past the header timeout
        out.write("GET /again HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertTrue(readAnswer(idle.getInputStream()).endsWith("/again"));
    }

    @Test
    void connectionsBeyondTheCapOfOneAddressAreClosedAndTheOthersServe() throws Exception {
        start(Map.of("mosaic.gateway.maxConnectionsPerAddress", "3"));
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(open());
        }
        awaitConnections(3);
        Socket fourth = open();
        assertEquals(-1, awaitEnd(fourth, 5_000), "the fourth connection from 127.0.0.1 is closed");
        for (Socket s : held) {
            OutputStream out = s.getOutputStream();
            out.write("GET /held HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(readAnswer(s.getInputStream()).endsWith("/held"));
        }
        held.get(0).close();
        awaitConnections(2);
        assertEquals("/room", get("/room", 5_000), "a place freed is a place taken");
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return s;
    }

    /**
     * Every open test socket gets one more header byte every 300 ms, forever; one the server
     * closed is opened again, and trickles again, if {@code reconnect}.
     */
    private void trickleHeaders(boolean reconnect) {
        trickle.scheduleWithFixedDelay(() -> {
            for (Socket s : List.copyOf(sockets)) {
                try {
                    s.getOutputStream().write('X');
                } catch (IOException e) {
                    // closed by the server: what these tests expect of some
                    if (reconnect) {
                        sockets.remove(s);
                        try {
                            open().getOutputStream().write("GET /again HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
                        } catch (IOException again) {
                            // the backlog is full: the next round tries again
                        }
                    }
                }
            }
        }, 300, 300, TimeUnit.MILLISECONDS);
    }

    private DeviceConnector connector() {
        return (DeviceConnector) server.getConnectors()[0];
    }

    private void awaitAtLeast(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (connector().getConnectedEndPoints().size() < n) {
            assertTrue(System.nanoTime() < deadline, "expected " + n + " connections, have "
                    + connector().getConnectedEndPoints().size());
            Thread.sleep(10);
        }
    }

    private void awaitConnections(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (connector().getConnectedEndPoints().size() != n) {
            assertTrue(System.nanoTime() < deadline, "expected " + n + " connections, have "
                    + connector().getConnectedEndPoints().size());
            Thread.sleep(10);
        }
    }

    private String get(String path, int timeoutMillis) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
            return answer.substring(answer.indexOf("\r\n\r\n") + 4);
        }
    }

    /** Reads one answer whose body is the path (no more than 100 bytes), on a kept-alive connection. */
    private static String readAnswer(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        int length = -1;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after " + text);
            }
            text.append((char) c);
            int end = text.indexOf("\r\n\r\n");
            if (end >= 0 && length < 0) {
                String head = text.substring(0, end).toLowerCase();
                int at = head.indexOf("content-length: ");
                length = Integer.parseInt(head.substring(at + 16, head.indexOf("\r\n", at) < 0 ? head.length() : head.indexOf("\r\n", at)).trim());
            }
            if (length >= 0 && text.length() == end + 4 + length) {
                return text.toString();
            }
        }
    }

    /** @return -1 once the server has closed the socket, waiting at most {@code millis} */
    private static int awaitEnd(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        try {
            InputStream in = s.getInputStream();
            int c;
            while ((c = in.read()) >= 0) {
                // a closing answer, if any, is read to its end
            }
            return c;
        } catch (SocketTimeoutException e) {
            return 0;
        } catch (IOException e) {
            return -1; // reset: closed too
        }
    }
}
