package dev.mosaic.gateway;

import java.util.List;

import dev.mosaic.backends.BackendTrace;

/**
 * One device request an adapter answered, as {@link Gateway#follow} hands it on.
 *
 * @param time when it was answered (epoch milliseconds)
 * @param environment where it was served
 * @param adapter the adapter that answered, and its version
 * @param method the request's method
 * @param path its path and query
 * @param status the status it was answered with
 * @param millis how long it took, from its handler's start to the answer written
 * @param requestId its {@code X-Request-Id}
 * @param calls the backend calls it made, in the order they ended
 * @since 2.3
 */
public record Served(long time, String environment, String adapter, String version, String method, String path, int status,
        double millis, String requestId, List<BackendTrace> calls) {
}
