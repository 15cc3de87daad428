package dev.mosaic.shell.internal;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a request through only with the management token ({@code Authorization: Bearer}),
 * compared in constant time and never echoed, or with a web console session ({@link ConsoleSessions}:
 * a change also needs the session's {@code X-Mosaic-CSRF} token, and a read-only session reads only). An address that fails too often is locked out
 * for a while (429 with {@code Retry-After}), before its token is even looked at.
 */
final class BearerAuth extends Handler.Wrapper {

    private static final Logger LOG = LoggerFactory.getLogger(BearerAuth.class);

    private final Tokens tokens;
    private final AuthFailures failures;
    private final ConsoleSessions sessions;

    BearerAuth(Tokens tokens, AuthFailures failures, Handler next) {
        this(tokens, failures, null, next);
    }

    /** @param sessions the web console's logins, also let through (reads; changes with their token, unless read-only) */
    BearerAuth(Tokens tokens, AuthFailures failures, ConsoleSessions sessions, Handler next) {
        super(next);
        this.tokens = tokens;
        this.failures = failures;
        this.sessions = sessions;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String address = Request.getRemoteAddr(request);
        long lockedFor = failures.lockedForMillis(address);
        if (lockedFor > 0) {
            long seconds = (lockedFor + 999) / 1000;
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(seconds));
            dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
            Answers.error(response, callback, 429, "too_many_failures", "too many failed authentications from " + address
                    + "; try again in " + seconds + " s");
            return true;
        }
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String presented = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
        ConsoleSessions.Session session = presented == null && sessions != null ? sessions.of(request) : null;
        if (session != null) {
            boolean reads = request.getMethod().equals("GET") || request.getMethod().equals("HEAD");
            if (!reads && session.readOnly()) {
                dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
                Answers.error(response, callback, 403, "read_only", "this console session is read-only; log in again"
                        + " without 'read-only' to change anything");
                return true;
            }
            if (!reads && !ConsoleSessions.csrfMatches(session, request.getHeaders().get(ConsoleSessions.CSRF_HEADER))) {
                LOG.warn("a change from {} with a console session but without its {} was refused (a request from"
                        + " another site?)", address, ConsoleSessions.CSRF_HEADER);
                dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
                Answers.error(response, callback, 403, "csrf", "a change from the web console carries its session's "
                        + ConsoleSessions.CSRF_HEADER + " header; this request did not");
                return true;
            }
            return super.handle(request, response, callback);
        }
        if (!tokens.matches(presented)) {
            if (presented != null) {
                failures.failed(address);
                LOG.warn("failed authentication to the management API from {}", address);
            }
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"mosaic\"");
            dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
            Answers.error(response, callback, 401, "unauthorized", presented == null
                    ? "send the management token as 'Authorization: Bearer <token>' (token from " + tokens.source() + ")"
                    : "the bearer token is not valid");
            return true;
        }
        return super.handle(request, response, callback);
    }
}
