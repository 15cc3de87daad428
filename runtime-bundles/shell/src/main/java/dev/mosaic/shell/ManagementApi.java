package dev.mosaic.shell;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The HTTP management API, as a service: where it listens and where its token comes from.
 * Its presence means the API is serving.
 */
@ProviderType
public interface ManagementApi {

    /** @return the base URL of the API, e.g. {@code http://127.0.0.1:8081/api/v1} */
    String url();

    /**
     * @return the base URL of the health probes' own port ({@code .../health}, with {@code /live}
     *         and {@code /ready} below it), or null when they have none (they are on the
     *         management port in any case)
     * @since 1.1
     */
    String healthUrl();

    /** @return where the bearer token comes from (the environment variable, or the file holding it); never the token */
    String tokenSource();
}
