package dev.mosaic.backends.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.mosaic.api.BackendException;
import dev.mosaic.backends.BackendTrace;

/**
 * The backend calls of a request a developer or an operator traces ({@code X-Mosaic-Trace}, a follower), kept as they
 * end, for {@code Server-Timing} and {@code bin/mosaic call}.
 */
final class CallTrace {

    private final long start = System.nanoTime();
    /** Guarded by this. */
    private final List<BackendTrace> calls = new ArrayList<>(4);

    /**
     * Keeps how a call ended: with an answer, or failed.
     *
     * @param callStart when the call was made ({@link System#nanoTime()})
     * @param attempts how many times it was sent (0: never)
     */
    void ended(String backend, String method, String target, long callStart, int attempts, Answer a, Throwable e) {
        long now = System.nanoTime();
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        int status = a != null ? a.status() : cause instanceof BackendException b ? b.status() : 0;
        String outcome = a != null ? (a.status() >= 500 ? "error" : "ok")
                : cause instanceof BackendException b ? b.reason().name().toLowerCase(Locale.ROOT) : "failed";
        synchronized (this) {
            calls.add(new BackendTrace(backend, method, target, status, outcome, (callStart - start) / 1e6,
                    (now - callStart) / 1e6, attempts));
        }
    }

    /** @return the calls that have ended, in the order they ended */
    synchronized List<BackendTrace> calls() {
        return List.copyOf(calls);
    }
}
