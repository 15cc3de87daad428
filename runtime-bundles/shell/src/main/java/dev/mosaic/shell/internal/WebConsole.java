package dev.mosaic.shell.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console, on the management port under {@code /console}: a login page (the management
 * token, into a {@link ConsoleSessions session} cookie), and one page whose script draws routes,
 * deployments, the dependency graph, uptake, rollouts, history, health, backends and the fleet
 * from the management API with that cookie. Its assets are the bundle's own; every answer forbids
 * framing and scripts from elsewhere ({@code Content-Security-Policy}).
 */
final class WebConsole extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(WebConsole.class);
    /** The assets' content types, by name. */
    private static final Map<String, String> TYPES = Map.of("console.js", "text/javascript; charset=utf-8", "console.css",
            "text/css; charset=utf-8");

    private final Tokens tokens;
    private final AuthFailures failures;
    private final ConsoleSessions sessions;
    private final String page;
    private final String login;
    /** The assets, read once from the bundle, by name. */
    private final Map<String, String> assets = new java.util.HashMap<>();

    WebConsole(Tokens tokens, AuthFailures failures, ConsoleSessions sessions) {
        this.tokens = tokens;
        this.failures = failures;
        this.sessions = sessions;
        this.page = resource("console.html");
        this.login = resource("login.html");
        TYPES.keySet().forEach(name -> assets.put(name, resource(name)));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getCanonicalPath();
        String method = request.getMethod();
        secure(response);
        if (path.startsWith("/console/assets/") && method.equals("GET")) {
            String name = path.substring("/console/assets/".length());
            String type = TYPES.get(name);
            if (type == null) {
                Answers.error(response, callback, 404, "not_found", "no console asset " + name);
                return true;
            }
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
            send(response, callback, 200, type, assets.get(name));
            return true;
        }
        if (path.equals("/console/login")) {
            if (method.equals("POST")) {
                logIn(request, response, callback);
            } else {
                send(response, callback, 200, "text/html; charset=utf-8", login.replace("{{error}}", ""));
            }
            return true;
        }
        ConsoleSessions.Session session = sessions.of(request);
        if (path.equals("/console/logout") && method.equals("POST")) {
            Fields form = Request.getParameters(request);
            if (session != null && ConsoleSessions.csrfMatches(session, form.getValue("csrf"))) {
                sessions.close(session);
            }
            response.getHeaders().put(HttpHeader.SET_COOKIE, ConsoleSessions.cookie(null));
            redirect(response, callback, "/console/login");
            return true;
        }
        if (session == null) {
            redirect(response, callback, "/console/login");
            return true;
        }
        if (!method.equals("GET")) {
            Answers.error(response, callback, 405, "method_not_allowed", "the console's pages are read with GET");
            return true;
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        send(response, callback, 200, "text/html; charset=utf-8", page.replace("{{csrf}}", session.csrf())
                .replace("{{readOnly}}", Boolean.toString(session.readOnly())));
        return true;
    }

    private void logIn(Request request, Response response, Callback callback) throws Exception {
        String address = Request.getRemoteAddr(request);
        long lockedFor = failures.lockedForMillis(address);
        if (lockedFor > 0) {
            send(response, callback, 429, "text/html; charset=utf-8", login.replace("{{error}}", "Too many failed logins from "
                    + address + "; try again in " + (lockedFor + 999) / 1000 + " s."));
            return;
        }
        Fields form = Request.getParameters(request);
        if (!tokens.matches(form.getValue("token"))) {
            failures.failed(address);
            LOG.warn("failed login to the web console from {}", address);
            send(response, callback, 401, "text/html; charset=utf-8", login.replace("{{error}}",
                    "That is not the management token."));
            return;
        }
        boolean readOnly = "true".equals(form.getValue("readOnly"));
        ConsoleSessions.Session session = sessions.open(readOnly);
        LOG.info("web console login from {}{}", address, readOnly ? " (read-only)" : "");
        response.getHeaders().put(HttpHeader.SET_COOKIE, ConsoleSessions.cookie(session));
        redirect(response, callback, "/console/");
    }

    /** What every console answer says: no framing, no script or style from elsewhere, no sniffing, no referrer. */
    private static void secure(Response response) {
        response.getHeaders().put("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self';"
                + " base-uri 'none'");
        response.getHeaders().put("X-Frame-Options", "DENY");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
    }

    private static void redirect(Response response, Callback callback, String to) {
        response.setStatus(303);
        response.getHeaders().put(HttpHeader.LOCATION, to);
        response.write(true, null, callback);
    }

    private static void send(Response response, Callback callback, int status, String type, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.write(true, java.nio.ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    private static String resource(String name) {
        try (InputStream in = WebConsole.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the console's " + name + " is missing from the shell bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
