package dev.mosaic.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.api.BackendException;
import dev.mosaic.api.HttpException;
import dev.mosaic.api.Request;
import dev.mosaic.api.Response;
import dev.mosaic.api.RouteHandler;

/**
 * Calls a handler as the gateway would and gives its answer as a device would see it: a value
 * is written as JSON (200), {@code null} is a 204, a {@link Response} keeps its status and
 * headers, a {@code CompletionStage} is waited for (10 s), an {@link HttpException} is its
 * status with a JSON error, a backend call's failure the handler left unhandled is a 504, 503
 * or 502 as the gateway answers it, anything else thrown is a 500.
 *
 * <pre>{@code
 * TestResponse r = Adapters.call(new TvHome(), TestRequest.get("/tv/home?profile=kids").backends(fakes));
 * assertEquals(200, r.status());
 * assertEquals("Recommended for you", r.json().get("rows").get(0).get("name").asText());
 * }</pre>
 */
public final class Adapters {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Adapters() {
    }

    public static TestResponse call(RouteHandler handler, Request request) {
        Object result;
        try {
            result = handler.handle(request);
            if (result instanceof CompletionStage<?> stage) {
                result = stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | CompletionException e) {
            return failure(e.getCause() == null ? e : e.getCause());
        } catch (TimeoutException e) {
            return new TestResponse(504, Map.of(), bytes(Map.of("error", "deadline_exceeded", "message",
                    "the handler's CompletionStage did not complete within 10 s")));
        } catch (Exception e) {
            return failure(e);
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        int status = 200;
        Object body = result;
        if (result instanceof Response r) {
            status = r.status();
            headers.putAll(r.headers());
            body = r.body();
        } else if (result == null) {
            status = 204;
        }
        byte[] bytes = body == null ? new byte[0] : body instanceof byte[] raw ? raw.clone() : bytes(body);
        return new TestResponse(status, headers, bytes);
    }

    /** The gateway's answers to a failure: the same statuses and error codes. */
    private static TestResponse failure(Throwable t) {
        if (t instanceof HttpException h) {
            return error(h.status(), "adapter_error", h.getMessage());
        }
        if (t instanceof BackendException b) {
            int status = switch (b.reason()) {
                case DEADLINE -> 504;
                case BREAKER_OPEN, SATURATED, MISCONFIGURED -> 503;
                default -> 502;
            };
            return error(status, "backend_" + b.reason().toString().toLowerCase(java.util.Locale.ROOT), b.getMessage());
        }
        return error(500, "adapter_failed", String.valueOf(t));
    }

    private static TestResponse error(int status, String code, String message) {
        return new TestResponse(status, Map.of(), bytes(Map.of("error", code, "message", String.valueOf(message))));
    }

    private static byte[] bytes(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("the handler's answer cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    /** What the device gets. */
    public record TestResponse(int status, Map<String, List<String>> headers, byte[] body) {

        public TestResponse {
            Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            h.putAll(headers);
            headers = Collections.unmodifiableMap(h);
        }

        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("the answer is not JSON: " + text(), e);
            }
        }

        public <T> T as(Class<T> type) {
            try {
                return JSON.readValue(body, type);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new AssertionError("the answer is " + dev.mosaic.backends.JsonFit.describe(e, type) + ": " + text(), e);
            } catch (IOException e) {
                throw new AssertionError("the answer cannot be read: " + text(), e);
            }
        }
    }
}
