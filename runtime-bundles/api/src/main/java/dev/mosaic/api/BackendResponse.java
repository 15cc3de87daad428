package dev.mosaic.api;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A backend's answer to a {@link BackendCall#send()}.
 *
 * @since 1.1
 */
@ProviderType
public interface BackendResponse {

    /** @return the HTTP status */
    int status();

    /** @return the first value of the header, matched case-insensitively, or {@code null} */
    String header(String name);

    /** @return every response header with all its values */
    Map<String, List<String>> headers();

    /** @return the body; empty if there was none */
    byte[] body();

    /**
     * Reads the body as JSON into the adapter's own type.
     *
     * @throws BackendException if the body is not JSON, or not of that shape
     */
    <T> T json(Class<T> type);
}
