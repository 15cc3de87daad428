package dev.mosaic.tracing.internal;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;

/**
 * Whether a trace is kept: one that starts here (after the share asked for), or one a caller's {@code traceparent} says it
 * sampled (the runtime is the edge: a device must not get every one of its requests recorded by saying so). Kept: a
 * request that asked to be traced ({@code X-Mosaic-Trace}, the trace key: the gateway says so with {@link #ASKED} on its
 * span), always; any other, if the share keeps it and, when there is a cap, at most that number a second: under light
 * traffic (a developer, a test, a quiet hour) every one, under heavy traffic a steady trickle spread over each second, so a
 * runtime serving 50,000 requests a second neither records a span for each nor floods its collector. The cap is a token
 * bucket holding a second's worth of traces (GCRA: a clock read and an atomic read for a trace refused, a compare-and-set
 * for one kept); traces that start here and those a caller sampled each have a bucket of their own.
 */
final class CappedSampler implements Sampler {

    /** On the span of a request that asked to be traced; the same name as the gateway's. */
    static final AttributeKey<Boolean> ASKED = AttributeKey.booleanKey("mosaic.trace.asked");

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final Sampler share;
    private final int perSecond;
    private final long interval;
    private final LongSupplier nanoTime;
    /** The theoretical time of the next trace kept: the bucket holds (now - full) / interval traces, at most a second's. */
    private final AtomicLong full;

    /**
     * @param share which traces are kept before the cap (a ratio of trace ids)
     * @param perSecond the most traces kept a second, 0 for no cap; after a quiet second as many may be kept at once
     * @param nanoTime the clock ({@link System#nanoTime} but in tests)
     */
    CappedSampler(Sampler share, int perSecond, LongSupplier nanoTime) {
        if (perSecond < 0) {
            throw new IllegalArgumentException("a cap of at least one trace a second, or 0 for none; got " + perSecond);
        }
        this.share = share;
        this.perSecond = perSecond;
        this.interval = perSecond == 0 ? 0 : SECOND / perSecond;
        this.nanoTime = nanoTime;
        this.full = new AtomicLong(nanoTime.getAsLong() - SECOND);
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
            Attributes attributes, List<LinkData> parentLinks) {
        if (Boolean.TRUE.equals(attributes.get(ASKED))) {
            return SamplingResult.recordAndSample();
        }
        SamplingResult r = share.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
        if (perSecond == 0 || r.getDecision() == SamplingDecision.DROP || take()) {
            return r;
        }
        return SamplingResult.drop();
    }

    /** @return whether the bucket had a trace left, taking it */
    boolean take() {
        long now = nanoTime.getAsLong();
        for (;;) {
            long at = full.get();
            long next = Math.max(at, now - SECOND) + interval;
            if (next - now > 0) {
                return false; // a second's worth of traces was kept in the last second
            }
            if (full.compareAndSet(at, next)) {
                return true;
            }
        }
    }

    @Override
    public String getDescription() {
        return "Capped{" + (perSecond == 0 ? "" : perSecond + "/s,") + share.getDescription() + "}";
    }

    @Override
    public String toString() {
        return getDescription();
    }
}
