package dev.mosaic.deployer.internal.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.mosaic.deployer.DeployException;

/**
 * Each change runs on a thread of its own that ends with it (so that what Felix leaves in a
 * thread's thread-locals goes with the thread); a change asked for inside another runs
 * inline; the outcome, value or failure, is the caller's.
 */
class ChangesTest {

    private final Changes changes = new Changes();

    @Test
    void aChangeRunsOnAThreadOfItsOwnThatEndsWithIt() throws Exception {
        AtomicReference<Thread> ran = new AtomicReference<>();
        AtomicReference<Thread> nested = new AtomicReference<>();
        String value = changes.run(() -> {
            ran.set(Thread.currentThread());
            return changes.run(() -> {
                nested.set(Thread.currentThread());
                return "done";
            });
        });
        assertEquals("done", value);
        assertNotSame(Thread.currentThread(), ran.get());
        assertSame(ran.get(), nested.get(), "a change within a change runs inline");
        ran.get().join(5_000);
        assertTrue(!ran.get().isAlive(), "the change's thread has ended");
    }

    @Test
    void failuresReachTheCaller() {
        DeployException refused = assertThrows(DeployException.class, () -> changes.run(() -> {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "no");
        }));
        assertEquals("no", refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> changes.run(() -> {
            throw new IllegalArgumentException("bug");
        }));
        assertEquals("still serving", assertDoesNotThrowValue());
    }

    private String assertDoesNotThrowValue() {
        try {
            return changes.run(() -> "still serving");
        } catch (DeployException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anInterruptedCallerStillWaitsForTheChangeToFinish() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                outcome.set(changes.run(() -> {
                    started.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return "finished";
                }));
                outcome.set(outcome.get() + (Thread.currentThread().isInterrupted() ? ", interrupt kept" : ""));
            } catch (DeployException e) {
                outcome.set(e);
            }
        });
        caller.start();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        caller.interrupt();
        caller.join(200); // an interrupted caller must not return before the change is done
        assertTrue(caller.isAlive(), "the caller waits for the change");
        release.countDown();
        caller.join(10_000);
        assertEquals("finished, interrupt kept", outcome.get());
    }
}
