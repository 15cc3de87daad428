package dev.mosaic.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * A response with a chosen status and headers, for handlers that need more than
 * "200 with this JSON body".
 *
 * <pre>{@code
 * return Response.status(201)
 *         .header("Location", "/tv/lists/" + id)
 *         .body(new Created(id));
 * }</pre>
 *
 * <p>The body is serialised as JSON, except a {@code byte[]} body, which is written as it
 * is with the {@code Content-Type} header you set ({@code application/octet-stream} if you
 * set none). A {@code null} body writes no content.
 *
 * <p>Instances are immutable: every method returns a new response.
 */
public final class Response {

    private static final String[] NO_HEADERS = new String[0];

    private final int status;
    /** Header names and values, alternating, in the order added. */
    private final String[] headers;
    private final Object body;

    private Response(int status, String[] headers, Object body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /**
     * @param status the HTTP status, from 100 to 599
     * @return a response with that status, no headers and no body
     */
    public static Response status(int status) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("HTTP status must be from 100 to 599, got " + status);
        }
        return new Response(status, NO_HEADERS, null);
    }

    /**
     * @param body the body, serialised as JSON
     * @return a {@code 200} response with that body
     */
    public static Response ok(Object body) {
        return status(200).body(body);
    }

    /**
     * Adds a header value (headers may repeat).
     *
     * @param name the header name
     * @param value its value
     * @return a new response with the header added
     */
    public Response header(String name, String value) {
        Objects.requireNonNull(name, "header name");
        Objects.requireNonNull(value, "header value");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a header name cannot be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c == ':' || c >= 127) {
                throw new IllegalArgumentException("not a valid header name: '" + name + "'");
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                throw new IllegalArgumentException("header " + name + " has a line break in its value");
            }
        }
        String[] more = Arrays.copyOf(headers, headers.length + 2);
        more[headers.length] = name;
        more[headers.length + 1] = value;
        return new Response(status, more, body);
    }

    /**
     * @param body the new body
     * @return a new response with that body
     */
    public Response body(Object body) {
        return new Response(status, headers, body);
    }

    /** @return the HTTP status */
    public int status() {
        return status;
    }

    /** @return the headers by name (names as first given, matched case-insensitively), in the order added */
    public Map<String, List<String>> headers() {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            String name = headers[i];
            String key = map.keySet().stream().filter(k -> k.equalsIgnoreCase(name)).findFirst().orElse(name);
            map.computeIfAbsent(key, k -> new ArrayList<>()).add(headers[i + 1]);
        }
        map.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(map);
    }

    /**
     * Calls {@code each} with every header name and value, in the order added: what the
     * gateway writes, without building a map.
     *
     * @param each receives a name and a value
     * @since 1.1 (added after 1.0.0 was released without a bump; the package became 1.1.0 with the backend API)
     */
    public void forEachHeader(BiConsumer<String, String> each) {
        for (int i = 0; i < headers.length; i += 2) {
            each.accept(headers[i], headers[i + 1]);
        }
    }

    /**
     * @param name a header name, matched case-insensitively
     * @return its first value, or {@code null}
     */
    public String header(String name) {
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i].equalsIgnoreCase(name)) {
                return headers[i + 1];
            }
        }
        return null;
    }

    /** @return the body, or {@code null} */
    public Object body() {
        return body;
    }

    @Override
    public String toString() {
        return "Response[" + status + ", headers=" + headers() + ", body=" + body + "]";
    }
}
