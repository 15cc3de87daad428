package dev.mosaic.testkit;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.api.Backend;
import dev.mosaic.api.Request;

/**
 * A device request for a handler under test, built in a line:
 * {@code TestRequest.get("/tv/home?profile=kids").header("X-Device", "tv").backends(fakes)}.
 * Header names are case-insensitive, as the gateway's; a body that is not the JSON a handler
 * asks for gives the 400 the gateway would answer.
 */
public final class TestRequest implements Request {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String method;
    private final String path;
    private final Map<String, String> pathParams = new LinkedHashMap<>();
    private final Map<String, List<String>> query = new LinkedHashMap<>();
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private byte[] body = new byte[0];
    private String environment = "prod";
    private String requestId = "test-request";
    private FakeBackends backends = new FakeBackends();

    private TestRequest(String method, String target) {
        this.method = method.toUpperCase(Locale.ROOT);
        int q = target.indexOf('?');
        this.path = q < 0 ? target : target.substring(0, q);
        if (q >= 0) {
            for (String pair : target.substring(q + 1).split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    query(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
                }
            }
        }
    }

    /** @param target the path, with a query string if any: {@code /tv/home?profile=kids} */
    public static TestRequest get(String target) {
        return new TestRequest("GET", target);
    }

    public static TestRequest post(String target) {
        return new TestRequest("POST", target);
    }

    public static TestRequest of(String method, String target) {
        return new TestRequest(method, target);
    }

    /** A value the route template took from the path, as {@code {showId}} in {@code /tv/shows/{showId}}. */
    public TestRequest pathParam(String name, String value) {
        pathParams.put(name, value);
        return this;
    }

    public TestRequest query(String name, String value) {
        query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        return this;
    }

    public TestRequest header(String name, String value) {
        headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        return this;
    }

    public TestRequest body(byte[] bytes, String contentType) {
        this.body = bytes.clone();
        return header("Content-Type", contentType);
    }

    /** A JSON body, written from a value (a record, a map) or taken as it is from a string. */
    public TestRequest json(Object value) {
        try {
            byte[] bytes = value instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : JSON.writeValueAsBytes(value);
            return body(bytes, "application/json");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + value + " as JSON: " + e.getMessage(), e);
        }
    }

    public TestRequest environment(String env) {
        this.environment = env;
        return this;
    }

    public TestRequest requestId(String id) {
        this.requestId = id;
        return this;
    }

    /** The backends this request's calls reach: fakes with the answers the test chose. */
    public TestRequest backends(FakeBackends fakes) {
        this.backends = fakes;
        return this;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String pathParam(String name) {
        return pathParams.get(name);
    }

    @Override
    public Map<String, String> pathParams() {
        return Collections.unmodifiableMap(pathParams);
    }

    @Override
    public String query(String name) {
        List<String> values = query.get(name);
        return values == null ? null : values.get(0);
    }

    @Override
    public Map<String, List<String>> queryParams() {
        return Collections.unmodifiableMap(query);
    }

    @Override
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null ? null : values.get(0);
    }

    @Override
    public Map<String, List<String>> headers() {
        return Collections.unmodifiableMap(headers);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public <T> T bodyAs(Class<T> type) {
        return dev.mosaic.backends.JsonFit.requestBody(JSON, body, type); // as the gateway reads it
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public String environment() {
        return environment;
    }

    @Override
    public Backend backend(String name) {
        return backends.backend(name);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
