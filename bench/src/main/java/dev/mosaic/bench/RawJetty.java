package dev.mosaic.bench;

import dev.mosaic.gateway.internal.BenchServer;
import dev.mosaic.gateway.internal.HeaderFlood;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;

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
        if (args[0].startsWith("echo")) {
            echo(args[0].equals("echo-guarded"));
            return;
        }
        if (args[0].equals("nonblocking-guarded")) {
            byte[] body = Files.readAllBytes(Path.of(args[1]));
            BenchServer.serveWithDeviceConnector("raw guarded", new Handler.Abstract.NonBlocking() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) {
                    return answer(body, response, callback);
                }
            }, false);
            return;
        }
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

    /** Serves like Mosaic's gateway, on a free loopback port; see {@link BenchServer#serve(String, Handler)}. */
    public static void serve(String what, Handler handler) throws Exception {
        BenchServer.serve(what, handler);
    }

    /**
     * For the header flood: answers each request's path, Host and X-Tag, so that a client can
     * tell its answer from another's; on a plain connector or on Mosaic's device connector
     * ({@code guarded}: connections that read on one thread at a time).
     */
    private static void echo(boolean guarded) throws Exception {
        Handler echo = new HeaderFlood.Echo(Invocable.InvocationType.NON_BLOCKING);
        if (guarded) {
            BenchServer.serveWithDeviceConnector("raw guarded", echo, false);
        } else {
            BenchServer.serve("raw", echo);
        }
    }

    static boolean answer(byte[] body, Response response, Callback callback) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
