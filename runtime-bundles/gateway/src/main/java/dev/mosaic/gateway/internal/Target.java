package dev.mosaic.gateway.internal;

import java.util.concurrent.atomic.LongAdder;

import org.osgi.framework.ServiceReference;

import dev.mosaic.api.RouteHandler;

/**
 * A route handler service ready to serve: the handler object, its route, the adapter it
 * belongs to, and its counters. One per handler service the gateway has obtained.
 */
final class Target {
    /** The service this handler was obtained from; null for handlers made in unit tests. */
    final ServiceReference<RouteHandler> reference;
    final RouteHandler handler;
    final Tenant tenant;
    final String method;
    final RouteTemplate template;
    /** Declared non-blocking ({@code @Route(blocking = false)}): runs on the thread that read the request. */
    final boolean inline;
    final LongAdder requests = new LongAdder();
    final LongAdder failures = new LongAdder();
    /** Calls its requests made to backends. */
    final LongAdder backendCalls = new LongAdder();
    /** Its place in routing tables: one entry, so that tables can find it again to take it out. */
    private final RoutingTable.Entry<Target> entry;

    Target(ServiceReference<RouteHandler> reference, RouteHandler handler, Tenant tenant, String method,
            RouteTemplate template, boolean inline) {
        this.reference = reference;
        this.handler = handler;
        this.tenant = tenant;
        this.method = method;
        this.template = template;
        this.inline = inline;
        this.entry = new RoutingTable.Entry<>(method, template, this);
    }

    RoutingTable.Entry<Target> entry() {
        return entry;
    }

    long bundleId() {
        return tenant.bundleId;
    }

    String describe() {
        return method + " " + template + " of " + tenant;
    }
}
