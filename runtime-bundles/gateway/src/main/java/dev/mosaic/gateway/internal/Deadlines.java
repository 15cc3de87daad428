package dev.mosaic.gateway.internal;

import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deadlines for calls and body reads, cheap enough for every request: no scheduled task per
 * request, no cancelling. One sweeper thread checks, every tick:
 * <ul>
 * <li>the calls running on threads: each thread that runs calls has a slot holding its
 * current call and when it is due, so starting and ending a call are two volatile writes,
 * and the sweeper reads one slot per thread, not one entry per call;</li>
 * <li>what waits without a thread (a body being read, a stage not yet complete): everything
 * watched with the same duration expires in the order it was watched, so each duration
 * has a lock-free FIFO queue whose settled heads are dropped and due heads expired.</li>
 * </ul>
 * Deadlines fire up to one tick late.
 */
final class Deadlines implements AutoCloseable {

    /** Something that may expire. */
    interface Watched {
        /** @return whether it ended by itself; then it is simply forgotten */
        boolean settled();

        /** Called once, when it has not settled by its deadline. */
        void expire();
    }

    private record Entry(long dueNanos, Watched watched) {
    }

    /** What one thread is running now. */
    static final class Slot {
        final Thread thread;
        volatile long dueNanos;
        volatile Watched current;

        Slot(Thread thread) {
            this.thread = thread;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Deadlines.class);

    private final Map<Long, Queue<Entry>> byDuration = new ConcurrentHashMap<>();
    private final Set<Slot> slots = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<Slot> slot = ThreadLocal.withInitial(() -> {
        Slot s = new Slot(Thread.currentThread());
        slots.add(s);
        return s;
    });
    private final long tickMillis;
    private final Thread sweeper;
    private volatile boolean running = true;

    Deadlines(long tickMillis) {
        this.tickMillis = tickMillis;
        this.sweeper = new Thread(this::sweep, "mosaic-deadlines");
        sweeper.setDaemon(true);
        sweeper.start();
    }

    /** Expires {@code watched} after {@code millis} unless it has settled by then. */
    void watch(Watched watched, long millis) {
        Queue<Entry> queue = byDuration.get(millis);
        if (queue == null) {
            queue = byDuration.computeIfAbsent(millis, d -> new ConcurrentLinkedQueue<>());
        }
        queue.offer(new Entry(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis), watched));
    }

    /** The current thread runs {@code watched} until {@link #exit}; it expires after {@code millis}. */
    Slot enter(Watched watched, long millis) {
        Slot s = slot.get();
        s.dueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        s.current = watched;
        return s;
    }

    void exit(Slot s) {
        s.current = null;
    }

    private void sweep() {
        while (running) {
            long now = System.nanoTime();
            for (Slot s : slots) {
                Watched w = s.current;
                if (w != null && now - s.dueNanos >= 0 && !w.settled()) {
                    expire(w);
                } else if (w == null && !s.thread.isAlive()) {
                    slots.remove(s);
                }
            }
            for (Queue<Entry> queue : byDuration.values()) {
                for (Entry head; (head = queue.peek()) != null;) {
                    if (head.watched().settled()) {
                        queue.poll();
                    } else if (now - head.dueNanos() >= 0) {
                        queue.poll();
                        expire(head.watched());
                    } else {
                        break;
                    }
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(tickMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void expire(Watched w) {
        try {
            w.expire();
        } catch (RuntimeException e) {
            LOG.error("expiring {} failed", w, e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sweeper.interrupt();
        sweeper.join(5_000);
    }
}
