package dev.mosaic.gateway.internal;

import java.util.Set;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.databind.util.LRUMap;

/**
 * One adapter bundle as the gateway runs it: its limits, its bulkhead, its own JSON mapper
 * and its counters. Shared by all the handlers of the bundle.
 *
 * <p>The mapper is the bundle's own, with a type cache of its own, so that what jackson
 * caches about the adapter's classes goes away with the bundle instead of keeping its
 * class loader alive in a platform-wide cache.
 */
final class Tenant {

    final long bundleId;
    final String adapter;
    final String version;
    /** How long a call may take before the caller gets a 504. */
    final long timeoutMillis;
    /** How many calls may run at once; more get a fast 503. */
    final int concurrency;
    final ObjectMapper mapper;
    /** The backends its manifest names ({@code Mosaic-Backends}): the only ones its calls may reach. */
    final Set<String> backends;
    /**
     * Requests holding a place in the bulkhead: from the moment they are routed here (a body
     * may still be on its way) until the handler is done with them. Draining waits for zero,
     * so a request still reading its body when its version is replaced is waited for too.
     */
    private final AtomicInteger active = new AtomicInteger();
    final LongAdder timeouts = new LongAdder();
    final LongAdder rejected = new LongAdder();
    /** Inline (non-blocking) calls in a row that took longer than the budget (calls slow at the same time count once). */
    final AtomicInteger slowInlineCalls = new AtomicInteger();
    /** When the last slow inline call that counted ended (System.nanoTime). */
    final java.util.concurrent.atomic.AtomicLong lastSlowInlineEnd = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
    /** The shared-module versions it is wired to ({@code name version}, comma-separated), for the access log. */
    volatile String modules = "";

    /** Set once its non-blocking handlers were caught blocking: they run on the pool from then on. */
    volatile boolean demoted;

    Tenant(long bundleId, String adapter, String version, long timeoutMillis, int concurrency) {
        this(bundleId, adapter, version, timeoutMillis, concurrency, Set.of());
    }

    Tenant(long bundleId, String adapter, String version, long timeoutMillis, int concurrency, Set<String> backends) {
        this.backends = Set.copyOf(backends);
        this.bundleId = bundleId;
        this.adapter = adapter;
        this.version = version;
        this.timeoutMillis = timeoutMillis;
        this.concurrency = concurrency;
        this.mapper = new ObjectMapper().setTypeFactory(TypeFactory.defaultInstance().withCache(new LRUMap<>(16, 200)));
    }

    /**
     * Takes a place in the bulkhead if one is free: one atomic add, and one more to give it
     * back when there was none. Never more than {@link #concurrency} requests hold a place;
     * under saturation a request may be turned away while another is giving its place back.
     *
     * @return whether the request has a place, which it then gives back with {@link #leave}
     */
    /** @return the requests it is answering now */
    long inFlight() {
        return active.get();
    }

    boolean tryEnter() {
        if (active.incrementAndGet() <= concurrency) {
            return true;
        }
        active.decrementAndGet();
        return false;
    }

    void leave() {
        active.decrementAndGet();
    }

    /** @return how many requests hold a place now */
    int active() {
        return active.get();
    }

    @Override
    public String toString() {
        return adapter + " " + version;
    }
}
