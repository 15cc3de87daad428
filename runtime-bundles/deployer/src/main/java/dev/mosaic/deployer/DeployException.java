package dev.mosaic.deployer;

/**
 * A change was refused or failed before it took effect: nothing changed. The code is stable
 * (scripts and the HTTP API rely on it); the message says what was wrong, where, and what
 * to do.
 */
public class DeployException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The upload is not a bundle Mosaic can run (not a jar, no manifest, no name, a fragment...). */
    public static final String INVALID_BUNDLE = "invalid_bundle";
    /** The same name and version was stored before with different bytes. */
    public static final String ARTIFACT_CONFLICT = "artifact_conflict";
    /** An import has no provider, or the bundle cannot be resolved. */
    public static final String UNRESOLVABLE = "unresolvable";
    /** The bundle resolved but failed to start, or a component failed to activate. */
    public static final String START_FAILED = "start_failed";
    /** A route is taken, or a handler's route is invalid. */
    public static final String ROUTE_CONFLICT = "route_conflict";
    /** An environment, name or version does not exist or is not valid. */
    public static final String NOT_FOUND = "not_found";
    /** A name, version or environment is malformed. */
    public static final String INVALID_ARGUMENT = "invalid_argument";
    /** The change would leave a consumer without a provider, or undo something in use. */
    public static final String IN_USE = "in_use";
    /** The change is not possible in the current state (nothing to roll back to, ...). */
    public static final String CONFLICT = "conflict";
    /** The bundle uses what the platform's policy does not allow tenants (an import, an API). */
    public static final String POLICY_VIOLATION = "policy_violation";
    /** An adapter names a backend its environment does not declare. */
    public static final String UNDECLARED_BACKEND = "undeclared_backend";
    /**
     * A shared-module version understates its API change (a removed method in a minor, say) and
     * was not released; {@link #report()} says package by package. Since 2.3.
     */
    public static final String INCOMPATIBLE_RELEASE = "incompatible_release";
    /**
     * The fleet's store cannot be reached: the change was not made (or, the message says, whether it was is not
     * known); this instance keeps serving what it applied last. Since 2.4.
     */
    public static final String STORE_UNAVAILABLE = "store_unavailable";
    /**
     * A live instance of the fleet runs a runtime too old to apply the change (the message names it): nothing changed;
     * upgrade or stop it, then make the change again. Since 2.4.
     */
    public static final String OUTDATED_INSTANCE = "outdated_instance";
    /** Something failed inside the platform; the old state keeps serving. */
    public static final String INTERNAL = "internal_error";

    private final String code;
    private final ReleaseReport report;

    public DeployException(String code, String message) {
        super(message);
        this.code = code;
        this.report = null;
    }

    /** A refused release, with its report. Since 2.3. */
    public DeployException(String code, String message, ReleaseReport report) {
        super(message);
        this.code = code;
        this.report = report;
    }

    public DeployException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.report = null;
    }

    /** @return for a refused release, what its API changes and what its versions should be; else null. Since 2.3. */
    public ReleaseReport report() {
        return report;
    }

    /** @return a stable code naming the kind of failure */
    public String code() {
        return code;
    }

    /** @return the HTTP status the management API answers this failure with */
    public int httpStatus() {
        return switch (code) {
            case INVALID_BUNDLE, INVALID_ARGUMENT -> 400;
            case NOT_FOUND -> 404;
            case POLICY_VIOLATION -> 403;
            case ARTIFACT_CONFLICT, ROUTE_CONFLICT, IN_USE, CONFLICT, OUTDATED_INSTANCE -> 409;
            case UNRESOLVABLE, START_FAILED, INCOMPATIBLE_RELEASE, UNDECLARED_BACKEND -> 422;
            case STORE_UNAVAILABLE -> 503;
            default -> 500;
        };
    }
}
