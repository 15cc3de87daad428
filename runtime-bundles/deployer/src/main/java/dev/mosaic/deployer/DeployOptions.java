package dev.mosaic.deployer;

/**
 * How to deploy: where, and on whose behalf.
 */
public class DeployOptions {
    /** The environment to deploy to; {@code prod} when not set. */
    public String environment = "prod";
    /** Who asks, as recorded in history: {@code console:alice}, {@code api:ci-pipeline}. */
    public String actor = "unknown";

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
