package dev.mosaic.shell.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * How the management API answers: JSON (enums as their lower-case names, as they always
 * were), the console's tables for {@code Accept: text/plain}, and errors as
 * {@code {"error": code, "message": ...}} whatever was asked for, so that the CLI can read
 * their code.
 */
final class Answers {

    /** A request the API refuses before, or instead of, calling the deployer. */
    static final class ApiError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        ApiError(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    /** A body that is already text of a given type (Graphviz), written as it is. */
    record Text(String type, String content) {
    }

    /** A body to answer with another status than 200 (201 for a change). */
    record Status(int status, Object body) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING);

    private Answers() {
    }

    static Map<String, Object> error(String code, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", code);
        m.put("message", message);
        return m;
    }

    static void error(Response response, Callback callback, int status, String code, String message) {
        json(response, callback, status, error(code, message));
    }

    static void json(Response response, Callback callback, int status, Object body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            status = 500;
            bytes = "{\"error\":\"internal_error\",\"message\":\"the answer could not be written as JSON\"}"
                    .getBytes(StandardCharsets.UTF_8);
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** Text as it is, of its type. */
    static void text(Response response, Callback callback, int status, String type, String content) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type + ";charset=utf-8");
        response.write(true, ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)), callback);
    }

    /** The console's rendering, for people using the CLI; a listing with every column if wide. */
    static void table(Response response, Callback callback, int status, Object body, boolean wide) {
        String shown = Formats.format(body, wide);
        if (shown == null) {
            shown = body instanceof List<?> list && list.isEmpty() ? "(none)" : String.valueOf(body);
        }
        text(response, callback, status, "text/plain", shown + "\n");
    }
}
