package dev.mosaic.deployer.internal.flow;

import java.util.concurrent.locks.ReentrantLock;

import dev.mosaic.deployer.DeployException;

/**
 * Serialises changes: every operation runs its check, plan and execution here, one at a
 * time, in the order asked (a fair lock), and none starts once the runtime is closing.
 *
 * <p>Each change runs on a thread of its own, started for it and ended with it (a change
 * asked for inside another runs inline). Felix keeps a thread-local per bundle wiring and per
 * service registration (its class-loading cycle check and its service-factory loop detection),
 * set on whichever thread loads a new bundle's classes or gets its services, and never
 * removes them: on a thread that lives on (a management thread, the console's), every change
 * left an entry behind that only a later clean-up of that thread's map would drop — 2,000
 * of them after 1,000 swaps. A thread that ends takes its entries with it, for a tenth of a
 * millisecond per change.
 */
public final class Changes {

    /** The body of a change, run under the lock. */
    @FunctionalInterface
    public interface Body<T> {
        T run() throws DeployException;
    }

    private final ReentrantLock lock = new ReentrantLock(true);
    /** Run before every change, under the lock (a fleet instance first applies what others committed); may be null. */
    private volatile Body<Void> before;
    private volatile boolean closing;
    /** The thread running the change in progress, if any. */
    private volatile Thread running;

    /** @return what the body returns, run with every other change held off */
    public <T> T run(Body<T> body) throws DeployException {
        if (Thread.currentThread() == running) {
            return body.run(); // a change within a change
        }
        lock.lock();
        try {
            if (closing) {
                throw new DeployException(DeployException.INTERNAL, "the runtime is shutting down; try again after it restarts");
            }
            Body<Void> first = before;
            return onItsOwnThread(first == null ? body : () -> {
                first.run();
                return body.run();
            });
        } finally {
            lock.unlock();
        }
    }

    /** Has every change first run {@code first}, under the lock, on the change's thread; a refusal refuses the change. */
    public void beforeEach(Body<Void> first) {
        this.before = first;
    }

    /**
     * Runs work of the runtime's own that changes what is recorded (expiry) under the lock, after
     * what every change runs first ({@link #beforeEach}); nothing if that refuses (a fleet's store
     * is away: the work waits for its next turn) or if closing.
     */
    public void runInternalChange(Runnable work) {
        runInternal(() -> {
            Body<Void> first = before;
            if (first != null) {
                try {
                    first.run();
                } catch (DeployException e) {
                    return;
                }
            }
            work.run();
        });
    }

    /** Runs work of the runtime's own (restore, expiry) under the lock; nothing if closing. */
    public void runInternal(Runnable work) {
        if (Thread.currentThread() == running) {
            work.run();
            return;
        }
        lock.lock();
        try {
            if (!closing) {
                onItsOwnThread(() -> {
                    work.run();
                    return null;
                });
            }
        } catch (DeployException e) {
            throw new IllegalStateException(e); // cannot happen: the work throws no DeployException
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs the body on a new thread and waits for it, however long, even if this thread is
     * interrupted meanwhile (a change is never left half done); its outcome is this thread's.
     */
    private <T> T onItsOwnThread(Body<T> body) throws DeployException {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                result[0] = body.run();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "mosaic-change");
        t.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        running = t;
        boolean interrupted = false;
        try {
            t.start();
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            running = null;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        Throwable f = failure[0];
        if (f instanceof DeployException d) {
            throw d;
        } else if (f instanceof RuntimeException r) {
            throw r;
        } else if (f instanceof Error e) {
            throw e;
        } else if (f != null) {
            throw new IllegalStateException(f);
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    /** No change starts from now on. */
    public void close() {
        closing = true;
    }

    public boolean closing() {
        return closing;
    }

    /** Waits for the change in progress, if any, then runs {@code last} with changes held off. */
    public void lastly(Runnable last) {
        lock.lock();
        try {
            last.run();
        } finally {
            lock.unlock();
        }
    }
}
