package dev.mosaic.shell.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.Fields;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Kind;
import dev.mosaic.shell.internal.Answers.ApiError;

/** One management request as an endpoint sees it: its path parameters, query, body and who asks. */
final class ApiRequest {

    private final Request request;
    private final Map<String, String> pathParams;
    private final Fields query;
    private final long maxUpload;

    ApiRequest(Request request, long maxUpload) {
        this.request = request;
        this.maxUpload = maxUpload;
        Object spec = request.getAttribute(PathMappingsHandler.PATHSPEC_ATTR);
        this.pathParams = spec instanceof UriTemplatePathSpec t ? t.getPathParams(path(request)) : Map.of();
        this.query = Request.extractQueryParameters(request);
    }

    /** @return the decoded path, as the path specs match it */
    static String path(Request request) {
        return request.getHttpURI().getDecodedPath();
    }

    String method() {
        return request.getMethod();
    }

    /** @return a parameter of the path template, e.g. {@code env} of {@code /deployments/{env}/{name}} */
    String path(String name) {
        return pathParams.get(name);
    }

    /** @return a query parameter, or null */
    String query(String name) {
        return query.getValue(name);
    }

    boolean flag(String name) {
        return "true".equals(query(name));
    }

    String required(String name) throws ApiError {
        String v = query(name);
        if (v == null || v.isBlank()) {
            throw new ApiError(400, DeployException.INVALID_ARGUMENT, "the query parameter '" + name + "' is required");
        }
        return v;
    }

    Kind kind() throws ApiError {
        String text = query("kind");
        try {
            return text == null ? null : Kind.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, DeployException.INVALID_ARGUMENT, "kind: " + e.getMessage());
        }
    }

    int limit(int defaultValue) throws ApiError {
        String limit = query("limit");
        try {
            int n = limit == null ? defaultValue : Integer.parseInt(limit);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException x) {
            // said below
        }
        throw new ApiError(400, DeployException.INVALID_ARGUMENT, "limit must be a number of entries, 0 or more, got '"
                + limit + "'");
    }

    /** Whether a change in a fleet answers at commit, not once applied everywhere ({@code X-Mosaic-Async} or {@code ?async}). */
    boolean async() {
        String h = request.getHeaders().get("X-Mosaic-Async");
        String q = query("async");
        return "true".equalsIgnoreCase(h) || "true".equalsIgnoreCase(q) || (q != null && q.isEmpty());
    }

    /** Whether the caller asked for the console's tables. */
    boolean wantsText() {
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        return accept != null && accept.contains("text/plain") && !accept.contains("json");
    }

    /** @return the path and query asked for, for the log (a query holds no secret: tokens go in a header) */
    String target() {
        String q = request.getHttpURI().getQuery();
        return path(request) + (q == null ? "" : "?" + q);
    }

    /** Who asks: the API, and what the client says about itself (for history only; the token is what authorises). */
    String actor() {
        String said = request.getHeaders().get("X-Mosaic-Actor");
        if (said == null || said.isBlank()) {
            return "api";
        }
        String clean = said.replaceAll("[^A-Za-z0-9@._:+-]", "");
        return "api:" + (clean.length() > 80 ? clean.substring(0, 80) : clean);
    }

    /**
     * Reads the body as a backend declaration's options: a JSON object whose values are a string,
     * a number or a list of them, {@code {"url":["http://..."],"timeout":"1s"}}. At most 64 KiB.
     */
    java.util.Map<String, java.util.List<String>> options() throws ApiError {
        com.fasterxml.jackson.databind.JsonNode root = jsonObject("a declaration", "an object of options such as"
                + " {\"url\":[\"http://host:port\"],\"timeout\":\"1s\"}");
        java.util.Map<String, java.util.List<String>> options = new java.util.LinkedHashMap<>();
        for (java.util.Iterator<java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = root.fields(); it.hasNext();) {
            java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e = it.next();
            java.util.List<String> values = new java.util.ArrayList<>();
            com.fasterxml.jackson.databind.JsonNode v = e.getValue();
            for (com.fasterxml.jackson.databind.JsonNode one : v.isArray() ? v : java.util.List.of(v)) {
                if (!one.isValueNode() || one.isNull()) {
                    throw new ApiError(400, "invalid_argument", "option " + e.getKey() + " must be a string, a number or a"
                            + " list of them");
                }
                values.add(one.asText());
            }
            options.put(e.getKey(), values);
        }
        return options;
    }

    /**
     * Reads the body as a JSON object of at most 64 KiB.
     *
     * @param what what the body is, for messages
     * @param expected what it should be, with an example
     */
    com.fasterxml.jackson.databind.JsonNode jsonObject(String what, String expected) throws ApiError {
        byte[] bytes;
        try (InputStream in = Content.Source.asInputStream(request)) {
            bytes = in.readNBytes(65_537);
        } catch (IOException e) {
            throw new ApiError(400, "bad_request", "the body could not be read: " + e.getMessage());
        }
        if (bytes.length > 65_536) {
            throw new ApiError(413, "body_too_large", what + " is at most 64 KiB of JSON");
        }
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = OPTIONS_READER.readTree(bytes);
        } catch (IOException e) {
            throw new ApiError(400, "invalid_argument", "the body is not JSON: expected " + expected);
        }
        if (root == null || !root.isObject()) {
            throw new ApiError(400, "invalid_argument", "the body must be a JSON object: " + expected);
        }
        return root;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper OPTIONS_READER = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * Hands the body to {@code use} as a stream read as it arrives, never whole in memory, and
     * cut at the upload limit ({@code mosaic.mgmt.maxUploadBytes}): a body whose announced
     * length is over it is refused before any of it is read, a chunked one as soon as it
     * passes it; either way a 413.
     */
    <T> T upload(Upload<T> use) throws ApiError, DeployException {
        long length = request.getLength();
        if (length > maxUpload) {
            throw new ApiError(413, "body_too_large", "the upload is " + length + " bytes; the limit is " + maxUpload
                    + " (mosaic.mgmt.maxUploadBytes)");
        }
        Limited body = new Limited(Content.Source.asInputStream(request), maxUpload);
        try {
            return use.read(body);
        } catch (DeployException e) {
            if (body.over) {
                throw new ApiError(413, "body_too_large", "the upload is over the limit of " + maxUpload
                        + " bytes (mosaic.mgmt.maxUploadBytes); nothing more of it was read");
            }
            throw e;
        }
    }

    /** What reads an upload. */
    @FunctionalInterface
    interface Upload<T> {
        T read(InputStream body) throws DeployException;
    }

    /** A stream that fails, and says so, once more than {@code limit} bytes have come through. */
    private static final class Limited extends FilterInputStream {
        private final long limit;
        private long count;
        boolean over;

        Limited(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        private void counted(int n) throws IOException {
            count += n;
            if (count > limit) {
                over = true;
                throw new IOException("the upload is over the limit of " + limit + " bytes");
            }
        }
    }

    static PathSpec template(String template) {
        return new UriTemplatePathSpec(template);
    }
}
