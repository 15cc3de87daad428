package dev.mosaic.deployer.internal.framework;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.hooks.resolver.ResolverHook;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;

/**
 * Makes the framework wire tenant bundles (adapters and modules, installed by the deployer
 * with a {@code mosaic:} location) exactly as the {@link Planner} decided: for each package
 * a tenant bundle imports from a module, only the planned provider remains a candidate.
 *
 * <p>Without this, the resolver prefers exporters that are already resolved, so a consumer
 * could be wired to an older version than its range admits, or to a module deployed in
 * another environment. Platform bundles never wire to tenant code, and tenant bundles
 * always see the platform's exports.
 */
public final class TenantResolverHook implements ResolverHookFactory {

    public static final String LOCATION_PREFIX = "mosaic:";
    private static final java.util.regex.Pattern PACKAGE_IN_FILTER = java.util.regex.Pattern.compile(
            "\\(osgi\\.wiring\\.package=([^)]+)\\)");

    /** Bundle location to (package to provider location). */
    private final Map<String, Map<String, String>> plans = new ConcurrentHashMap<>();
    /** Bundle location to the packages it may not be wired to at all (optional imports the policy does not allow). */
    private final Map<String, java.util.Set<String>> unwired = new ConcurrentHashMap<>();

    public static boolean isTenant(Bundle bundle) {
        return bundle.getLocation().startsWith(LOCATION_PREFIX);
    }

    /**
     * @param providers package to the location of the module bundle that provides it
     * @param none packages it imports optionally and is to be left without
     */
    public void plan(String location, Map<String, String> providers, java.util.Set<String> none) {
        plans.put(location, Map.copyOf(providers));
        if (none.isEmpty()) {
            unwired.remove(location);
        } else {
            unwired.put(location, java.util.Set.copyOf(none));
        }
    }

    public void forget(String location) {
        plans.remove(location);
        unwired.remove(location);
    }

    @Override
    public ResolverHook begin(Collection<BundleRevision> triggers) {
        return new ResolverHook() {
            @Override
            public void filterResolvable(Collection<BundleRevision> candidates) {
                // everything installed may resolve; what it wires to is decided below
            }

            @Override
            public void filterSingletonCollisions(BundleCapability singleton, Collection<BundleCapability> collisions) {
                // tenant bundles are not singletons
            }

            @Override
            public void filterMatches(BundleRequirement requirement, Collection<BundleCapability> candidates) {
                if (!PackageNamespace.PACKAGE_NAMESPACE.equals(requirement.getNamespace())) {
                    return;
                }
                Bundle requirer = requirement.getRevision().getBundle();
                boolean tenant = isTenant(requirer);
                Map<String, String> plan = tenant ? plans.get(requirer.getLocation()) : null;
                java.util.Set<String> none = tenant ? unwired.getOrDefault(requirer.getLocation(), java.util.Set.of())
                        : java.util.Set.of();
                String wanted = none.isEmpty() ? null : packageOf(requirement);
                if (wanted != null && none.contains(wanted)) {
                    candidates.clear(); // an optional import the policy does not allow: left unwired
                    return;
                }
                candidates.removeIf(capability -> {
                    Bundle provider = capability.getRevision().getBundle();
                    if (!isTenant(provider)) {
                        return false;
                    }
                    if (!tenant) {
                        return true;
                    }
                    if (provider.equals(requirer)) {
                        return false;
                    }
                    Object pkg = capability.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE);
                    return plan == null || !provider.getLocation().equals(plan.get(pkg));
                });
            }

            private String packageOf(BundleRequirement requirement) {
                String filter = requirement.getDirectives().get(PackageNamespace.REQUIREMENT_FILTER_DIRECTIVE);
                java.util.regex.Matcher m = PACKAGE_IN_FILTER.matcher(filter == null ? "" : filter);
                return m.find() ? m.group(1) : null;
            }

            @Override
            public void end() {
                // nothing held
            }
        };
    }
}
