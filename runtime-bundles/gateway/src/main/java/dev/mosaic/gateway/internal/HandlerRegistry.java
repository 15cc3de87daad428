package dev.mosaic.gateway.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;

import dev.mosaic.api.Route;
import dev.mosaic.api.RouteHandler;
import dev.mosaic.gateway.RoutingException;

/**
 * The route handler services adapters register, tracked with a {@link ServiceTracker}: each
 * is known by its bundle as soon as it is registered, and {@linkplain #targets obtained}
 * (its component activated, its route validated) only when the deployer prepares its bundle
 * to serve. A handler that goes away (its bundle stopped) is handed to {@code onGone}, so
 * that its route stops at once.
 */
final class HandlerRegistry implements ServiceTrackerCustomizer<RouteHandler, HandlerRegistry.Held> {

    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");

    /** A tracked handler service, the bundle that registered it, and its target once obtained. */
    static final class Held {
        final ServiceReference<RouteHandler> reference;
        final long bundleId;
        volatile Target target;

        Held(ServiceReference<RouteHandler> reference) {
            this.reference = reference;
            this.bundleId = reference.getBundle().getBundleId();
        }
    }

    private final BundleContext context;
    private final Tenants tenants;
    private final Consumer<Target> onGone;
    /** The handler services of each bundle, by bundle id: what a bundle serves is found without walking every handler. */
    private final Map<Long, Map<ServiceReference<RouteHandler>, Held>> byBundle = new ConcurrentHashMap<>();
    private final ServiceTracker<RouteHandler, Held> tracker;

    HandlerRegistry(BundleContext context, Tenants tenants, Consumer<Target> onGone) {
        this.context = context;
        this.tenants = tenants;
        this.onGone = onGone;
        this.tracker = new ServiceTracker<>(context, RouteHandler.class, this);
    }

    void open() {
        tracker.open();
    }

    void close() {
        tracker.close();
        byBundle.clear();
    }

    @Override
    public Held addingService(ServiceReference<RouteHandler> reference) {
        Held held = new Held(reference);
        byBundle.computeIfAbsent(held.bundleId, id -> new ConcurrentHashMap<>()).put(reference, held);
        return held;
    }

    @Override
    public void modifiedService(ServiceReference<RouteHandler> reference, Held held) {
        // a route is read when the handler is obtained; a changed one takes effect on the next deploy
    }

    @Override
    public void removedService(ServiceReference<RouteHandler> reference, Held held) {
        byBundle.computeIfPresent(held.bundleId, (id, refs) -> {
            refs.remove(reference);
            return refs.isEmpty() ? null : refs;
        });
        Target target = held.target;
        if (target != null) {
            onGone.accept(target);
            ungetQuietly(reference);
            if (!byBundle.containsKey(held.bundleId)) {
                tenants.forget(held.bundleId);
            }
        }
    }

    /** @return the targets of the bundles' handlers, obtaining (activating) those not obtained yet, by service order */
    List<Target> targets(Collection<Bundle> bundles) throws RoutingException {
        List<Target> targets = new ArrayList<>();
        for (Bundle bundle : bundles) {
            List<Held> held = new ArrayList<>(byBundle.getOrDefault(bundle.getBundleId(), Map.of()).values());
            held.sort((a, b) -> a.reference.compareTo(b.reference));
            for (Held h : held) {
                if (h.target == null) {
                    h.target = obtain(h.reference);
                }
                targets.add(h.target);
            }
        }
        return targets;
    }

    /** @return the targets the bundle's handlers have been obtained as (what it serves or was prepared to) */
    List<Target> obtained(long bundleId) {
        List<Target> targets = new ArrayList<>();
        for (Held h : byBundle.getOrDefault(bundleId, Map.of()).values()) {
            if (h.target != null) {
                targets.add(h.target);
            }
        }
        return targets;
    }

    private Target obtain(ServiceReference<RouteHandler> ref) throws RoutingException {
        Bundle bundle = ref.getBundle();
        if (bundle == null) {
            throw new RoutingException(RoutingException.HANDLER_UNAVAILABLE, "a route handler was unregistered while it"
                    + " was being prepared");
        }
        String where = "component " + ref.getProperty("component.name") + " of " + bundle.getSymbolicName() + " "
                + bundle.getVersion();
        Object methodValue = ref.getProperty(Route.METHOD_PROPERTY);
        Object pathValue = ref.getProperty(Route.PATH_PROPERTY);
        if (!(pathValue instanceof String path)) {
            throw new RoutingException(RoutingException.INVALID_ROUTE, where + " provides RouteHandler without a "
                    + Route.PATH_PROPERTY + " property; annotate it with @Route(path = \"/...\")");
        }
        String method = methodValue == null ? "GET" : String.valueOf(methodValue);
        if (!METHOD.matcher(method).matches()) {
            throw new RoutingException(RoutingException.INVALID_ROUTE, where + " has route method '" + method
                    + "'; use an upper-case HTTP method such as GET or POST");
        }
        RouteTemplate template;
        try {
            template = RouteTemplate.parse(path);
        } catch (IllegalArgumentException e) {
            throw new RoutingException(RoutingException.INVALID_ROUTE, where + ": " + e.getMessage());
        }
        Tenant tenant = tenants.of(bundle);
        RouteHandler handler;
        try {
            handler = context.getService(ref);
        } catch (RuntimeException e) {
            handler = null;
        }
        if (handler == null) {
            throw new RoutingException(RoutingException.HANDLER_UNAVAILABLE, where + " could not be activated"
                    + " (its @Activate method or constructor failed, or it was unregistered); see the runtime log");
        }
        Object blocking = ref.getProperty(Route.BLOCKING_PROPERTY);
        boolean inline = Boolean.FALSE.equals(blocking) || "false".equalsIgnoreCase(String.valueOf(blocking));
        return new Target(ref, handler, tenant, method, template, inline);
    }

    private void ungetQuietly(ServiceReference<RouteHandler> ref) {
        try {
            context.ungetService(ref);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // the gateway's own context or the service is already gone: nothing to release
        }
    }
}
