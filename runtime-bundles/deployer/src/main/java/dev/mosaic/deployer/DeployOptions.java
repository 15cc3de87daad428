package dev.mosaic.deployer;

/**
 * How to deploy: where, and on whose behalf.
 */
public class DeployOptions {
    /** The environment to deploy to; {@code prod} when not set. */
    public String environment = "prod";
    /** Who asks, as recorded in history: {@code console:alice}, {@code api:ci-pipeline}. */
    public String actor = "unknown";
    /**
     * How long the deployment lives before it is undeployed automatically ({@code 30m},
     * {@code 12h}, {@code 7d}, {@code none}); when not set, the bundle's {@code Mosaic-TTL}
     * header, else the environment's default.
     */
    public String ttl;
    /** Work out what the deploy would do, and do nothing. */
    public boolean dryRun;

    /** @return options for deploying to the environment on behalf of the actor */
    public static DeployOptions to(String environment, String actor) {
        DeployOptions o = new DeployOptions();
        if (environment != null) {
            o.environment = environment;
        }
        if (actor != null) {
            o.actor = actor;
        }
        return o;
    }
}
