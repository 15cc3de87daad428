package dev.mosaic.deployer;

import java.util.Locale;

/** A change to what runs, as history records it. */
public enum Operation {
    /** An adapter version put in place of the previous one. */
    DEPLOY,
    /** A shared-module version added next to the others; consumers whose range admits it move. */
    RELEASE,
    /** An adapter or module version taken away on request. */
    UNDEPLOY,
    /** An adapter put back to the version that served before. */
    ROLLBACK,
    /** A module version withdrawn: its consumers move off it. */
    YANK,
    /** A withdrawn module version made available again. */
    UNYANK,
    /** A manual-uptake consumer moved to the newest versions in range. */
    ADOPT,
    /** The very same artifact deployed to another environment. */
    PROMOTE,
    /** A deployment's lifetime changed. */
    TTL,
    /** A deployment taken away because its lifetime ran out. */
    EXPIRE,
    /** Module versions nobody used for a while taken away. */
    SUNSET,
    /** A backend declared in an environment, or its declaration changed. */
    BACKEND_SET,
    /** A backend's declaration taken away from an environment. */
    BACKEND_REMOVE,
    /** An adapter version put next to the serving one with a share of its requests. Since 2.4. */
    CANARY,
    /** The shares of an adapter's versions changed. Since 2.4. */
    SPLIT,
    /** A canary made the adapter's only version: the others go. Since 2.4. */
    CANARY_PROMOTE,
    /** The canaries taken away: the serving version takes every request again. Since 2.4. */
    CANARY_ABORT,
    /** A canary's judgement suspended: no verdict acts until it resumes. Since 2.4. */
    ROLLOUT_PAUSE,
    /** A canary's judgement started again, on new requests, with a new deadline. Since 2.4. */
    ROLLOUT_RESUME,
    /** A canary's judgement stopped: not enough requests by its deadline. Since 2.4. */
    ROLLOUT_HALT,
    /** A canary judged healthy for its whole bake (and left for the operator to promote). Since 2.4. */
    ROLLOUT_PASS,
    /** A rollout in waves moving on: the next group of the fleet gets the new version. Since 2.4. */
    ROLLOUT_WAVE;

    /** @return the lower-case name, as the JSON, the journal and the console spell it ({@code backend-set}) */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * @return the operation spelled {@code text} ({@code deploy}, {@code release}, ...)
     * @throws IllegalArgumentException if there is none
     */
    public static Operation parse(String text) {
        for (Operation o : values()) {
            if (o.toString().equals(text)) {
                return o;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not an operation");
    }
}
