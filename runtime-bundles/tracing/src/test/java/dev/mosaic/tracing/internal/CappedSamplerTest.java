package dev.mosaic.tracing.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;

class CappedSamplerTest {

    private static final long MS = 1_000_000L;

    private final AtomicLong clock = new AtomicLong(123_456_789_000L);

    private static boolean kept(Sampler s, String traceId) {
        return s.shouldSample(Context.root(), traceId, "GET /x", SpanKind.SERVER, Attributes.empty(), List.of())
                .getDecision() == SamplingDecision.RECORD_AND_SAMPLE;
    }

    private static int keptOf(Sampler s, int traces) {
        java.util.Random ids = new java.util.Random(traces); // the ratio sampler reads the id's random low half
        int kept = 0;
        for (int i = 0; i < traces; i++) {
            kept += kept(s, String.format("%016x%016x", i + 1, ids.nextLong())) ? 1 : 0;
        }
        return kept;
    }

    @Test
    void aQuietRuntimeKeepsEveryTraceAndABusyOneItsNumberASecondSpreadOverTheSecond() {
        CappedSampler s = new CappedSampler(Sampler.alwaysOn(), 10, clock::get);
        assertEquals(10, keptOf(s, 1000), "a second's worth at once after a quiet time, then none");
        clock.addAndGet(50 * MS);
        assertEquals(0, keptOf(s, 1000), "a twentieth of a second later: half a trace's worth, none yet");
        clock.addAndGet(50 * MS);
        assertEquals(1, keptOf(s, 1000), "a tenth of a second: one more");
        // under steady heavy load, ten a second, one every 100 ms
        int kept = 0;
        for (int ms = 0; ms < 5000; ms++) {
            clock.addAndGet(MS);
            kept += keptOf(s, 50);
        }
        assertEquals(50, kept, "5 s of 50 traces a millisecond: ten a second kept");
        // quiet again: a trace now and then is always kept
        for (int i = 0; i < 20; i++) {
            clock.addAndGet(250 * MS);
            assertTrue(kept(s, "0af7651916cd43dd8448eb211c80319c"));
        }
        clock.addAndGet(10_000 * MS);
        assertEquals(10, keptOf(s, 100), "a long quiet time does not save up more than a second's worth");
    }

    @Test
    void onlyTracesTheShareKeepsAreCountedAndTheCapKeepsItsDescription() {
        // a share that keeps nothing never uses the bucket up
        CappedSampler none = new CappedSampler(Sampler.alwaysOff(), 5, clock::get);
        assertEquals(0, keptOf(none, 100));
        CappedSampler half = new CappedSampler(Sampler.traceIdRatioBased(0.5), 1000, clock::get);
        int kept = keptOf(half, 1000);
        assertTrue(kept > 400 && kept < 600, "about half of 1000 trace ids, under the cap: " + kept);
        assertEquals("Capped{5/s,AlwaysOffSampler}", none.getDescription());
    }

    @Test
    void aRequestThatAskedToBeTracedIsKeptWhateverTheShareAndTheCapAndOthersAreNot() {
        CappedSampler s = new CappedSampler(Sampler.alwaysOff(), 1, clock::get);
        CappedSampler uncapped = new CappedSampler(Sampler.traceIdRatioBased(0.0), 0, clock::get);
        Attributes asked = Attributes.of(CappedSampler.ASKED, true);
        for (CappedSampler sampler : List.of(s, uncapped)) {
            for (int i = 0; i < 10; i++) {
                assertEquals(SamplingDecision.RECORD_AND_SAMPLE, sampler.shouldSample(Context.root(), "0af7651916cd43dd8448eb211c80319c",
                        "GET /x", SpanKind.SERVER, asked, List.of()).getDecision());
            }
            assertFalse(kept(sampler, "0af7651916cd43dd8448eb211c80319c"), "the same trace, not asked for: the share's decision");
        }
        CappedSampler all = new CappedSampler(Sampler.alwaysOn(), 0, clock::get);
        assertEquals(1000, keptOf(all, 1000), "no cap: all the share keeps");
        assertEquals("Capped{AlwaysOnSampler}", all.getDescription());
    }

    @Test
    void concurrentThreadsTogetherKeepNoMoreThanTheCap() throws Exception {
        CappedSampler s = new CappedSampler(Sampler.alwaysOn(), 1000, clock::get);
        AtomicLong kept = new AtomicLong();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> kept.addAndGet(keptOf(s, 10_000)));
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(1000, kept.get(), "the clock stood still: exactly a second's worth, whoever took them");
        assertFalse(s.take());
    }
}
