package dev.mosaic.deployer.internal.fleet;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance on the store's revision: a thread that listens for the commits'
 * notifications (a hint: a listener that was disconnected missed some), re-reads the revision
 * log when one comes, when it (re)connects, and when its heartbeat finds the store ahead, and
 * reports the instance (group, address, applied revision, health) every heartbeat interval —
 * one statement, which also answers the store's last revision: an idle instance asks the
 * store one thing per interval. Catching up runs as a change of the runtime's own
 * ({@link CatchUp}), make-before-break like any.
 *
 * <p>When the store cannot be reached, the instance keeps serving what it applied last, says
 * since when it is stale ({@link #status}), and tries again every interval; it catches up when
 * the store is back.
 */
public final class FleetSync implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FleetSync.class);

    /** Applies the revisions after this instance's, under the change lock. */
    @FunctionalInterface
    public interface CatchUp {
        /** @return null when caught up, else why a revision could not be applied (it is tried again) */
        String run();
    }

    /** After a failure, the first attempt to reach the store again; each next one waits twice as long, up to 500 ms. */
    private static final long FIRST_RETRY_MILLIS = 100;
    private static final long MAX_RETRY_MILLIS = 500;


    private final PgStore store;
    private final String group;
    private final Supplier<String> address;
    private final LongSupplier applied;
    private final CatchUp catchUp;
    private final long intervalMillis;
    private final java.time.Duration forgetAfter;
    private final Object wake = new Object();
    private final Thread thread;
    /**
     * Applies on a thread of its own, so that a long apply (thousands of bundles, a slow activation) never holds the
     * heartbeat back: the instance stays live, at the revision it serves, while it applies the next.
     */
    private final java.util.concurrent.ExecutorService applier = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mosaic-fleet-apply");
        t.setDaemon(true);
        return t;
    });
    private final java.util.concurrent.atomic.AtomicBoolean applyAsked = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean closed;
    private volatile boolean wakeUp;
    private volatile String mgmtUrl;
    private volatile long unreachableSince;
    private volatile String unreachableWhy;
    private volatile String applyProblem;
    private volatile boolean ready;
    /** The store's last revision, as the last report answered. */
    private volatile long head;

    /**
     * @param forgetAfter an instance not heard of for that long is gone for good (its machine replaced): it leaves the
     *        fleet's listing (looked at when this instance starts, then hourly)
     */
    public FleetSync(PgStore store, String group, Supplier<String> address, LongSupplier applied, CatchUp catchUp,
            long intervalMillis, java.time.Duration forgetAfter) {
        this.forgetAfter = forgetAfter;
        this.store = store;
        this.group = group;
        this.address = address;
        this.applied = applied;
        this.catchUp = catchUp;
        this.intervalMillis = intervalMillis;
        this.thread = new Thread(this::run, "mosaic-fleet");
        this.thread.setDaemon(true);
    }

    /** Starts following the store: once this instance has restored what the store says, before it reports ready. */
    public void start() {
        ready = true;
        try {
            catchUpAndReport();
        } catch (IOException e) {
            unreachable(e);
        }
        thread.start();
    }

    /** Reports this instance now (after a change it committed, or as it starts). */
    public void report() {
        String problem = applyProblem;
        try {
            head = store.report(group, address.get(), mgmtUrl, applied.getAsLong(), health(problem), problem);
            reachable();
        } catch (IOException e) {
            unreachable(e);
        }
    }

    /** @return the health an instance reports: starting until it has restored, then ok, or failing with a problem */
    private String health(String problem) {
        return !ready ? "starting" : problem == null ? "ok" : "failing";
    }

    /** Reports the instance as starting, and where it is. */
    public void starting() throws IOException {
        store.started(group, address.get(), applied.getAsLong());
    }

    void announced(String url) {
        this.mgmtUrl = url;
        wake();
    }

    /** Makes the thread look at the store now. */
    public void wake() {
        synchronized (wake) {
            wakeUp = true;
            wake.notifyAll();
        }
    }

    private void run() {
        Connection listen = null;
        long nextBeat = 0;
        long retry = FIRST_RETRY_MILLIS;
        long nextForget = System.nanoTime();
        boolean pending = true;
        while (!closed) {
            try {
                if (listen == null) {
                    listen = store.connect();
                    try (Statement s = listen.createStatement()) {
                        s.execute("LISTEN " + PgStore.CHANNEL);
                    }
                    pending = true; // what was committed while not listening was not heard
                }
                if (pending || wakeUp) {
                    wakeUp = false;
                    pending = false;
                    requestCatchUp();
                }
                long now = System.nanoTime();
                if (now >= nextBeat) {
                    head = store.report(listen, group, address.get(), mgmtUrl, applied.getAsLong(), health(applyProblem),
                            applyProblem);
                    reachable();
                    nextBeat = now + TimeUnit.MILLISECONDS.toNanos(intervalMillis);
                    if (head > applied.getAsLong() || applyProblem != null) {
                        requestCatchUp();
                    }
                }
                if (System.nanoTime() - nextForget >= 0) {
                    int forgotten = store.forget(listen, forgetAfter);
                    if (forgotten > 0) {
                        LOG.info("forgot {} fleet instance(s) not heard of for {} s", forgotten, forgetAfter.toSeconds());
                    }
                    nextForget = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
                }
                int waitMillis = (int) Math.max(1, Math.min(250, TimeUnit.NANOSECONDS.toMillis(nextBeat - System.nanoTime())));
                PGNotification[] heard = listen.unwrap(PGConnection.class).getNotifications(waitMillis);
                if (heard != null && heard.length > 0) {
                    requestCatchUp();
                }
                retry = FIRST_RETRY_MILLIS;
            } catch (SQLException e) {
                unreachable(e);
                close(listen);
                listen = null;
                // soon at first (a store restarting is back in a moment), then twice a second: a connection refused
                // costs the store nothing, and an instance is back on it within half a second of its return
                pause(retry);
                retry = Math.min(retry * 2, Math.min(intervalMillis, MAX_RETRY_MILLIS));
            } catch (RuntimeException e) {
                LOG.error("following the fleet's store failed; trying again", e);
                pause(intervalMillis);
            }
        }
        close(listen);
    }

    /** Has the applier catch up, once more after the run in progress if there is one. */
    private void requestCatchUp() {
        if (applyAsked.compareAndSet(false, true)) {
            try {
                applier.execute(() -> {
                    applyAsked.set(false);
                    try {
                        catchUpAndReport();
                    } catch (IOException e) {
                        unreachable(e);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                applyAsked.set(false);
            }
        }
    }

    private void catchUpAndReport() throws IOException {
        long before = applied.getAsLong();
        String problem = catchUp.run();
        if (problem != null && !problem.equals(applyProblem)) {
            LOG.error("this instance could not apply the store's next revision (trying again every {} ms): {}",
                    intervalMillis, problem);
        } else if (problem == null && applyProblem != null) {
            LOG.info("this instance applied the revision it could not before; it is at revision {}", applied.getAsLong());
        }
        applyProblem = problem;
        if (applied.getAsLong() != before || problem != null) {
            head = store.report(group, address.get(), mgmtUrl, applied.getAsLong(), health(problem), problem);
        }
        reachable();
    }

    private void reachable() {
        if (unreachableSince != 0) {
            LOG.info("the fleet's store at {} is reachable again after {} ms", store.config().display(),
                    System.currentTimeMillis() - unreachableSince);
            unreachableSince = 0;
            unreachableWhy = null;
        }
    }

    private void unreachable(Exception e) {
        if (unreachableSince == 0) {
            unreachableSince = System.currentTimeMillis();
            unreachableWhy = e.getMessage();
            LOG.warn("the fleet's store at {} cannot be reached ({}); serving revision {} until it is back",
                    store.config().display(), e.getMessage(), applied.getAsLong());
        }
    }

    private void pause(long millis) {
        synchronized (wake) {
            if (!closed && !wakeUp) {
                try {
                    wake.wait(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closed = true;
                }
            }
        }
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // gone already
            }
        }
    }

    /** @return since when (epoch millis) the store has not been reachable, 0 when it is */
    long unreachableSince() {
        return unreachableSince;
    }

    String unreachableWhy() {
        return unreachableWhy;
    }

    String applyProblem() {
        return applyProblem;
    }

    /** @return the store's last revision, as of the last report (never behind what this instance applied) */
    long head() {
        return Math.max(head, applied.getAsLong());
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        wake();
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(10_000);
        }
        applier.shutdown(); // an apply in progress finishes (the change lock's owner sees the runtime closing)
        applier.awaitTermination(60, TimeUnit.SECONDS);
        try {
            store.report(group, address.get(), mgmtUrl, applied.getAsLong(), "stopped", null);
        } catch (IOException e) {
            // the store is away: the heartbeat ages out instead
        }
    }
}
