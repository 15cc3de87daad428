package dev.mosaic.gateway.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The threads of device traffic: Jetty's pool for the device server, and the pool adapters'
 * blocking calls run on. Two things a plain pool does not do:
 *
 * <ul>
 * <li>A connection that Jetty hands to the pool to run its read loop again (it resumes
 * reading once a request completes on another thread) goes through its endpoint's
 * {@link DeviceEndPoint#serially}, like a read from the selector: the read loop of a device
 * connection never runs on two threads at once.
 * <li><b>Thread-locals left by changes are dropped.</b> Felix keeps a thread-local per
 * bundle wiring (its class-loading cycle check), set on whichever thread first loads a class
 * through the wiring and never removed: the first requests to a new adapter version leave one
 * on the thread that served them. Once the wiring is gone the entry is stale, but a thread's
 * map drops stale entries only while it sets new thread-locals, which a device thread rarely
 * does: after 400 swaps one device thread held 399 of them. So while the routes change
 * ({@link #routesChanged}) and for 30 s after (an entry goes stale only once a GC has taken
 * the old wiring), each thread that runs device work ({@link #sweepIfDue}: between two jobs,
 * and before each request the device handler serves, which also covers a selector thread
 * that runs requests inline without ever finishing its job) sets and removes a few
 * thread-locals of its own at most once a second, which makes its map sweep out the stale
 * entries: a tenth of a millisecond with hundreds to drop, a microsecond otherwise. A thread
 * that sweeps also hands, at most once a second for all, an empty job to each idle thread of
 * these pools, so that threads the traffic does not reach just then sweep too.
 * </ul>
 */
final class DeviceThreads extends QueuedThreadPool {

    private static final long SWEEP_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long SWEEP_FOR_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int SWEEPERS = 16;
    /** Bumped whenever the routes change (adapters come and go). */
    private static volatile long routeChanges;
    private static volatile long lastChangeNanos;
    /** Per thread: the route changes it is done sweeping after, and when it last swept. */
    /** Wakes an idle thread: running it, the thread sweeps if due. */
    private static final Runnable WAKE = () -> {
    };
    private static final Set<DeviceThreads> POOLS = ConcurrentHashMap.newKeySet();
    private static final AtomicLong LAST_WAKE = new AtomicLong(System.nanoTime());
    private static final ThreadLocal<long[]> SWEPT = ThreadLocal.withInitial(() -> new long[] { routeChanges, System.nanoTime() });

    DeviceThreads(int maxThreads, int minThreads, int idleTimeoutMillis) {
        super(maxThreads, minThreads, idleTimeoutMillis);
    }

    DeviceThreads(int maxThreads, int minThreads) {
        super(maxThreads, minThreads);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        POOLS.add(this);
    }

    @Override
    protected void doStop() throws Exception {
        POOLS.remove(this);
        super.doStop();
    }

    /** Adapters came or went: the threads that ran their code sweep their thread-locals soon. */
    static void routesChanged() {
        lastChangeNanos = System.nanoTime();
        routeChanges++;
    }

    @Override
    public void execute(Runnable job) {
        if (job instanceof Connection connection && connection.getEndPoint() instanceof DeviceEndPoint device) {
            super.execute(() -> device.serially(job));
        } else {
            super.execute(job);
        }
    }

    @Override
    protected void runJob(Runnable job) {
        try {
            super.runJob(job);
        } finally {
            sweepIfDue();
        }
    }

    /**
     * Sweeps this thread's stale thread-locals if the routes changed less than 30 s ago (or
     * since this thread last looked) and it last swept a second ago or more. Costs a
     * thread-local read and a volatile read when the routes have been quiet.
     */
    static void sweepIfDue() {
        long changes = routeChanges;
        long[] swept = SWEPT.get();
        if (swept[0] != changes) {
            long now = System.nanoTime();
            if (now - swept[1] >= SWEEP_EVERY_NANOS) {
                swept[1] = now;
                sweepStaleThreadLocals();
                wakeIdleThreads(now);
                if (now - lastChangeNanos > SWEEP_FOR_NANOS) {
                    swept[0] = changes; // quiet long enough: what the changes left has gone stale and been swept
                }
            }
        }
    }

    /** At most once a second for all pools: an empty job for each idle thread, which then sweeps if due. */
    private static void wakeIdleThreads(long now) {
        long last = LAST_WAKE.get();
        if (now - last < SWEEP_EVERY_NANOS || !LAST_WAKE.compareAndSet(last, now)) {
            return;
        }
        for (DeviceThreads pool : POOLS) {
            for (int i = pool.getIdleThreads(); i > 0; i--) {
                pool.execute(WAKE);
            }
        }
    }

    /**
     * Makes this thread's thread-local map drop its stale entries (whose thread-local is gone):
     * setting a new thread-local sweeps slots after it, and any stale one found widens the
     * sweep to the whole table; removing it sweeps its run again.
     */
    static void sweepStaleThreadLocals() {
        ThreadLocal<?>[] sweepers = new ThreadLocal<?>[SWEEPERS];
        for (int i = 0; i < SWEEPERS; i++) {
            ThreadLocal<Boolean> t = new ThreadLocal<>();
            t.set(Boolean.TRUE);
            sweepers[i] = t;
        }
        for (ThreadLocal<?> t : sweepers) {
            t.remove();
        }
    }
}
