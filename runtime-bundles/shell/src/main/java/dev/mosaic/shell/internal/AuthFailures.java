package dev.mosaic.shell.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed authentications per remote address. An address reaching the limit within a
 * lock period is refused altogether (its requests are not even checked) until the period
 * has passed: guessing the token cannot go faster than that.
 */
final class AuthFailures {

    private static final int MAX_ADDRESSES = 10_000;

    private record Window(long startNanos, int failures) {
    }

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final int maxFailures;
    private final long lockNanos;

    AuthFailures(int maxFailures, long lockMillis) {
        this.maxFailures = maxFailures;
        this.lockNanos = lockMillis * 1_000_000;
    }

    void failed(String address) {
        long now = System.nanoTime();
        if (windows.size() >= MAX_ADDRESSES) {
            prune(now);
        }
        windows.compute(address, (a, w) -> w == null || now - w.startNanos() > lockNanos ? new Window(now, 1)
                : new Window(w.startNanos(), w.failures() + 1));
    }

    /** @return how long the address is still locked out, or 0 */
    long lockedForMillis(String address) {
        Window w = windows.get(address);
        if (w == null || w.failures() < maxFailures) {
            return 0;
        }
        long left = lockNanos - (System.nanoTime() - w.startNanos());
        if (left <= 0) {
            windows.remove(address, w);
            return 0;
        }
        return left / 1_000_000;
    }

    private void prune(long now) {
        for (Iterator<Map.Entry<String, Window>> i = windows.entrySet().iterator(); i.hasNext();) {
            if (now - i.next().getValue().startNanos() > lockNanos) {
                i.remove();
            }
        }
    }
}
