package dev.mosaic.api;

import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * What an adapter can learn about the shared modules it runs with.
 *
 * <p>Mosaic wires each adapter to one version of every shared module it imports, chosen
 * within the adapter's import range, and may move it to a newer version while it runs.
 * This tells the adapter which version actually serves it:
 *
 * <pre>{@code
 * String catalogVersion = Modules.versionOf(Catalog.class);   // e.g. "1.1.0"
 * }</pre>
 */
public final class Modules {

    private Modules() {
    }

    /**
     * @param type a class from a shared module (or any bundle)
     * @return the version of the bundle that defined the class, as {@code major.minor.micro}
     *         with the qualifier if there is one; {@code "unknown"} if the class does not
     *         come from a bundle
     */
    public static String versionOf(Class<?> type) {
        Bundle bundle = FrameworkUtil.getBundle(type);
        return bundle == null ? "unknown" : bundle.getVersion().toString();
    }
}
