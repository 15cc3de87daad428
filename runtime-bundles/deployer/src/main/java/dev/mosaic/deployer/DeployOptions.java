package dev.mosaic.deployer;

/**
 * How to deploy: where, on whose behalf, for how long, and whether only to say what would happen.
 *
 * @param environment the environment to deploy to; {@code prod} when null
 * @param actor who asks, as recorded in history: {@code console:alice}, {@code api:ci-pipeline}
 * @param ttl how long the deployment lives before it is undeployed automatically ({@code 30m},
 *        {@code 12h}, {@code 7d}, {@code none}); when null, the bundle's {@code Mosaic-TTL}
 *        header (not taken where the environment's default is none, as in prod), else the environment's default
 * @param dryRun work out what the deploy would do, and do nothing
 * @param owner the team to call ({@code Mosaic-Owner}) for a bundle that names none, such as a library from
 *        elsewhere; null to leave it as the bundle says
 * @param allowIncompatible release a shared-module version even though its version understates its API change (recorded
 *        in history with the report); since 2.3
 */
public record DeployOptions(String environment, String actor, String ttl, boolean dryRun, String owner,
        boolean allowIncompatible) {

    /** Options that refuse an incompatible release. */
    public DeployOptions(String environment, String actor, String ttl, boolean dryRun, String owner) {
        this(environment, actor, ttl, dryRun, owner, false);
    }

    public DeployOptions {
        environment = environment == null ? "prod" : environment;
        actor = actor == null ? "unknown" : actor;
    }

    /** @return options for deploying to the environment on behalf of the actor */
    public static DeployOptions to(String environment, String actor) {
        return new DeployOptions(environment, actor, null, false, null);
    }

    /** @return these options with that TTL */
    public DeployOptions withTtl(String ttl) {
        return new DeployOptions(environment, actor, ttl, dryRun, owner, allowIncompatible);
    }

    /** @return these options with that owner for a bundle that names none */
    public DeployOptions withOwner(String owner) {
        return new DeployOptions(environment, actor, ttl, dryRun, owner, allowIncompatible);
    }

    /** @return these options, as a dry run or not */
    public DeployOptions withDryRun(boolean dryRun) {
        return new DeployOptions(environment, actor, ttl, dryRun, owner, allowIncompatible);
    }

    /** @return these options, releasing a version that understates its API change or not; since 2.3 */
    public DeployOptions withAllowIncompatible(boolean allow) {
        return new DeployOptions(environment, actor, ttl, dryRun, owner, allow);
    }
}
