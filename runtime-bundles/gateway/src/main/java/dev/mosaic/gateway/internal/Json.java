package dev.mosaic.gateway.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The gateway's JSON: one shared mapper, and error bodies that can never fail to serialise. */
final class Json {

    static final String CONTENT_TYPE = "application/json";

    private Json() {
    }

    static ObjectMapper mapper() {
        return new ObjectMapper();
    }

    /**
     * @return {@code {"error":code,"status":status,"message":message, ...extra}} as bytes
     */
    static byte[] error(ObjectMapper mapper, String code, int status, String message, Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("status", status);
        body.put("message", message);
        body.putAll(extra);
        try {
            return mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            // Only strings and numbers above: cannot happen, but an error must still be written.
            return ("{\"error\":\"" + code + "\",\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
