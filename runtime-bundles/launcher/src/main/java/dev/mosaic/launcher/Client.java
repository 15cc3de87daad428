package dev.mosaic.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
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

    /**
     * @return an HTTP client for calls to {@code url}, made when a command needs one (not when the command line is
     *         read): for a plain {@code http} URL without the JVM's default TLS context, whose trust store alone takes
     *         a tenth of a second to load, and with one that trusts no certificate instead (such a client never
     *         negotiates TLS: it follows no redirect)
     */
    static HttpClient http(String url) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (url.regionMatches(true, 0, "http:", 0, 5)) {
            try {
                javax.net.ssl.SSLContext none = javax.net.ssl.SSLContext.getInstance("TLS");
                none.init(new javax.net.ssl.KeyManager[0], new javax.net.ssl.TrustManager[0], null);
                b.sslContext(none).sslParameters(new javax.net.ssl.SSLParameters()); // nor its cipher suites
            } catch (java.security.GeneralSecurityException e) {
                // the default context, then
            }
        }
        return b.build();
    }

    /** The management API's URL: --url, else $MOSAIC_URL, else the default. */
    static String base(RemoteCommands.Remote remote) {
        return remote.url != null ? remote.url : envOr("MOSAIC_URL", DEFAULT_URL);
    }

    /**
     * The request for a call, with the token and the actor.
     *
     * @throws IllegalArgumentException if the URL is not one
     */
    static HttpRequest request(String base, String token, RemoteCommands.Call call, boolean json, String actor) {
        return HttpRequest.newBuilder(URI.create(stripSlash(base) + call.path()))
                .timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + token)
                .header("Accept", json ? "application/json" : "text/plain")
                .header("X-Mosaic-Actor", actor + ":" + System.getProperty("user.name", "unknown"))
                .method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(call.body()))
                .build();
    }

    /** @return the error a runtime answered, as one line: its message and code */
    static String error(int status, String body) {
        return describeError(status, body);
    }

    /** Makes the call and prints its answer. @return the exit code */
    int send(RemoteCommands.Call call, RemoteCommands.Remote remote) {
        String base = base(remote);
        String token = token(remote);
        if (token == null) {
            return Main.UNREACHABLE;
        }
        boolean json = remote.json;
        HttpRequest request;
        try {
            request = request(base, token, call, json, "cli");
            if (remote.async) {
                request = HttpRequest.newBuilder(request, (n, v) -> true).header("X-Mosaic-Async", "true").build();
            }
        } catch (IllegalArgumentException e) {
            err.println("mosaic: '" + base + "' is not a valid URL");
            return Main.USAGE;
        }
        HttpResponse<String> response;
        try {
            response = http(base).send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            err.println("mosaic: no runtime answers at " + base + " (is it running? --url or MOSAIC_URL point elsewhere)");
            return Main.UNREACHABLE;
        } catch (HttpTimeoutException e) {
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.UNREACHABLE;
        }
        int status = response.statusCode();
        if (status == 202) {
            out.println(response.body().stripTrailing()); // committed; some live instances have not applied it yet
            return Main.NOT_CONVERGED;
        }
        if (status >= 200 && status < 300) {
            out.println(response.body().stripTrailing());
            // a dry run of a change that would be refused: the answer says why; the exit code says it would fail
            return response.headers().firstValue("X-Mosaic-Would-Fail").isPresent() ? Main.REFUSED : Main.DONE;
        }
        if (status == 503 && call.path().equals("/health")) {
            out.println(response.body().stripTrailing()); // degraded: the answer is the report
            return Main.REFUSED;
        }
        if (json) {
            err.println(response.body().stripTrailing());
        } else {
            err.println("mosaic: " + describeError(status, response.body()));
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
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(stripSlash(base) + call.path()))
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", remote.json ? "application/json" : "text/plain")
                    .header("X-Mosaic-Actor", "cli:" + System.getProperty("user.name", "unknown"))
                    .GET().build();
        } catch (IllegalArgumentException e) {
            err.println("mosaic: '" + base + "' is not a valid URL");
            return Main.USAGE;
        }
        try {
            HttpResponse<java.util.stream.Stream<String>> response = http(base).send(request, HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                String body = response.body().collect(java.util.stream.Collectors.joining("\n"));
                err.println("mosaic: " + describeError(response.statusCode(), body));
                return response.statusCode() == 401 ? Main.UNREACHABLE : Main.REFUSED;
            }
            try (java.util.stream.Stream<String> lines = response.body()) {
                lines.filter(l -> !l.isEmpty()).forEach(l -> {
                    out.println(l);
                    out.flush();
                });
            }
            err.println("mosaic: the runtime ended the stream");
            return Main.DONE;
        } catch (ConnectException e) {
            err.println("mosaic: no runtime answers at " + base + " (is it running? --url or MOSAIC_URL point elsewhere)");
            return Main.UNREACHABLE;
        } catch (IOException | java.io.UncheckedIOException e) {
            err.println("mosaic: the stream from " + base + " broke: " + e.getMessage());
            return Main.UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

}
