package dev.mosaic.gateway.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Errors Jetty answers itself, before a request reaches the routing (a malformed URI, an
 * ambiguous path, headers too large), as JSON like every other Mosaic error.
 */
final class JsonErrorHandler extends ErrorHandler {

    private final ObjectMapper mapper;

    JsonErrorHandler(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Every method gets its error in JSON, not only those Jetty writes error pages for (an HTTP/2 preface's PRI included). */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) throws IOException {
        String text = message == null || message.isEmpty() ? defaultMessage(code) : message;
        if (code == 426) {
            // an HTTP/2 request with prior knowledge (h2c): this port speaks HTTP/1.1
            response.getHeaders().put(HttpHeader.UPGRADE, "HTTP/1.1");
            text = "this port serves HTTP/1.1 only; send the request over HTTP/1.1 (HTTP/2 with prior knowledge is not served)";
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Json.CONTENT_TYPE);
        byte[] body = Json.error(mapper, code(code), code, text, Map.of());
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, Json.CONTENT_TYPE);
        String text = reason == null || reason.isEmpty() ? defaultMessage(status) : reason;
        return ByteBuffer.wrap(Json.error(mapper, code(status), status, text, Map.of()));
    }

    private static String code(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 404 -> "no_route";
            case 408 -> "request_timeout";
            case 413 -> "body_too_large";
            case 414 -> "uri_too_long";
            case 426 -> "http_version_not_supported";
            case 431 -> "headers_too_large";
            case 505 -> "http_version_not_supported";
            default -> status >= 500 ? "server_error" : "bad_request";
        };
    }

    private static String defaultMessage(int status) {
        return switch (status) {
            case 400 -> "the request is malformed";
            case 414 -> "the request URI is too long";
            case 431 -> "the request headers are too large";
            default -> "request failed with status " + status;
        };
    }
}
