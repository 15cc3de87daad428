package dev.mosaic.deployer.internal.framework;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;

/**
 * The packages the platform's own bundles export, and which bundle exports each. Worked out
 * once and kept until a platform bundle changes: among thousands of tenants, walking every
 * bundle at each deploy is not free.
 */
public final class PlatformPackages implements AutoCloseable {

    private final BundleContext context;
    private volatile Map<String, String> known;
    private final SynchronousBundleListener changes = event -> {
        if (!TenantResolverHook.isTenant(event.getBundle())) {
            known = null;
        }
    };

    public PlatformPackages(BundleContext context) {
        this.context = context;
        context.addBundleListener(changes);
    }

    /** @return package to the platform bundle exporting it ({@code symbolic-name version}) */
    public Map<String, String> get() {
        Map<String, String> k = known;
        if (k == null) {
            known = k = Collections.unmodifiableMap(find());
        }
        return k;
    }

    private Map<String, String> find() {
        Map<String, String> packages = new TreeMap<>();
        for (Bundle b : context.getBundles()) {
            BundleRevision revision = b.adapt(BundleRevision.class);
            if (TenantResolverHook.isTenant(b) || revision == null) {
                continue;
            }
            for (BundleCapability c : revision.getDeclaredCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
                packages.putIfAbsent(String.valueOf(c.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE)),
                        b.getSymbolicName() + " " + b.getVersion());
            }
        }
        return packages;
    }

    @Override
    public void close() {
        context.removeBundleListener(changes);
    }
}
