package dev.mosaic.gateway.internal;

import java.util.concurrent.atomic.LongAdder;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

import dev.mosaic.api.RouteHandler;

/**
 * A route handler service ready to serve: the handler object, where it comes from, and its
 * counters. One per handler service the gateway has obtained.
 */
final class Target {
    /** The service this handler was obtained from; null for handlers made in unit tests. */
    final ServiceReference<RouteHandler> reference;
    final RouteHandler handler;
    final long bundleId;
    final String adapter;
    final String version;
    final String method;
    final RouteTemplate template;
    /** Requests running in this bundle's handlers, shared by all targets of the bundle. */
    final LongAdder inFlight;
    final LongAdder requests = new LongAdder();
    final LongAdder failures = new LongAdder();

    Target(ServiceReference<RouteHandler> reference, RouteHandler handler, String method, RouteTemplate template,
            LongAdder inFlight) {
        this(reference, handler, reference.getBundle(), method, template, inFlight);
    }

    private Target(ServiceReference<RouteHandler> reference, RouteHandler handler, Bundle bundle, String method,
            RouteTemplate template, LongAdder inFlight) {
        this(reference, handler, bundle.getBundleId(), bundle.getSymbolicName(), bundle.getVersion().toString(), method,
                template, inFlight);
    }

    Target(ServiceReference<RouteHandler> reference, RouteHandler handler, long bundleId, String adapter, String version,
            String method, RouteTemplate template, LongAdder inFlight) {
        this.reference = reference;
        this.handler = handler;
        this.bundleId = bundleId;
        this.adapter = adapter;
        this.version = version;
        this.method = method;
        this.template = template;
        this.inFlight = inFlight;
    }

    String describe() {
        return method + " " + template + " of " + adapter + " " + version;
    }
}
