package dev.mosaic.api;

/**
 * Why a backend call gave no usable answer. A stage from {@link BackendCall} completes
 * exceptionally with it; an adapter may handle it (leave a row out) or let it through, and then
 * the device gets {@code 504} for a {@link Reason#DEADLINE}, {@code 503} for
 * {@link Reason#BREAKER_OPEN}, {@link Reason#SATURATED} and {@link Reason#MISCONFIGURED}, {@code 502} for
 * the others, with a
 * JSON error naming the backend. Messages never carry a header's value.
 *
 * @since 1.1
 */
public class BackendException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** The adapter did not name the backend in {@code Mosaic-Backends}, or its environment does not declare it. */
        UNDECLARED,
        /** No answer within the call's deadline. */
        DEADLINE,
        /** The backend's circuit breaker is open: it failed too often lately, so calls fail fast for a while. */
        BREAKER_OPEN,
        /** As many calls to the backend as its policy allows are already in flight. */
        SATURATED,
        /** The connection failed or was reset before a whole answer came. */
        CONNECTION,
        /** The backend answered a status other than 2xx where one was required. */
        STATUS,
        /** The answer was larger than the backend's limit. */
        TOO_LARGE,
        /** The answer was not JSON (by its content type), or not JSON of the requested shape. */
        INVALID_JSON,
        /** The backend's declaration cannot be used on this runtime: a secret or a store it names cannot be read. */
        MISCONFIGURED
    }

    private final String backend;
    private final Reason reason;
    private final int status;

    /**
     * @param backend the backend's name
     * @param reason what went wrong
     * @param status the HTTP status the backend answered, or 0 if it gave none
     * @param message what happened, for the log and the caller
     * @param cause the underlying failure, or {@code null}
     */
    public BackendException(String backend, Reason reason, int status, String message, Throwable cause) {
        super(message, cause);
        this.backend = backend;
        this.reason = reason;
        this.status = status;
    }

    /** @return the backend's name */
    public String backend() {
        return backend;
    }

    /** @return what went wrong */
    public Reason reason() {
        return reason;
    }

    /** @return the status the backend answered, or 0 if it gave none */
    public int status() {
        return status;
    }
}
