package dev.mosaic.backends;

/**
 * One backend call of a traced device request, as it ended.
 *
 * @param backend the backend's name
 * @param method the HTTP method
 * @param target the path and query sent
 * @param status the status of the answer it ended with, 0 if none came
 * @param outcome {@code ok} for an answer below 500, {@code error} for a 5xx, else the reason it failed
 *        ({@code deadline}, {@code connection}, {@code breaker_open}, ... as {@link dev.mosaic.api.BackendException.Reason}, lower case)
 * @param startMillis when it was sent, in milliseconds after the trace began
 * @param millis how long it took, retries included
 * @param attempts how many times it was sent (1, or more after retries)
 * @since 1.1
 */
public record BackendTrace(String backend, String method, String target, int status, String outcome, double startMillis,
        double millis, int attempts) {
}
