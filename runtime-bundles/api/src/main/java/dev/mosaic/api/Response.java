package dev.mosaic.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

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

    private final int status;
    private final Map<String, List<String>> headers;
    private final Object body;

    private Response(int status, Map<String, List<String>> headers, Object body) {
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
        return new Response(status, Map.of(), null);
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
        if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c == ':' || c >= 127)) {
            throw new IllegalArgumentException("not a valid header name: '" + name + "'");
        }
        if (value.chars().anyMatch(c -> c == '\r' || c == '\n')) {
            throw new IllegalArgumentException("header " + name + " has a line break in its value");
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
        String key = copy.keySet().stream().filter(k -> k.equalsIgnoreCase(name)).findFirst().orElse(name);
        copy.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        Map<String, List<String>> frozen = new LinkedHashMap<>();
        copy.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new Response(status, Collections.unmodifiableMap(frozen), body);
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

    /** @return the headers, in the order they were added */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /**
     * @param name a header name, matched case-insensitively
     * @return its first value, or {@code null}
     */
    public String header(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().toLowerCase(Locale.ROOT).equals(lower) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
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
        return "Response[" + status + ", headers=" + headers + ", body=" + body + "]";
    }
}
