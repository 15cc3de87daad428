package dev.mosaic.backends;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;

/**
 * What went wrong reading JSON into an adapter's type, said the same way wherever a body is read (a backend's answer,
 * a device request's body, the test kit's fakes): a body that is not JSON at all, or JSON that does not fit the type,
 * and then where in it ({@code titles[0]}), which Jackson's own message leaves out. Since 1.1.
 */
public final class JsonFit {

    private JsonFit() {
    }

    /**
     * @return "a body that is not JSON (...)" or "JSON that does not fit Titles at titles[0] (...)", to follow "with"
     *         or "has"
     */
    public static String describe(JsonProcessingException e, Class<?> type) {
        if (!(e instanceof JsonMappingException m)) {
            return notJson(e);
        }
        if (m.getCause() instanceof StreamReadException broken) {
            return notJson(broken); // a syntax error met while mapping: not JSON at all
        }
        String path = path(m);
        return "JSON that does not fit " + type.getSimpleName() + (path.isEmpty() ? "" : " at " + path) + " ("
                + plain(m.getOriginalMessage()) + ")";
    }

    /**
     * Reads a device request's body into an adapter's type, as the gateway does and the test kit's requests do.
     *
     * @throws dev.mosaic.api.HttpException 400: the request has no body, or a body that is not JSON or does not fit the
     *             type (where, and how)
     */
    public static <T> T requestBody(com.fasterxml.jackson.databind.ObjectMapper mapper, byte[] body, Class<T> type) {
        if (body.length == 0) {
            throw new dev.mosaic.api.HttpException(400, "the request has no body; expected JSON for " + type.getSimpleName());
        }
        try {
            return mapper.readValue(body, type);
        } catch (JsonProcessingException e) {
            throw new dev.mosaic.api.HttpException(400, "the request came with " + describe(e, type));
        } catch (java.io.IOException e) {
            throw new dev.mosaic.api.HttpException(400, "the request body could not be read as JSON: " + e.getMessage());
        }
    }

    /**
     * Reads a backend's answer into an adapter's type, as the platform's client does and the test kit's fake backends do:
     * properties the type does not have are skipped (a backend that adds a field must not break its callers).
     *
     * @param call what was asked of it ({@code GET /titles})
     * @param contentType the answer's, or null if it has none
     * @throws dev.mosaic.api.BackendException {@code INVALID_JSON}, naming the backend, its status and the call: a content
     *             type that does not say JSON, a body that is not JSON or does not fit the type
     */
    public static <T> T backendAnswer(com.fasterxml.jackson.databind.ObjectMapper mapper, String backend, int status, String call,
            String contentType, byte[] body, Class<T> type) {
        String answered = "backend " + backend + " answered " + status;
        if (contentType != null && !mentionsJson(contentType)) {
            throw invalid(backend, status, answered + " with content type " + contentType + " to " + call
                    + ", where JSON was expected");
        }
        try {
            return mapper.readerFor(type).without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(body);
        } catch (JsonProcessingException e) {
            throw invalid(backend, status, answered + " to " + call + " with " + describe(e, type));
        } catch (java.io.IOException e) {
            throw invalid(backend, status, answered + " to " + call + " with a body that cannot be read: " + e.getMessage());
        }
    }

    private static dev.mosaic.api.BackendException invalid(String backend, int status, String message) {
        return new dev.mosaic.api.BackendException(backend, dev.mosaic.api.BackendException.Reason.INVALID_JSON, status, message,
                null);
    }

    /** @return whether a content type names JSON ({@code application/json}, {@code application/problem+json}, ...) */
    static boolean mentionsJson(String contentType) {
        if (contentType.startsWith("application/json")) {
            return true;
        }
        for (int i = 0; i + 4 <= contentType.length(); i++) {
            if (contentType.regionMatches(true, i, "json", 0, 4)) {
                return true;
            }
        }
        return false;
    }

    private static String notJson(JsonProcessingException e) {
        var at = e.getLocation();
        return "a body that is not JSON (" + plain(e.getOriginalMessage()) + (at == null || at.getLineNr() < 0 ? ""
                : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ")";
    }

    /** Jackson's message without the source it names in a location ("[Source: REDACTED (...); line: 1, ...]"). */
    private static String plain(String message) {
        return message == null ? "" : message.replaceAll("\\[Source: [^;\\]]*; ", "[");
    }

    /** @return where in the document the mapping failed: {@code rows[2].titles[0]}, empty at the top */
    static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
