package dev.mosaic.shell.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The errors Jetty answers itself on the management port, before a request reaches the API
 * (an ambiguous path such as {@code %2F} in a segment, a URI or headers too long), in the
 * API's JSON ({@code {"error": code, "message": ...}}) rather than Jetty's HTML, so that the
 * CLI and scripts read them like every other error.
 */
final class ApiErrorHandler extends ErrorHandler {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Every method gets its error as JSON: Jetty's default writes a body only for GET, POST and HEAD. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status, reason));
    }

    static byte[] body(int status, String message) {
        String text = message == null || message.isBlank() ? "the request failed with status " + status : message;
        try {
            return MAPPER.writeValueAsBytes(Answers.error(code(status), text + " (HTTP " + status + ")"));
        } catch (JsonProcessingException e) {
            return ("{\"error\":\"" + code(status) + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    private static String code(int status) {
        return switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "body_too_large";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            default -> status >= 500 ? "internal_error" : "bad_request";
        };
    }
}
