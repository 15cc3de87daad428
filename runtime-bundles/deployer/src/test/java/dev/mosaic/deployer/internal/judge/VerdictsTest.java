package dev.mosaic.deployer.internal.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.mosaic.deployer.RolloutInfo.Verdict;

class VerdictsTest {

    /** Latencies around {@code medianMillis} (log-normal, as service latencies are), {@code errorRate} of them 5xx. */
    private static Samples.Seen traffic(Random random, int n, double medianMillis, double errorRate, double slowShare,
            double slowMillis) {
        double[] millis = new double[n];
        double[] failures = new double[n];
        for (int i = 0; i < n; i++) {
            millis[i] = medianMillis * Math.exp(0.5 * random.nextGaussian())
                    + (random.nextDouble() < slowShare ? slowMillis : 0);
            failures[i] = random.nextDouble() < errorRate ? 1 : 0;
        }
        return Samples.Seen.of(millis, failures);
    }

    private static Verdict judge(Samples.Seen baseline, Samples.Seen canary) {
        return Verdicts.judge("1.0.0", baseline, "1.1.0", canary, 200, "now");
    }

    @Test
    void fewerRequestsThanTheMinimumOnEitherSideIsNotEnoughData() {
        Random r = new Random(1);
        Verdict v = judge(traffic(r, 5000, 10, 0, 0, 0), traffic(r, 199, 10, 1, 0, 0));
        assertEquals(Verdicts.NOT_ENOUGH_DATA, v.outcome(), v.findings().toString());
        assertTrue(v.findings().get(0).contains("199"), v.findings().toString());
        // the same canary, one request more: judged (and failed: every request was a 5xx)
        assertEquals(Verdicts.FAIL, judge(traffic(r, 5000, 10, 0, 0, 0), traffic(r, 200, 10, 1, 0, 0)).outcome());
    }

    @Test
    void aCanaryLikeItsBaselinePassesAcrossManyRuns() {
        // the verdict is asked again every second: a healthy canary must not fail by chance
        for (int seed = 0; seed < 300; seed++) {
            Random r = new Random(seed);
            int n = 200 + r.nextInt(5000);
            Verdict v = judge(traffic(r, n, 8, 0.01, 0.01, 50), traffic(r, 200 + r.nextInt(5000), 8, 0.01, 0.01, 50));
            assertEquals(Verdicts.PASS, v.outcome(), "seed " + seed + ": " + v.findings());
        }
    }

    @Test
    void aCanaryAnsweringFiveHundredsFailsOnTheErrorRate() {
        Random r = new Random(2);
        Verdict v = judge(traffic(r, 2000, 8, 0.001, 0, 0), traffic(r, 300, 8, 0.2, 0, 0));
        assertEquals(Verdicts.FAIL, v.outcome(), v.findings().toString());
        assertTrue(Verdicts.line(v).startsWith("5xx: canary"), Verdicts.line(v));
        assertTrue(v.findings().get(1).contains(": ok"), v.findings().toString());
    }

    @Test
    void moreErrorsWithinTheMarginPassEvenWhenSignificant() {
        Random r = new Random(3);
        // 0.6 points more 5xx on 10,000 requests each: real, but under the 1-point margin
        Verdict v = judge(traffic(r, 10_000, 8, 0.002, 0, 0), traffic(r, 10_000, 8, 0.008, 0, 0));
        assertEquals(Verdicts.PASS, v.outcome(), v.findings().toString());
    }

    @Test
    void aSlowerCanaryFailsOnTheMedian() {
        Random r = new Random(4);
        Verdict v = judge(traffic(r, 1000, 10, 0, 0, 0), traffic(r, 1000, 30, 0, 0, 0));
        assertEquals(Verdicts.FAIL, v.outcome(), v.findings().toString());
        assertTrue(Verdicts.line(v).startsWith("p50:"), Verdicts.line(v));
        // 10% slower is within the margin
        Verdict close = judge(traffic(r, 1000, 10, 0, 0, 0), traffic(r, 1000, 11, 0, 0, 0));
        assertEquals(Verdicts.PASS, close.outcome(), close.findings().toString());
    }

    @Test
    void aCanaryWithASlowTailFailsOnTheNinetyNinthPercentileOnly() {
        Random r = new Random(5);
        // 5% of the canary's requests take 400 ms more: its median is the same, its p99 is not
        Verdict v = judge(traffic(r, 4000, 10, 0, 0, 0), traffic(r, 4000, 10, 0, 0.05, 400));
        assertEquals(Verdicts.FAIL, v.outcome(), v.findings().toString());
        assertTrue(v.findings().get(1).contains(": ok"), v.findings().toString());
        assertTrue(Verdicts.line(v).startsWith("p99:"), Verdicts.line(v));
    }

    @Test
    void aFasterCanaryIsNotWorse() {
        Random r = new Random(6);
        Verdict v = judge(traffic(r, 1000, 30, 0.05, 0.05, 400), traffic(r, 1000, 10, 0, 0, 0));
        assertEquals(Verdicts.PASS, v.outcome(), v.findings().toString());
    }

    @Test
    void samplesKeepTheMostRecentWindowAndCountEverything() {
        Samples s = new Samples();
        for (int i = 0; i < Samples.WINDOW + 10; i++) {
            s.record(i < 10 ? 503 : 200, i);
        }
        Samples.Seen seen = s.seen();
        assertEquals(Samples.WINDOW + 10, seen.requests());
        assertEquals(10, seen.errors());
        assertEquals(Samples.WINDOW, seen.millis().length);
        double failures = 0;
        for (double f : seen.failures()) {
            failures += f;
        }
        assertEquals(0, failures, "the 5xx were the oldest requests, out of the window now");
    }
}
