package dev.mosaic.deployer;

import java.time.Duration;

/**
 * How a canary is judged against the version serving next to it, at the same time: on their
 * 5xx rate and latency (p50, p99), with a Mann-Whitney U test once each side has answered
 * {@code minRequests} requests. A failing verdict takes the canary away at once; a passing one,
 * held for {@code bake}, promotes it ({@code promote}) or leaves the operator to. Without enough
 * requests by the {@code deadline} (counted from the canary's start) the rollout halts: the
 * canary keeps its share, nothing more happens until the operator resumes, promotes or aborts.
 * Since 2.4.
 *
 * @param bake how long the canary must pass before it counts as healthy
 * @param deadline how long the rollout may wait for enough requests before it halts; at least {@code bake}
 * @param minRequests requests each side must have answered before any verdict
 * @param promote whether a canary that passed is promoted by itself
 */
public record Judgement(Duration bake, Duration deadline, int minRequests, boolean promote) {

    /** Five minutes' bake, a deadline of thirty, 200 requests a side, promoted by the operator. */
    public static final Judgement DEFAULT = new Judgement(Duration.ofMinutes(5), Duration.ofMinutes(30), 200, false);

    /** The fewest requests a side may be judged on: below it, no test says anything. */
    public static final int MIN_REQUESTS_FLOOR = 20;

    /**
     * @return what is wrong with these settings, or null when they can be used
     */
    public String problem() {
        if (bake == null || bake.isNegative() || bake.compareTo(Duration.ofSeconds(1)) < 0 || bake.compareTo(Duration.ofDays(1)) > 0) {
            return "a canary's bake is from 1s to 1d, not " + bake;
        }
        if (deadline == null || deadline.compareTo(bake) < 0 || deadline.compareTo(Duration.ofDays(7)) > 0) {
            return "a canary's deadline is from its bake (" + bake + ") to 7d, not " + deadline;
        }
        if (minRequests < MIN_REQUESTS_FLOOR || minRequests > 1_000_000) {
            return "a canary is judged on at least " + MIN_REQUESTS_FLOOR + " and at most 1000000 requests a side, not "
                    + minRequests;
        }
        return null;
    }
}
