package dev.mosaic.gateway.internal;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.api.BackendException;
import dev.mosaic.api.HttpException;
import dev.mosaic.gateway.Gateway;

/**
 * How what a device request came to is written to the device: an adapter's value (JSON, bytes, or a
 * {@link dev.mosaic.api.Response} with its status and headers), an adapter's failure (an {@link HttpException} as it
 * says; a failed backend call as 502, 503 or 504 naming the backend; anything else a 500 naming the request id, the
 * details in the runtime log), and the gateway's own refusals: every error a JSON body with a code, a message and the
 * request id. Each answer ending in 5xx is counted against its route.
 */
final class DeviceAnswers {

    /** The handler's logger: what these lines say is about the request the handler served. */
    private static final Logger LOG = LoggerFactory.getLogger(DeviceHandler.class);

    private final ObjectMapper mapper;

    /** @param mapper writes the gateway's own error bodies (an adapter's value is written with the adapter's mapper) */
    DeviceAnswers(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void write(Target target, Object result, RequestView view, Response response, Callback callback) {
        int status = 200;
        Object body = result;
        if (result instanceof dev.mosaic.api.Response r) {
            status = r.status();
            body = r.body();
            r.forEachHeader((name, value) -> {
                if (!isReserved(name)) {
                    response.getHeaders().add(name, value);
                }
            });
        } else if (result == null) {
            status = 204;
        }
        byte[] bytes;
        if (body == null) {
            bytes = null;
        } else if (body instanceof byte[] raw) {
            bytes = raw;
            if (!response.getHeaders().contains(HttpHeader.CONTENT_TYPE)) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
            }
        } else {
            try {
                bytes = target.tenant.mapper.writeValueAsBytes(body);
            } catch (JsonProcessingException | RuntimeException e) {
                target.failures.increment();
                LOG.error("adapter {} answered {} {} (request {}) with a value that cannot be written as JSON",
                        target.tenant, view.method(), view.path(), view.requestId(), e);
                response.getHeaders().remove(HttpHeader.CONTENT_TYPE);
                error(response, callback, 500, "response_not_serializable", "the answer of " + target.tenant + " to "
                        + view.method() + " " + view.path() + " cannot be written as JSON: " + jsonProblem(e),
                        view.requestId(), Map.of("adapter", target.tenant.adapter, "adapterVersion", target.tenant.version));
                return;
            }
            if (!response.getHeaders().contains(HttpHeader.CONTENT_TYPE)) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, Json.CONTENT_TYPE);
            }
        }
        if (status >= 500) {
            target.failures.increment();
        }
        response.setStatus(status);
        response.write(true, bytes == null ? null : ByteBuffer.wrap(bytes), callback);
    }

    void fail(Target target, Throwable failure, RequestView view, Response response, Callback callback) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof HttpException http) {
            if (http.status() >= 500) {
                target.failures.increment();
            }
            error(response, callback, http.status(), "adapter_error", String.valueOf(http.getMessage()),
                    view.requestId(), Map.of());
            return;
        }
        target.failures.increment();
        Tenant tenant = target.tenant;
        if (cause instanceof BackendException b) {
            int status = switch (b.reason()) {
                case DEADLINE -> 504;
                case BREAKER_OPEN, SATURATED, MISCONFIGURED -> 503;
                default -> 502;
            };
            if (status == 503) {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            }
            LOG.warn("adapter {} {} answered {} {} in environment {} (request {}) with a failed backend call: {}",
                    tenant.adapter, tenant.version, view.method(), view.path(), view.environment(), view.requestId(),
                    b.getMessage());
            error(response, callback, status, "backend_" + b.reason().toString().toLowerCase(java.util.Locale.ROOT),
                    String.valueOf(b.getMessage()), view.requestId(), Map.of("adapter", tenant.adapter, "adapterVersion",
                            tenant.version, "backend", String.valueOf(b.backend())));
            return;
        }
        LOG.error("adapter {} {} failed on {} {} in environment {} (request {})", tenant.adapter, tenant.version,
                view.method(), view.path(), view.environment(), view.requestId(), cause);
        error(response, callback, 500, "adapter_failed", tenant + " failed to answer " + view.method() + " " + view.path()
                + "; the runtime log has the details under request id " + view.requestId(), view.requestId(),
                Map.of("adapter", tenant.adapter, "adapterVersion", tenant.version));
    }

    void error(Response response, Callback callback, int status, String code, String message, String requestId,
            Map<String, Object> extra) {
        Map<String, Object> all = new LinkedHashMap<>(extra);
        all.put("requestId", requestId);
        byte[] bytes = Json.error(mapper, code, status, message, all);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Json.CONTENT_TYPE);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private static boolean isReserved(String header) {
        return header.equalsIgnoreCase("Content-Length") || header.equalsIgnoreCase("Transfer-Encoding")
                || header.equalsIgnoreCase(Gateway.REQUEST_ID_HEADER);
    }

    private static String jsonProblem(Exception e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : String.valueOf(e.getMessage());
    }

}
