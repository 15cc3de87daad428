package dev.mosaic.deployer.internal.framework;

import java.util.Collection;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.hooks.service.FindHook;
import org.slf4j.LoggerFactory;

/**
 * Keeps Declarative Services from giving every component an implicit satisfying condition
 * (DS 1.5), which would cost every adapter bundle a framework service listener.
 *
 * <p>Felix SCR looks for the framework's true condition once, when it starts, and only if it
 * finds one adds to every component a reference to it; each such reference is a service
 * listener of the component's bundle, and Felix matches every listener against every service
 * event and copies its listener table on every listener added or removed. With thousands of
 * adapter bundles that makes each deploy O(N) and a restart O(N²). This hook hides the
 * framework's true condition from SCR's own look-up, so no component gets the implicit
 * reference. Mosaic offers tenants no conditions; a component that declares a
 * {@code osgi.ds.satisfying.condition} reference itself still gets one, looked up with its
 * own bundle's context, which this hook leaves alone.
 *
 * <p>The deployer bundle starts before SCR (start order 1 in the runtime feature) so that
 * the hook is in place when SCR looks.
 */
public final class NoImplicitConditions implements BundleActivator, FindHook {

    public static final String CONDITION = "org.osgi.service.condition.Condition";
    public static final String SCR = "org.apache.felix.scr";

    private ServiceRegistration<FindHook> registration;

    @Override
    public void start(BundleContext context) {
        registration = context.registerService(FindHook.class, this, null);
        for (Bundle b : context.getBundles()) {
            if (SCR.equals(b.getSymbolicName()) && (b.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0) {
                LoggerFactory.getLogger(NoImplicitConditions.class).warn("the deployer started after Declarative Services"
                        + " ({} is {}): every component keeps its implicit satisfying condition, a service listener per"
                        + " adapter bundle; give the deployer a lower start-order than SCR in the runtime feature",
                        SCR, b.getState() == Bundle.ACTIVE ? "active" : "starting");
            }
        }
    }

    @Override
    public void stop(BundleContext context) {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }

    @Override
    public void find(BundleContext context, String name, String filter, boolean allServices,
            Collection<ServiceReference<?>> references) {
        if (!CONDITION.equals(name) || filter == null || !filter.contains("osgi.condition.id=true")) {
            return;
        }
        Bundle asking = context.getBundle();
        if (asking == null || !SCR.equals(asking.getSymbolicName())) {
            return;
        }
        references.removeIf(r -> {
            Bundle owner = r.getBundle();
            return owner != null && owner.getBundleId() == Constants.SYSTEM_BUNDLE_ID;
        });
    }
}
