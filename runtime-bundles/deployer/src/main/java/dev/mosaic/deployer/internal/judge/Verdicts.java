package dev.mosaic.deployer.internal.judge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.MannWhitneyUTest;

import dev.mosaic.deployer.RolloutInfo.Side;
import dev.mosaic.deployer.RolloutInfo.Verdict;

/**
 * Judges a canary against its baseline, served at the same time, as Kayenta's judge does: per
 * metric, a one-sided Mann-Whitney U test (is the canary worse?) and a margin the difference must
 * exceed to matter. A check fails only when both say so: a significant difference too small to
 * matter passes, and so does a large one the requests cannot yet tell from chance.
 *
 * <ul>
 * <li>5xx: the canary's rate above the baseline's by more than {@value #ERROR_MARGIN_POINTS}
 * percentage point, tested on each request's 0 (answered) or 1 (5xx);</li>
 * <li>p50: the canary's median above {@value #P50_FACTOR} times the baseline's plus
 * {@value #P50_SLACK_MILLIS} ms, tested on every latency;</li>
 * <li>p99: the canary's 99th percentile above {@value #P99_FACTOR} times the baseline's plus
 * {@value #P99_SLACK_MILLIS} ms, tested on each side's slowest tenth.</li>
 * </ul>
 *
 * Each test is at p &lt; {@value #ALPHA}: the verdict is asked again four times a second on the requests so
 * far, so a level this strict keeps a healthy canary from failing by chance over a long bake.
 */
public final class Verdicts {

    public static final double ALPHA = 0.001;
    public static final double ERROR_MARGIN_POINTS = 1.0;
    public static final double P50_FACTOR = 1.2;
    public static final double P50_SLACK_MILLIS = 5;
    public static final double P99_FACTOR = 1.5;
    public static final double P99_SLACK_MILLIS = 20;

    public static final String PASS = "pass";
    public static final String FAIL = "fail";
    public static final String NOT_ENOUGH_DATA = "not-enough-data";

    private static final MannWhitneyUTest WORSE = MannWhitneyUTest.withDefaults().with(AlternativeHypothesis.GREATER_THAN);

    private Verdicts() {
    }

    /** @return the verdict on what each side answered, with at least {@code minRequests} each */
    public static Verdict judge(String baselineVersion, Samples.Seen baseline, String canaryVersion, Samples.Seen canary,
            int minRequests, String time) {
        Side b = side(baselineVersion, baseline);
        Side c = side(canaryVersion, canary);
        List<String> findings = new ArrayList<>();
        if (baseline.requests() < minRequests || canary.requests() < minRequests) {
            findings.add("baseline " + baselineVersion + " answered " + baseline.requests() + " and canary " + canaryVersion
                    + " " + canary.requests() + " request(s); each needs " + minRequests + " before a verdict");
            return new Verdict(NOT_ENOUGH_DATA, time, b, c, findings);
        }
        boolean failed = false;

        double rateB = 100.0 * mean(baseline.failures());
        double rateC = 100.0 * mean(canary.failures());
        double errorsP = rateC - rateB > ERROR_MARGIN_POINTS ? p(canary.failures(), baseline.failures()) : Double.NaN;
        boolean errorsFail = errorsP < ALPHA;
        failed |= errorsFail;
        findings.add(String.format(Locale.ROOT, "5xx: canary %.2f%% vs baseline %.2f%%%s: %s (fails above +%.1f point at p<%s)",
                rateC, rateB, pText(errorsP), errorsFail ? "FAIL" : "ok", ERROR_MARGIN_POINTS, ALPHA));

        double p50P = c.p50Millis() > P50_FACTOR * b.p50Millis() + P50_SLACK_MILLIS ? p(canary.millis(), baseline.millis())
                : Double.NaN;
        boolean p50Fail = p50P < ALPHA;
        failed |= p50Fail;
        findings.add(String.format(Locale.ROOT, "p50: canary %.1f ms vs baseline %.1f ms%s: %s (fails above %.1fx + %.0f ms at p<%s)",
                c.p50Millis(), b.p50Millis(), pText(p50P), p50Fail ? "FAIL" : "ok", P50_FACTOR, P50_SLACK_MILLIS, ALPHA));

        double p99P = c.p99Millis() > P99_FACTOR * b.p99Millis() + P99_SLACK_MILLIS
                ? p(slowestTenth(canary.millis()), slowestTenth(baseline.millis())) : Double.NaN;
        boolean p99Fail = p99P < ALPHA;
        failed |= p99Fail;
        findings.add(String.format(Locale.ROOT, "p99: canary %.1f ms vs baseline %.1f ms%s: %s (fails above %.1fx + %.0f ms at p<%s)",
                c.p99Millis(), b.p99Millis(), pText(p99P), p99Fail ? "FAIL" : "ok", P99_FACTOR, P99_SLACK_MILLIS, ALPHA));

        return new Verdict(failed ? FAIL : PASS, time, b, c, findings);
    }

    /** @return the first failing check's line, or the verdict's outcome with the figures */
    public static String line(Verdict v) {
        for (String f : v.findings()) {
            if (f.contains(": FAIL")) {
                return f;
            }
        }
        return v.outcome() + ": " + String.join("; ", v.findings());
    }

    /** @return the one-sided p-value that {@code canary} is stochastically greater than {@code baseline} */
    private static double p(double[] canary, double[] baseline) {
        return WORSE.test(canary, baseline).getPValue();
    }

    private static String pText(double p) {
        return Double.isNaN(p) ? "" : String.format(Locale.ROOT, " (Mann-Whitney p=%.2g)", p);
    }

    private static Side side(String version, Samples.Seen seen) {
        double[] sorted = seen.millis().clone();
        Arrays.sort(sorted);
        return new Side(version, seen.requests(), seen.errors(), quantile(sorted, 0.50), quantile(sorted, 0.99));
    }

    /** @return the q-quantile of sorted values (nearest rank), 0 for none */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double[] slowestTenth(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = Math.max(1, sorted.length / 10);
        return Arrays.copyOfRange(sorted, sorted.length - n, sorted.length);
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return values.length == 0 ? 0 : sum / values.length;
    }
}
