package dev.mosaic.gateway.internal;

import java.util.concurrent.Semaphore;
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
    final Semaphore permits;
    final ObjectMapper mapper;
    /** Calls whose handler has not finished yet (draining waits for zero). */
    final LongAdder inFlight = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder rejected = new LongAdder();
    /** Inline (non-blocking) calls that took longer than the budget. */
    final java.util.concurrent.atomic.AtomicInteger slowInlineCalls = new java.util.concurrent.atomic.AtomicInteger();
    /** Set once its non-blocking handlers were caught blocking: they run on the pool from then on. */
    volatile boolean demoted;

    Tenant(long bundleId, String adapter, String version, long timeoutMillis, int concurrency) {
        this.bundleId = bundleId;
        this.adapter = adapter;
        this.version = version;
        this.timeoutMillis = timeoutMillis;
        this.concurrency = concurrency;
        this.permits = new Semaphore(concurrency);
        this.mapper = new ObjectMapper().setTypeFactory(TypeFactory.defaultInstance().withCache(new LRUMap<>(16, 200)));
    }

    @Override
    public String toString() {
        return adapter + " " + version;
    }
}
