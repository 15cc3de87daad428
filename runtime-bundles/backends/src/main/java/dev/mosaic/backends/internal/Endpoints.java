package dev.mosaic.backends.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.mosaic.backends.BackendStats.UrlState;

/**
 * A backend's base URLs, taken in turn. One whose connection failed is skipped for a while (1 s,
 * doubling with each failure in a row, at most 30 s) and then tried again; an answer from it
 * ends its skipping. When every URL is skipped, the one whose skipping ends first is used.
 */
final class Endpoints {

    private static final long FIRST_SKIP_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_SKIP_NANOS = TimeUnit.SECONDS.toNanos(30);

    static final class Url {
        final String base;
        volatile long skippedUntil;
        volatile boolean skipped;
        final AtomicInteger failuresInARow = new AtomicInteger();

        Url(String base) {
            this.base = base;
        }
    }

    private final List<Url> urls = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    Endpoints(List<String> bases) {
        bases.forEach(b -> urls.add(new Url(b)));
    }

    Url pick() {
        long now = System.nanoTime();
        int n = urls.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        Url soonest = null;
        for (int i = 0; i < n; i++) {
            Url u = urls.get((start + i) % n);
            if (!u.skipped || now - u.skippedUntil >= 0) {
                return u;
            }
            if (soonest == null || u.skippedUntil - soonest.skippedUntil < 0) {
                soonest = u;
            }
        }
        return soonest;
    }

    void failed(Url u) {
        int inARow = u.failuresInARow.incrementAndGet();
        long skip = Math.min(MAX_SKIP_NANOS, FIRST_SKIP_NANOS << Math.min(5, inARow - 1));
        u.skippedUntil = System.nanoTime() + skip;
        u.skipped = urls.size() > 1;
    }

    void answered(Url u) {
        if (u.failuresInARow.get() != 0 || u.skipped) {
            u.failuresInARow.set(0);
            u.skipped = false;
        }
    }

    List<UrlState> states() {
        long now = System.nanoTime();
        List<UrlState> out = new ArrayList<>();
        for (Url u : urls) {
            boolean skipped = u.skipped && u.skippedUntil - now > 0;
            out.add(new UrlState(u.base, skipped, skipped
                    ? Instant.now().plusNanos(u.skippedUntil - now).toString() : null));
        }
        return out;
    }
}
