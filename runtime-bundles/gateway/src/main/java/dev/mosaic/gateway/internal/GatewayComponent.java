package dev.mosaic.gateway.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.backends.Backends;
import dev.mosaic.gateway.Gateway;
import dev.mosaic.gateway.RouteInfo;
import dev.mosaic.gateway.RoutingException;

/**
 * Binds the gateway to the OSGi lifecycle and puts its parts together: the
 * {@link GatewaySettings}, the {@link DeviceServer} devices talk to, the
 * {@link HandlerRegistry} of route handler services, the {@link RouteTables} the request path
 * reads, and the {@link Tenants} with their limits. Route changes ({@link #prepare},
 * {@link #switchRoutes}, a handler going away) are serialised on this object.
 */
@Component(service = Gateway.class, immediate = true)
public final class GatewayComponent implements Gateway {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayComponent.class);

    private final RouteTables tables = new RouteTables();
    /** The spans of device requests, made while the tracing bundle offers a TracerProvider. */
    private final ServerSpans spans = new ServerSpans();
    @Reference
    private Backends backends;
    private BundleContext context;
    private GatewaySettings settings;
    private Tenants tenants;
    private HandlerRegistry handlers;
    private DeviceServer server;
    /** Who follows which adapter's requests (bin/mosaic tail). */
    private final Followers followers = new Followers();
    private QueuedThreadPool adapterPool;
    private Deadlines deadlines;
    private SynchronousBundleListener stopListener;
    /** Set when the framework begins to stop: from then on adapters stopping are expected, not a loss of routes. */
    private volatile boolean frameworkStopping;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "untraced")
    synchronized void traced(io.opentelemetry.api.trace.TracerProvider provider) {
        tracing = provider;
        spans.tracer(provider.get("dev.mosaic.gateway"));
    }

    synchronized void untraced(io.opentelemetry.api.trace.TracerProvider provider) {
        if (tracing == provider) { // a replacement is bound before the one it replaces is unbound
            tracing = null;
            spans.tracer(null);
        }
    }

    private io.opentelemetry.api.trace.TracerProvider tracing;

    @Activate
    void activate(BundleContext context) throws Exception {
        this.context = context;
        settings = GatewaySettings.from(context::getProperty);
        tenants = new Tenants(settings);
        // Jetty's pool: idle threads take jobs from its queue, and reserved threads take a hand-off
        // without waking anyone (tryExecute), which is what makes a blocking call cheap to dispatch.
        adapterPool = new DeviceThreads(settings.adapterThreads(), 8, 30_000);
        adapterPool.setName("mosaic-adapter");
        adapterPool.setDaemon(true);
        adapterPool.start();
        deadlines = new Deadlines(10);
        // The framework stops the adapters (a higher start level) before this bundle: stop taking
        // device traffic first, so that no adapter is stopped in the middle of a call.
        stopListener = event -> {
            if (event.getType() == BundleEvent.STOPPING && event.getBundle().getBundleId() == Constants.SYSTEM_BUNDLE_ID) {
                frameworkStopping = true;
                server.stopServing(timeout -> tenants.awaitIdle(null, timeout));
            }
        };
        context.addBundleListener(stopListener);
        handlers = new HandlerRegistry(context, tenants, this::gone);
        handlers.open();
        server = new DeviceServer(settings);
        server.start(mapper -> new DeviceHandler(tables::current, mapper, adapterPool, deadlines, settings, backends, followers,
                spans).splitBy(tables::splits));
    }

    @Deactivate
    void deactivate() throws Exception {
        frameworkStopping = true;
        context.removeBundleListener(stopListener);
        server.stop();
        AccessLog.flush(); // the lines of the last requests, which the writer would take in a moment
        tables.clear();
        handlers.close();
        deadlines.close();
        adapterPool.stop();
    }

    @Override
    public AutoCloseable follow(String adapter, String environment, java.util.function.Consumer<dev.mosaic.gateway.Served> served) {
        return followers.add(adapter, environment, served);
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public boolean serving() {
        return server.serving();
    }

    @Override
    public synchronized List<RouteInfo> prepare(String environment, Collection<Bundle> joining, Collection<Bundle> leaving)
            throws RoutingException {
        List<Target> added = obtain(environment, joining);
        tables.next(environment, added, replaced(added, leaving));
        List<RouteInfo> infos = new ArrayList<>();
        for (Target t : added) {
            infos.add(RouteTables.info(environment, t));
        }
        return infos;
    }

    @Override
    public synchronized void switchRoutes(String environment, Collection<Bundle> joining, Collection<Bundle> leaving)
            throws RoutingException {
        List<Target> added = obtain(environment, joining);
        tables.publish(environment, tables.next(environment, added, replaced(added, leaving)));
    }

    @Override
    public synchronized void prepareSplit(String environment, Collection<Bundle> bundles) throws RoutingException {
        for (Bundle b : bundles) {
            armTable(environment, b);
        }
    }

    @Override
    public synchronized void split(String environment, String adapter, java.util.Map<Bundle, Integer> shares, String stickyKey)
            throws RoutingException {
        if (shares.isEmpty()) {
            if (tables.splits().getOrDefault(environment, java.util.Map.of()).containsKey(adapter)) {
                tables.split(environment, adapter, null);
            }
            return;
        }
        int total = 0;
        for (int w : shares.values()) {
            if (w < 0 || w > 100) {
                throw new RoutingException(RoutingException.INVALID_ROUTE, "a version's share is from 0 to 100, not " + w);
            }
            total += w;
        }
        if (total != 100) {
            throw new RoutingException(RoutingException.INVALID_ROUTE, "the versions' shares of " + adapter + " add up to "
                    + total + ", not 100");
        }
        RoutingTable<Target> main = tables.current().getOrDefault(environment, RoutingTable.empty());
        List<Split.Arm> arms = new ArrayList<>();
        int upTo = 0;
        // by version: the same buckets go to the same versions on every instance of a fleet (sticky keys stay put)
        List<java.util.Map.Entry<Bundle, Integer>> ordered = new ArrayList<>(shares.entrySet());
        ordered.sort((x, y) -> x.getKey().getVersion().compareTo(y.getKey().getVersion()));
        for (java.util.Map.Entry<Bundle, Integer> share : ordered) {
            Bundle b = share.getKey();
            upTo += share.getValue();
            boolean served = main.entries().stream().anyMatch(e -> e.target().bundleId() == b.getBundleId());
            arms.add(new Split.Arm(b.getBundleId(), b.getVersion().toString(), upTo, served ? null : armTable(environment, b)));
        }
        tables.split(environment, adapter, new Split(adapter, arms, stickyKey));
    }

    /** @return the bundle's routes as a table of their own, for a version that serves through a split */
    private RoutingTable<Target> armTable(String environment, Bundle bundle) throws RoutingException {
        List<RoutingTable.Entry<Target>> entries = new ArrayList<>();
        obtain(environment, List.of(bundle)).forEach(t -> entries.add(t.entry()));
        try {
            return RoutingTable.of(entries);
        } catch (RoutingTable.ConflictException c) {
            Target first = (Target) c.first().target();
            throw new RoutingException(RoutingException.ROUTE_CONFLICT, first.tenant + " has two handlers for " + first.method
                    + " " + first.template.shape() + "; each route needs exactly one");
        }
    }

    @Override
    public boolean awaitIdle(Collection<Bundle> bundles, Duration timeout) throws InterruptedException {
        return tenants.awaitIdle(bundles, timeout.toNanos()) == 0;
    }

    @Override
    public dev.mosaic.gateway.TraceCounts traces() {
        return spans.counts();
    }

    @Override
    public dev.mosaic.gateway.AccessLogCounts accessLog() {
        return AccessLog.counts();
    }

    @Override
    public List<dev.mosaic.gateway.RouteStats> stats() {
        return tables.stats();
    }

    @Override
    public List<RouteInfo> routes() {
        return tables.routes();
    }

    /** The handlers of the bundles, obtained and checked, for the environment. */
    private List<Target> obtain(String environment, Collection<Bundle> bundles) throws RoutingException {
        if (environment == null || !ENVIRONMENT_NAME.matcher(environment).matches()) {
            throw new RoutingException(RoutingException.INVALID_ENVIRONMENT, "'" + environment
                    + "' is not an environment name: use lower case letters, digits and '-', starting with a letter, at most 32");
        }
        return handlers.targets(bundles);
    }

    /** What the leaving bundles serve, and what the joining ones served before (a bundle re-joining replaces itself). */
    private List<Target> replaced(List<Target> added, Collection<Bundle> leaving) {
        Set<Long> bundles = new LinkedHashSet<>();
        leaving.forEach(b -> bundles.add(b.getBundleId()));
        added.forEach(t -> bundles.add(t.bundleId()));
        List<Target> removed = new ArrayList<>();
        for (long id : bundles) {
            removed.addAll(handlers.obtained(id));
        }
        return removed;
    }

    /** A handler going away while it serves (its bundle stopped behind the deployer's back) stops serving. */
    private void gone(Target target) {
        if (frameworkStopping) {
            return; // the server stopped before the adapters did: no route to take out one by one
        }
        synchronized (this) {
            for (String env : tables.removeEverywhere(target)) {
                LOG.warn("{} stopped while serving in environment {}; its route now answers 404", target.describe(), env);
            }
        }
    }
}
