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
