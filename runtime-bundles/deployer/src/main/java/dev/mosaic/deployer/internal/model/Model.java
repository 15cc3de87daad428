package dev.mosaic.deployer.internal.model;

import java.util.List;
import java.util.Map;

import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

import dev.mosaic.deployer.Kind;

/** The deployer's vocabulary, independent of the framework so the planning can be unit-tested. */
public final class Model {

    private Model() {
    }

    /** One deployed unit: an adapter, or one version of a module, in one environment. */
    public record UnitKey(String env, String name, String version) implements Comparable<UnitKey> {
        @Override
        public int compareTo(UnitKey o) {
            int c = env.compareTo(o.env);
            c = c != 0 ? c : name.compareTo(o.name);
            return c != 0 ? c : Version.parseVersion(version).compareTo(Version.parseVersion(o.version));
        }

        @Override
        public String toString() {
            return name + " " + version + " in " + env;
        }
    }

    /** A package a bundle exports, at a version. */
    public record Export(String pkg, Version version) {
    }

    /** A package a bundle imports, with the range it accepts. */
    public record Import(String pkg, VersionRange range, boolean optional) {
        @Override
        public String toString() {
            return pkg + " " + dev.mosaic.deployer.ImportInfo.describe(range.toString());
        }
    }

    /** What the deployer knows of a bundle from its manifest. */
    public record Artifact(String name, String version, Kind kind, String sha256, long size, boolean manualUptake,
            List<Export> exports, List<Import> imports, Map<String, String> metadata) {
    }

    /**
     * How a canary is judged, and where its judgement stands (see {@link dev.mosaic.deployer.Judgement}).
     *
     * @param state {@code judging}, {@code passed}, {@code paused} or {@code halted}
     * @param startedAt when the judgement started, last resumed, or the current wave began (ISO-8601): its bake and
     *        deadline count from it
     * @param reason why it is paused or halted, or what it passed on; null while judging
     * @param waves for a rollout in waves: the fleet's groups in the order they get the new version; null for a canary
     * @param wave the index in {@code waves} of the group whose turn it is
     * @param samplesSince when the requests it is judged on started to count (ISO-8601): the rollout's start, or its
     *        last resume; the samples instances exchange are kept under it
     */
    public record Rollout(String state, String startedAt, long bakeMillis, long deadlineMillis, int minRequests, boolean promote,
            String reason, List<String> waves, int wave, String samplesSince) {

        public static final String JUDGING = "judging";
        public static final String PASSED = "passed";
        public static final String PAUSED = "paused";
        public static final String HALTED = "halted";

        /** @return the same settings in another state; {@code since} (if not null) restarts the bake and deadline */
        public Rollout in(String newState, String since, String why) {
            return new Rollout(newState, since == null ? startedAt : since, bakeMillis, deadlineMillis, minRequests, promote, why,
                    waves, wave, samplesSince);
        }

        /** @return judging again from {@code now}, on the requests from now */
        public Rollout resumed(String now) {
            return new Rollout(JUDGING, now, bakeMillis, deadlineMillis, minRequests, promote, null, waves, wave, now);
        }

        /** @return the next group's turn, its bake and deadline from {@code now} */
        public Rollout nextWave(String now) {
            return new Rollout(JUDGING, now, bakeMillis, deadlineMillis, minRequests, promote, null, waves, wave + 1, samplesSince);
        }

        /** @return whether verdicts act on it: judging, or passed and not promoted yet */
        public boolean judged() {
            return JUDGING.equals(state) || PASSED.equals(state);
        }

        /** @return whether it goes over the fleet's groups in waves */
        public boolean inWaves() {
            return waves != null && !waves.isEmpty();
        }

        /** @return whether the current wave is the last */
        public boolean lastWave() {
            return !inWaves() || wave >= waves.size() - 1;
        }

        public java.time.Instant started() {
            return java.time.Instant.parse(startedAt);
        }

        /** @return when the samples it is judged on start (its start, for rollouts recorded before this was kept) */
        public String samplesSince() {
            return samplesSince != null ? samplesSince : startedAt;
        }
    }

    /**
     * What one instance of a fleet has seen of one version of an adapter during a rollout, as instances share it
     * through the store: the counts, and its most recent requests' latencies in ms, a 5xx written negative.
     */
    public record SampleRow(String instance, String env, String adapter, String version, String since, long requests,
            long errors, float[] window) {
    }

    /**
     * A consumer moved by a release in waves that has not reached every group yet: in the groups it has not reached,
     * the consumer keeps the bindings it had.
     *
     * @param module the released module's name
     * @param version its version
     * @param from the consumer's bindings before the release
     */
    public record Staged(String module, String version, Map<String, String> from) {
    }
}
