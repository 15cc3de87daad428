package dev.mosaic.deployer.internal.flow;

import java.util.concurrent.locks.ReentrantLock;

import dev.mosaic.deployer.DeployException;

/**
 * Serialises changes: every operation runs its check, plan and execution here, one at a
 * time, in the order asked (a fair lock), and none starts once the runtime is closing.
 */
public final class Changes {

    /** The body of a change, run under the lock. */
    @FunctionalInterface
    public interface Body<T> {
        T run() throws DeployException;
    }

    private final ReentrantLock lock = new ReentrantLock(true);
    private volatile boolean closing;

    /** @return what the body returns, run with every other change held off */
    public <T> T run(Body<T> body) throws DeployException {
        lock.lock();
        try {
            if (closing) {
                throw new DeployException(DeployException.INTERNAL, "the runtime is shutting down; try again after it restarts");
            }
            return body.run();
        } finally {
            lock.unlock();
        }
    }

    /** Runs work of the runtime's own (restore, expiry) under the lock; nothing if closing. */
    public void runInternal(Runnable work) {
        lock.lock();
        try {
            if (!closing) {
                work.run();
            }
        } finally {
            lock.unlock();
        }
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
