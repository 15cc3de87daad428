package dev.mosaic.api;

/**
 * Ends a request with an HTTP error the caller should see, such as {@code 404} for a title
 * that does not exist or {@code 400} for a bad parameter.
 *
 * <pre>{@code
 * Title title = catalog.find(id);
 * if (title == null) {
 *     throw new HttpException(404, "no title " + id);
 * }
 * }</pre>
 *
 * <p>The gateway answers with the status and a JSON body
 * {@code {"error":"adapter_error","status":404,"message":"no title 42","requestId":"..."}}. Any
 * other exception is a bug in the adapter and answers {@code 500}.
 */
public class HttpException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    /**
     * @param status an HTTP status from 400 to 599
     * @param message what went wrong, shown to the caller
     * @throws IllegalArgumentException if the status is not an error status
     */
    public HttpException(int status, String message) {
        super(message);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("HttpException needs a status from 400 to 599, got " + status);
        }
        this.status = status;
    }

    /** @return the HTTP status the caller gets */
    public int status() {
        return status;
    }
}
