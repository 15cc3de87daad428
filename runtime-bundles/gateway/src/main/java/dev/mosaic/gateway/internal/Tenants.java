package dev.mosaic.gateway.internal;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.gateway.RoutingException;

/**
 * The adapter bundles the gateway runs, each a {@link Tenant} with the limits it gets: the
 * operator's setting for it, else what its manifest asks for, else the defaults; capped by
 * the platform's maximums. And how long until their calls in flight are done.
 */
final class Tenants {

    private static final Logger LOG = LoggerFactory.getLogger(Tenants.class);

    private final GatewaySettings settings;
    private final Map<Long, Tenant> byBundle = new ConcurrentHashMap<>();

    Tenants(GatewaySettings settings) {
        this.settings = settings;
    }

    /** @return the bundle's tenant, made with its limits the first time it is asked for */
    Tenant of(Bundle bundle) throws RoutingException {
        Tenant t = byBundle.get(bundle.getBundleId());
        if (t == null) {
            t = limits(bundle);
            byBundle.put(bundle.getBundleId(), t);
        }
        return t;
    }

    void forget(long bundleId) {
        byBundle.remove(bundleId);
    }

    private Tenant limits(Bundle bundle) throws RoutingException {
        String name = bundle.getSymbolicName();
        String where = name + " " + bundle.getVersion();
        String timeoutText = firstOf(settings.limit(name, "timeout"), bundle.getHeaders("").get(Limits.TIMEOUT_HEADER));
        String concurrencyText = firstOf(settings.limit(name, "concurrency"),
                bundle.getHeaders("").get(Limits.CONCURRENCY_HEADER));
        long timeout;
        int concurrency;
        try {
            timeout = timeoutText == null ? settings.defaultTimeoutMillis() : Limits.millis(timeoutText);
        } catch (IllegalArgumentException e) {
            throw new RoutingException(RoutingException.INVALID_ROUTE, where + " has " + Limits.TIMEOUT_HEADER + " " + e.getMessage());
        }
        try {
            concurrency = concurrencyText == null ? settings.defaultConcurrency() : Limits.count(concurrencyText);
        } catch (IllegalArgumentException e) {
            throw new RoutingException(RoutingException.INVALID_ROUTE, where + " has " + Limits.CONCURRENCY_HEADER + " "
                    + e.getMessage());
        }
        if (timeout > settings.maxTimeoutMillis() || concurrency > settings.maxConcurrency()) {
            LOG.warn("{} asks for a timeout of {} ms and {} concurrent calls; the platform allows at most {} ms and {}",
                    where, timeout, concurrency, settings.maxTimeoutMillis(), settings.maxConcurrency());
        }
        Tenant tenant = new Tenant(bundle.getBundleId(), name, bundle.getVersion().toString(),
                Math.min(timeout, settings.maxTimeoutMillis()), Math.min(concurrency, settings.maxConcurrency()),
                backends(bundle, where));
        tenant.modules = modules(bundle);
        return tenant;
    }

    /** @return the shared-module versions the bundle is wired to, as {@code name version, ...} */
    private static String modules(Bundle bundle) {
        org.osgi.framework.wiring.BundleWiring wiring = bundle.adapt(org.osgi.framework.wiring.BundleWiring.class);
        if (wiring == null) {
            return "";
        }
        java.util.Set<String> modules = new java.util.TreeSet<>();
        for (org.osgi.framework.wiring.BundleWire w : wiring.getRequiredWires(org.osgi.framework.namespace.PackageNamespace.PACKAGE_NAMESPACE)) {
            Bundle provider = w.getProvider().getBundle();
            if ("module".equals(provider.getHeaders("").get("Mosaic-Kind"))) {
                modules.add(provider.getSymbolicName() + " " + provider.getVersion());
            }
        }
        return String.join(", ", modules);
    }

    private static java.util.Set<String> backends(Bundle bundle, String where) throws RoutingException {
        try {
            return dev.mosaic.backends.BackendSpec.namesIn(bundle.getHeaders("").get(dev.mosaic.backends.BackendSpec.MANIFEST_HEADER));
        } catch (IllegalArgumentException e) {
            throw new RoutingException(RoutingException.INVALID_ROUTE, where + ": " + e.getMessage());
        }
    }

    private static String firstOf(String a, String b) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : null;
    }

    /**
     * Waits until no call is running in the bundles, or in every tenant for null.
     *
     * @return how many calls are still running: 0 if they all finished before the deadline
     */
    long awaitIdle(Collection<Bundle> bundles, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            long running = 0;
            if (bundles == null) {
                for (Tenant t : byBundle.values()) {
                    running += t.active();
                }
            } else {
                for (Bundle b : bundles) {
                    Tenant t = byBundle.get(b.getBundleId());
                    running += t == null ? 0 : t.active();
                }
            }
            if (running == 0 || System.nanoTime() - deadline >= 0) {
                return running;
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }
}
