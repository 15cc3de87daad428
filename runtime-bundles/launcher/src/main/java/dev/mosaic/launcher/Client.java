package dev.mosaic.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The CLI: each command is one call to a running runtime's management API. People get the
 * same tables as the console; {@code --json} gives pipelines the API's JSON unchanged.
 *
 * <p>Exit codes: 0 done (including "nothing to do"); 1 the runtime refused or failed the
 * operation (the error code and message are printed); 2 bad usage; 3 the runtime cannot be
 * reached or the token is missing.
 */
final class Client {

    static final String DEFAULT_URL = "http://127.0.0.1:8081/api/v1";

    private final PrintWriter out;
    private final PrintWriter err;

    Client(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    /** The management API's URL: --url, else $MOSAIC_URL, else the default; {@link #api} of it. */
    static String base(RemoteCommands.Remote remote) {
        return api(remote.url != null ? remote.url : envOr("MOSAIC_URL", DEFAULT_URL));
    }

    /**
     * @return the management API's URL as given without trailing slashes, and with {@code /api/v1} added when it names
     *         only the runtime ({@code http://host:8081}, as the runtime's log and a browser's address bar say it)
     */
    static String api(String url) {
        String u = url.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        int authority = u.indexOf("://");
        return authority > 0 && u.indexOf('/', authority + 3) < 0 ? u + "/api/v1" : u;
    }

    /** @return the URL of a call to the management API at {@code base} ({@link #api}) */
    static String url(String base, RemoteCommands.Call call) {
        return base + call.path();
    }

    /** @return the headers of a call: the token, what it accepts, and the actor */
    static java.util.Map<String, String> headers(String token, boolean json, String actor) {
        java.util.Map<String, String> h = new java.util.LinkedHashMap<>();
        h.put("Authorization", "Bearer " + token);
        h.put("Accept", json ? "application/json" : "text/plain");
        h.put("X-Mosaic-Actor", actor + ":" + System.getProperty("user.name", "unknown"));
        return h;
    }

    /**
     * Makes a call with the token and the actor.
     *
     * @throws IllegalArgumentException if the URL is not one
     */
    static Http.Answer call(String base, String token, RemoteCommands.Call call, boolean json, String actor,
            java.util.Map<String, String> more) throws IOException {
        java.util.Map<String, String> headers = headers(token, json, actor);
        headers.putAll(more);
        return Http.exchange(call.method(), url(base, call), headers, call.body(), Duration.ofMinutes(2));
    }

    /** @return the error a runtime answered, as one line: its message and code */
    static String error(int status, String body) {
        return describeError(status, body);
    }

    /**
     * Makes the call and prints its answer.
     * @param async in a fleet, answer once the change is committed, without waiting for every instance to apply it
     * @return the exit code
     */
    int send(RemoteCommands.Call call, RemoteCommands.Remote remote, boolean async) {
        String base = base(remote);
        String token = token(remote);
        if (token == null) {
            return Main.UNREACHABLE;
        }
        boolean json = remote.json;
        Http.Answer response;
        try {
            response = call(base, token, call, json, "cli", async ? java.util.Map.of("X-Mosaic-Async", "true")
                    : java.util.Map.of());
        } catch (IllegalArgumentException e) {
            err.println("mosaic: '" + base + "' is not a valid URL");
            return Main.USAGE;
        } catch (ConnectException e) {
            err.println("mosaic: no runtime answers at " + base + " (is it running? --url or MOSAIC_URL point elsewhere)");
            return Main.UNREACHABLE;
        } catch (SocketTimeoutException e) {
            err.println("mosaic: " + base + " did not answer in time");
            return Main.UNREACHABLE;
        } catch (IOException e) {
            if (call.body() != null && call.body().length > 0) {
                // the runtime answers an upload it will not take (over its limit, wrong token) before reading it
                // and closes the connection; a client still writing then sees the close, not the answer
                err.println("mosaic: the runtime at " + base + " closed the connection during the upload of "
                        + call.body().length + " bytes (" + e.getMessage() + "): it refuses uploads over "
                        + "mosaic.mgmt.maxUploadBytes (64 MiB unless configured) and requests with a wrong token unread");
                return Main.UNREACHABLE;
            }
            err.println("mosaic: calling " + base + " failed: " + e);
            return Main.UNREACHABLE;
        }
        int status = response.status();
        if (status == 202) {
            out.println(response.body().stripTrailing()); // committed; some live instances have not applied it yet
            return Main.NOT_CONVERGED;
        }
        if (status >= 200 && status < 300) {
            out.println(response.body().stripTrailing());
            // a dry run of a change that would be refused: the answer says why; the exit code says it would fail (and so
            // for a route called with --fail that answered an error)
            return response.has("X-Mosaic-Would-Fail") || response.has("X-Mosaic-Failed") ? Main.REFUSED : Main.DONE;
        }
        if (status == 503 && call.path().equals("/health")) {
            out.println(response.body().stripTrailing()); // degraded: the answer is the report
            return Main.REFUSED;
        }
        if (json) {
            err.println(response.body().stripTrailing());
        } else {
            err.println("mosaic: " + (call.subject() == null ? "" : call.subject() + ": ") + describeError(status, response.body()));
        }
        return status == 401 ? Main.UNREACHABLE : Main.REFUSED;
    }

    /**
     * Makes a call whose answer is a stream of lines, and prints each line as it comes (an empty line only keeps the
     * stream open) until the runtime ends it or the process is stopped.
     *
     * @return the exit code
     */
    int stream(RemoteCommands.Call call, RemoteCommands.Remote remote) {
        String base = base(remote);
        String token = token(remote);
        if (token == null) {
            return Main.UNREACHABLE;
        }
        try {
            Http.Answer response = Http.stream(url(base, call), headers(token, remote.json, "cli"), l -> {
                if (!l.isEmpty()) {
                    out.println(l);
                    out.flush();
                }
            });
            if (response.status() != 200) {
                err.println("mosaic: " + describeError(response.status(), response.body()));
                return response.status() == 401 ? Main.UNREACHABLE : Main.REFUSED;
            }
            err.println("mosaic: the runtime ended the stream");
            return Main.DONE;
        } catch (IllegalArgumentException e) {
            err.println("mosaic: '" + base + "' is not a valid URL");
            return Main.USAGE;
        } catch (ConnectException e) {
            err.println("mosaic: no runtime answers at " + base + " (is it running? --url or MOSAIC_URL point elsewhere)");
            return Main.UNREACHABLE;
        } catch (IOException e) {
            err.println("mosaic: the stream from " + base + " broke: " + e.getMessage());
            return Main.UNREACHABLE;
        }
    }

    private static String describeError(int status, String body) {
        try {
            JsonNode e = new ObjectMapper().readTree(body);
            if (e.has("error")) {
                return e.path("message").asText() + " [" + e.path("error").asText() + ", HTTP " + status + "]";
            }
        } catch (IOException ignored) {
            // not JSON: show it as it is
        }
        return "HTTP " + status + ": " + body.stripTrailing();
    }

    /** The token: MOSAIC_TOKEN, else --token-file, else the runtime's data directory (--data, else $MOSAIC_DATA, else ./mosaic-data). */
    String token(RemoteCommands.Remote remote) {
        String fromEnv = System.getenv("MOSAIC_TOKEN");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        Path file = remote.tokenFile != null ? remote.tokenFile
                : (remote.data != null ? remote.data : Path.of(envOr("MOSAIC_DATA", "mosaic-data"))).resolve("mgmt-token");
        try {
            String token = Files.readString(file).trim();
            if (!token.isEmpty()) {
                return token;
            }
        } catch (IOException e) {
            // reported below
        }
        err.println("mosaic: no management token: set MOSAIC_TOKEN, or point --data at the runtime's data directory"
                + " (looked for " + file.toAbsolutePath() + ")");
        return null;
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

}
