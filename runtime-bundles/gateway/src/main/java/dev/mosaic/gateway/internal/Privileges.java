package dev.mosaic.gateway.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.eclipse.jetty.server.Request;

import dev.mosaic.gateway.Gateway;

/**
 * What a device request may ask of the gateway beyond its answer: a trace of its backend calls
 * ({@link Gateway#TRACE_HEADER}) and a version of the adapter of its choosing ({@link Gateway#VERSION_HEADER}).
 * Outside {@code prod} anyone may; in {@code prod} only a request carrying the runtime's trace key
 * ({@code mosaic.trace.key}, which the management API's {@code call} sends), compared in constant time.
 */
final class Privileges {

    private final byte[] traceKey;

    /** @param traceKey the runtime's trace key, or null for none */
    Privileges(String traceKey) {
        this.traceKey = traceKey == null ? null : traceKey.getBytes(StandardCharsets.UTF_8);
    }

    /** @return whether the request is traced: {@code X-Mosaic-Trace: 1} outside prod, or the trace key anywhere */
    boolean traced(Request request, String env) {
        String asked = request.getHeaders().get(Gateway.TRACE_HEADER);
        if (asked == null) {
            return false;
        }
        return keyed(asked) || asked.equals("1") && !Gateway.DEFAULT_ENVIRONMENT.equals(env);
    }

    /** @return the version the request names, where it may name one: outside prod, or with the trace key; else null */
    String versionAsked(Request request, String env) {
        String asked = request.getHeaders().get(Gateway.VERSION_HEADER);
        if (asked == null || !Gateway.DEFAULT_ENVIRONMENT.equals(env)) {
            return asked;
        }
        return keyed(request.getHeaders().get(Gateway.TRACE_HEADER)) ? asked : null;
    }

    private boolean keyed(String presented) {
        return traceKey != null && presented != null
                && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), traceKey);
    }
}
