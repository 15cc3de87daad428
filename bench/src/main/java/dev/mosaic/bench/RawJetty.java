package dev.mosaic.bench;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The yardstick: a Jetty 12 core server with one handler and no routing, serving fixed
 * bytes, configured like Mosaic's gateway (same thread pool, same HTTP settings). Run as
 * {@code RawJetty nonblocking|blocking BODYFILE}; prints {@code raw ready on port N}.
 *
 * <p>{@code nonblocking}: the handler says so ({@link Handler.Abstract.NonBlocking}) and Jetty
 * runs it on the thread that read the request. {@code blocking}: the default invocation
 * type, so Jetty hands every request to a pool thread.
 */
public final class RawJetty {

    private RawJetty() {
    }

    public static void main(String[] args) throws Exception {
        boolean nonBlocking = args[0].equals("nonblocking");

        byte[] body = Files.readAllBytes(Path.of(args[1]));
        serve("raw", nonBlocking ? new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                return answer(body, response, callback);
            }
        } : new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                return answer(body, response, callback);
            }
        });
    }

    /**
     * Serves with a Jetty server configured like Mosaic's gateway (same thread pool, same HTTP
     * settings) on a free loopback port, says {@code <what> ready on port N}, and runs until
     * the process is stopped.
     */
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

    static boolean answer(byte[] body, Response response, Callback callback) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
