package dev.mosaic.api;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One call to a {@link Backend}, being built; sent by {@link #as(Class)}, {@link #bytes()} or
 * {@link #send()}. Not thread-safe, and sent at most once.
 *
 * <p>The call's deadline is the smallest of the backend's timeout, what is left of the device
 * request's deadline, and {@link #timeout(Duration)}: a call never outlives its request. Within
 * it, a GET, HEAD, PUT, DELETE or OPTIONS that fails to connect, or answers 502, 503 or 504, is
 * tried again after a jittered exponential backoff, on the next base URL, as long as the
 * backend's retry budget allows. While the backend's circuit breaker is open, or as many calls
 * as it allows are in flight, a call fails at once. Two identical GETs (same backend, URL and
 * headers) made while serving one device request go out once and share the answer.
 *
 * @since 1.1
 */
@ProviderType
public interface BackendCall {

    /** Adds a request header. Headers the platform sets (the backend's own, tracing) cannot be replaced. */
    BackendCall header(String name, String value);

    /** Adds a query parameter, percent-encoded. */
    BackendCall query(String name, String value);

    /** Sends this value as the JSON body ({@code Content-Type: application/json}). */
    BackendCall json(Object body);

    /** Sends these bytes as the body. */
    BackendCall body(byte[] body, String contentType);

    /**
     * Shortens this call's deadline (it can only be shortened: the backend's timeout and the
     * request's deadline still bound it).
     */
    BackendCall timeout(Duration timeout);

    /**
     * Sends the call and reads a 2xx answer's JSON body into {@code type}, with the adapter's
     * own classes. Completes exceptionally with a {@link BackendException} if the call fails,
     * answers another status, or answers something that is not JSON of that shape.
     */
    <T> CompletionStage<T> as(Class<T> type);

    /** Sends the call and completes with a 2xx answer's body; other statuses fail as for {@link #as}. */
    CompletionStage<byte[]> bytes();

    /**
     * Sends the call and completes with the answer whatever its status. Completes exceptionally
     * with a {@link BackendException} only when there is no answer (deadline, connection,
     * breaker open, concurrency limit, answer over the size limit).
     */
    CompletionStage<BackendResponse> send();
}
