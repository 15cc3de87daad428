package dev.mosaic.gateway.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A thread that once set thread-locals which are gone now (as Felix leaves one per bundle
 * wiring on a thread that loads a class through it) keeps their values until its map sweeps
 * them out; {@link DeviceThreads#sweepStaleThreadLocals} makes it. Seen from outside through
 * the values: a value still held by a stale entry survives a GC, one swept out does not.
 */
class DeviceThreadsTest {

    @Test
    void aSweepDropsTheValuesOfThreadLocalsThatAreGoneAndKeepsTheOthers() throws Exception {
        assertEquals(List.of(400, 0), onAFreshThread(() -> {
            ThreadLocal<Object> kept = new ThreadLocal<>();
            Object keptValue = new Object();
            kept.set(keptValue);
            List<WeakReference<Object>> values = leaveStaleEntries(400);
            int before = alive(values);
            DeviceThreads.sweepStaleThreadLocals();
            int after = alive(values);
            assertTrue(kept.get() == keptValue, "a live thread-local keeps its value");
            return List.of(before, after);
        }));
    }

    @Test
    void withoutASweepTheValuesStay() throws Exception {
        assertEquals(400, (int) onAFreshThread(() -> alive(leaveStaleEntries(400))));
    }

    /**
     * Sets {@code n} thread-locals on this thread and lets them go; waits until a GC has taken
     * every one of them (their entries are stale now).
     *
     * @return weak references to their values
     */
    private static List<WeakReference<Object>> leaveStaleEntries(int n) throws InterruptedException {
        List<WeakReference<Object>> values = new ArrayList<>();
        List<WeakReference<ThreadLocal<Object>>> locals = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ThreadLocal<Object> t = new ThreadLocal<>();
            Object value = new Object();
            t.set(value);
            values.add(new WeakReference<>(value));
            locals.add(new WeakReference<>(t));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (locals.stream().anyMatch(w -> w.get() != null)) {
            assertTrue(System.nanoTime() < deadline, "the thread-locals were not collected");
            System.gc();
            Thread.sleep(10);
        }
        return values;
    }

    /** @return how many of the values survive a few full GCs */
    private static int alive(List<WeakReference<Object>> values) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }
        return (int) values.stream().filter(w -> w.get() != null).count();
    }

    @FunctionalInterface
    private interface Work<T> {
        T run() throws Exception;
    }

    /** Runs on a new thread, whose thread-local map starts empty. */
    private static <T> T onAFreshThread(Work<T> work) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(work.run());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        t.start();
        return result.get(60, TimeUnit.SECONDS);
    }
}
