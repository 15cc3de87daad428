package dev.mosaic.shell.internal;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.Request;

/**
 * The web console's logins: one logs in with the management token and gets a session, a random id
 * kept only in this runtime's memory and sent back in a cookie the page's scripts cannot read
 * ({@code HttpOnly}) and that browsers send only from the console's own pages ({@code
 * SameSite=Strict}); each session has a token of its own for changes ({@code X-Mosaic-CSRF}, which
 * another site cannot know), and may be read-only. Sessions end after {@value #HOURS} hours, at
 * logout, or when the runtime stops.
 */
final class ConsoleSessions {

    static final String COOKIE = "mosaic_console";
    static final String CSRF_HEADER = "X-Mosaic-CSRF";
    static final int HOURS = 8;
    private static final Duration LIFETIME = Duration.ofHours(HOURS);

    /** One login. */
    record Session(String id, String csrf, boolean readOnly, long expiresAtMillis) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    Session open(boolean readOnly) {
        sessions.values().removeIf(s -> s.expiresAtMillis < System.currentTimeMillis());
        Session s = new Session(secret(), secret(), readOnly, System.currentTimeMillis() + LIFETIME.toMillis());
        sessions.put(s.id, s);
        return s;
    }

    /** @return the request's live session, or null */
    Session of(Request request) {
        for (HttpCookie c : Request.getCookies(request)) {
            if (COOKIE.equals(c.getName())) {
                Session s = sessions.get(c.getValue());
                if (s != null && s.expiresAtMillis > System.currentTimeMillis()) {
                    return s;
                }
            }
        }
        return null;
    }

    void close(Session s) {
        sessions.remove(s.id);
    }

    /** @return whether the request carries the session's change token (compared in constant time) */
    static boolean csrfMatches(Session s, String presented) {
        return presented != null && java.security.MessageDigest.isEqual(s.csrf.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                presented.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** @return the Set-Cookie value that gives the browser the session (or, with null, takes it away) */
    static String cookie(Session s) {
        return COOKIE + "=" + (s == null ? "" : s.id) + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                + (s == null ? 0 : LIFETIME.toSeconds());
    }

    private String secret() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
