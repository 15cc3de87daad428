package dev.mosaic.gateway.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The management server's parts ({@link dev.mosaic.gateway.Connections}): the header timeout cuts a client slow to send its
 * headers, never a call that takes long once they are in, nor a kept-alive connection that sends its next request later.
 */
class PlatformJettyTest {

    private Server server;

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    /** A server like the management API's, with a header timeout of 300 ms; ?ms=N answers after N ms. */
    private int start() throws Exception {
        server = new Server(PlatformJetty.threads("test", 8, 2));
        ServerConnector connector = PlatformJetty.connector(server, new HttpConnectionFactory(new HttpConfiguration()), 300);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(PlatformJetty.handler(new Handler.Abstract(org.eclipse.jetty.util.thread.Invocable.InvocationType.BLOCKING) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String ms = Request.extractQueryParameters(request).getValue("ms");
                Thread.sleep(ms == null ? 0 : Long.parseLong(ms));
                response.write(true, java.nio.ByteBuffer.wrap("ok\n".getBytes(StandardCharsets.US_ASCII)), callback);
                return true;
            }
        }));
        server.start();
        return connector.getLocalPort();
    }

    private static String status(BufferedReader in) throws Exception {
        String line = in.readLine();
        String header;
        int length = 0;
        while ((header = in.readLine()) != null && !header.isEmpty()) {
            if (header.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(header.substring(15).trim());
            }
        }
        in.skip(length);
        return line;
    }

    @Test
    void aLongCallAndTheNextRequestOnTheSameConnectionAreAnsweredPastTheHeaderTimeout() throws Exception {
        int port = start();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            // a call three times as long as the header timeout, its headers in at once
            out.write("GET /?ms=900 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals("HTTP/1.1 200 OK", status(in));
            // the same connection, its next request sent later than the header timeout after the first began
            long deadline = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals("HTTP/1.1 200 OK", status(in));
        }
        // and a client that sends half its headers and stops is cut
        try (Socket slow = new Socket("127.0.0.1", port)) {
            slow.setSoTimeout(10_000);
            slow.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
            long t0 = System.nanoTime();
            assertEquals(-1, slow.getInputStream().read(), "closed without an answer");
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
        }
    }
}
