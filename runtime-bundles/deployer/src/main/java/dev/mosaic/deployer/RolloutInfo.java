package dev.mosaic.deployer;

import java.util.List;

/**
 * A judged canary: an adapter version next to the serving one, and where its judgement stands.
 * Since 2.4.
 *
 * @param environment where it serves
 * @param adapter the adapter
 * @param baseline the serving version it is compared with
 * @param canary the canary's version
 * @param share the canary's share of the requests, out of 100
 * @param state {@code judging}, {@code passed} (healthy for its bake; judged on until promoted), {@code paused}
 *        (judgement suspended) or {@code halted} (not enough requests by the deadline)
 * @param startedAt when the judgement started (or last resumed), ISO-8601
 * @param bakeEndsAt when it may count as healthy, ISO-8601
 * @param deadlineAt when it halts without enough requests, ISO-8601
 * @param bake how long it must pass to count as healthy ({@code 5m})
 * @param deadline how long it may wait for enough requests ({@code 30m})
 * @param minRequests requests each side must answer before a verdict
 * @param promote whether it is promoted by itself once it passed
 * @param waves for a rollout in waves: the fleet's groups in order; empty for a canary
 * @param wave for a rollout in waves: how many groups have the new version (1 for the first wave)
 * @param reason why it is paused or halted, or what it passed on; null otherwise
 * @param verdict this instance's latest verdict on what it has seen since the start; null before the first
 */
public record RolloutInfo(String environment, String adapter, String baseline, String canary, int share, String state,
        String startedAt, String bakeEndsAt, String deadlineAt, String bake, String deadline, int minRequests, boolean promote,
        List<String> waves, int wave, String reason, Verdict verdict) {

    /**
     * A comparison of the canary with its baseline.
     *
     * @param outcome {@code pass}, {@code fail} or {@code not-enough-data}
     * @param time when it was made, ISO-8601
     * @param baseline what the serving version answered
     * @param canary what the canary answered
     * @param findings one line per check: the figures, the test's p-value and the threshold
     */
    public record Verdict(String outcome, String time, Side baseline, Side canary, List<String> findings) {
    }

    /**
     * What one version answered (the most recent requests, up to a window).
     *
     * @param requests requests answered since the judgement started
     * @param errors those answered with a 5xx
     * @param p50Millis median latency
     * @param p99Millis 99th percentile latency
     */
    public record Side(String version, long requests, long errors, double p50Millis, double p99Millis) {
    }
}
