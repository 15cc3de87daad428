package dev.mosaic.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The CLI's HTTP exchanges with a runtime, over the JDK's {@link HttpURLConnection}: a command makes one or a few calls
 * and exits, and this client costs a fresh JVM a few milliseconds where {@code java.net.http.HttpClient} took some 0.7 s
 * (its selector thread, its HTTP/2 and TLS set-up, even for a plain {@code http} URL): {@code bench/run cli}.
 * TLS is loaded only for an {@code https} URL. Redirects are not followed.
 */
final class Http {

    /** How long a connection may take to be made. */
    static final Duration CONNECT = Duration.ofSeconds(5);

    /** What a runtime answered: the status, the body, and its headers by name. */
    record Answer(int status, String body, Map<String, java.util.List<String>> headers) {

        /** @return whether the answer carries the header (any case) */
        boolean has(String header) {
            return headers.keySet().stream().anyMatch(h -> h != null && h.equalsIgnoreCase(header));
        }
    }

    private Http() {
    }

    /**
     * Makes one call and reads its whole answer.
     *
     * @param body what to send, or null for nothing
     * @param timeout how long the answer may take (to each read), after the connection is made
     * @throws IllegalArgumentException if the URL is not an http or https one
     * @throws java.net.ConnectException if nothing listens there
     * @throws java.net.SocketTimeoutException if the connection or the answer took too long
     */
    static Answer exchange(String method, String url, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException {
        HttpURLConnection c = open(url, headers, timeout);
        c.setRequestMethod(method);
        if (body != null || method.equals("POST") || method.equals("PUT")) {
            byte[] b = body == null ? new byte[0] : body;
            // buffered, not streamed: in streaming mode a 401 comes as an exception without its body
            c.setDoOutput(true);
            try (OutputStream out = c.getOutputStream()) {
                out.write(b);
            }
        }
        try {
            return answer(c);
        } finally {
            c.disconnect();
        }
    }

    /**
     * Makes a GET whose answer is a stream of lines, and gives each line to {@code lines} as it comes, until the runtime
     * ends the stream. No time limit once the connection is made.
     *
     * @return the answer: for a 200 with the body already given line by line (empty), else with the body
     */
    static Answer stream(String url, Map<String, String> headers, Consumer<String> lines) throws IOException {
        HttpURLConnection c = open(url, headers, Duration.ZERO);
        try {
            if (c.getResponseCode() != 200) {
                return answer(c);
            }
            try (BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null;) {
                    lines.accept(line);
                }
            }
            return new Answer(200, "", c.getHeaderFields());
        } finally {
            c.disconnect();
        }
    }

    private static HttpURLConnection open(String url, Map<String, String> headers, Duration timeout) throws IOException {
        URI uri = URI.create(url); // IllegalArgumentException when it is not a URI
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("not an http or https URL: " + url);
        }
        HttpURLConnection c;
        try {
            c = (HttpURLConnection) uri.toURL().openConnection();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        c.setConnectTimeout((int) CONNECT.toMillis());
        c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        headers.forEach(c::setRequestProperty);
        return c;
    }

    /** @return the status, the whole body (an error's too) and the headers of what the connection was answered */
    private static Answer answer(HttpURLConnection c) throws IOException {
        int status = c.getResponseCode();
        InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
        String body = "";
        if (in != null) {
            try (in) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        return new Answer(status, body, c.getHeaderFields());
    }
}
