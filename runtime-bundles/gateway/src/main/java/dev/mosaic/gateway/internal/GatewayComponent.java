package dev.mosaic.gateway.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import java.util.regex.Pattern;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.api.Route;
import dev.mosaic.api.RouteHandler;
import dev.mosaic.gateway.Gateway;
import dev.mosaic.gateway.RouteInfo;
import dev.mosaic.gateway.RoutingException;
import dev.mosaic.gateway.internal.RoutingTable.Entry;

/**
 * Runs the device-facing Jetty server and keeps one immutable routing table per
 * environment. Changes are serialised on this object; the request path reads the current
 * map of tables through one volatile field.
 *
 * <p>Configuration (framework properties): {@code mosaic.gateway.port} (default 8080, 0
 * for any free port), {@code mosaic.gateway.host} (default: all interfaces),
 * {@code mosaic.gateway.maxBodyBytes} (default 1 MiB), {@code mosaic.gateway.maxHeaderBytes}
 * (request line and headers, default 8 KiB), {@code mosaic.gateway.idleTimeoutMillis}
 * (default 30000), {@code mosaic.gateway.minRequestDataRate} (bytes per second a client
 * must send a body at, default 1024; a body gets at least 5 s and at most
 * {@code mosaic.gateway.maxBodyMillis}, default 30000), {@code mosaic.gateway.maxConnections}
 * (default 10000), {@code mosaic.gateway.timeout} and
 * {@code mosaic.gateway.concurrency} (an adapter's limits unless its {@code Mosaic-Timeout}
 * and {@code Mosaic-Concurrency} headers say otherwise, default 2s and 256), capped by
 * {@code mosaic.gateway.maxTimeout} and {@code mosaic.gateway.maxConcurrency} (30s, 2048);
 * an operator overrides one adapter's limits with {@code mosaic.limits.<name>.timeout} and
 * {@code mosaic.limits.<name>.concurrency}; {@code mosaic.gateway.adapterThreads} bounds
 * the threads running adapter calls (default 2048); {@code mosaic.gateway.inlineBudgetMicros}
 * is how long a non-blocking handler may take before it counts as blocking (default 10000;
 * three such calls move its adapter to the thread pool); {@code mosaic.gateway.invocationType}
 * ({@code adaptive}, the default, {@code blocking} or {@code nonblocking}) is how Jetty schedules device
 * requests and {@code mosaic.gateway.inPlaceCalls} how many blocking calls may hold Jetty
 * threads at once (default half of {@code mosaic.gateway.deviceThreads}, itself 200); see
 * {@link DeviceHandler}. {@code mosaic.gateway.stopTimeout} (default 10s) is how long, when the
 * framework stops, the calls in flight get to finish before the device server closes.
 */
@Component(service = Gateway.class, immediate = true)
public final class GatewayComponent implements Gateway {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayComponent.class);
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");

    /** Every handler service obtained, serving or only prepared. */
    private final Map<ServiceReference<RouteHandler>, Target> held = new ConcurrentHashMap<>();
    /** The same handlers by bundle id: what a bundle serves is found without walking every handler held. */
    private final Map<Long, Map<ServiceReference<RouteHandler>, Target>> heldByBundle = new ConcurrentHashMap<>();
    /** The adapters (bundles) whose handlers were obtained, by bundle id. */
    private final Map<Long, Tenant> tenants = new ConcurrentHashMap<>();

    private volatile Map<String, RoutingTable<Target>> tables = Map.of();

    private BundleContext context;
    /** Set by the thread that starts it, before {@link #started} completes. */
    private volatile Server server;
    private volatile DeviceHandler deviceHandler;
    /** Set when the framework begins to stop: from then on adapters stopping are expected, not a loss of routes. */
    private volatile boolean frameworkStopping;
    private SynchronousBundleListener stopListener;
    private long stopTimeoutMillis;
    private ServiceListener listener;
    /** The port, once the server listens. */
    private volatile CompletableFuture<Integer> started;
    private QueuedThreadPool adapterPool;
    private Deadlines deadlines;
    private long defaultTimeout;
    private long maxTimeout;
    private int defaultConcurrency;
    private int maxConcurrency;

    @Activate
    void activate(BundleContext context) throws Exception {
        this.context = context;
        int wantedPort = intProperty(context, "mosaic.gateway.port", 8080);
        String host = context.getProperty("mosaic.gateway.host");
        long maxBody = intProperty(context, "mosaic.gateway.maxBodyBytes", 1 << 20);
        maxTimeout = Limits.millis(property(context, "mosaic.gateway.maxTimeout", "30s"));
        defaultTimeout = Math.min(maxTimeout, Limits.millis(property(context, "mosaic.gateway.timeout", "2s")));
        maxConcurrency = Limits.count(property(context, "mosaic.gateway.maxConcurrency", "2048"));
        defaultConcurrency = Math.min(maxConcurrency, Limits.count(property(context, "mosaic.gateway.concurrency", "256")));

        // Jetty's pool: idle threads take jobs from its queue, and reserved threads take a hand-off
        // without waking anyone (tryExecute), which is what makes a blocking call cheap to dispatch.
        adapterPool = new QueuedThreadPool(intProperty(context, "mosaic.gateway.adapterThreads", 2048), 8, 30_000);
        adapterPool.setName("mosaic-adapter");
        adapterPool.setDaemon(true);
        adapterPool.start();
        deadlines = new Deadlines(10);

        stopTimeoutMillis = Limits.millis(property(context, "mosaic.gateway.stopTimeout", "10s"));
        // The framework stops the adapters (a higher start level) before this bundle: stop taking
        // device traffic first, so that no adapter is stopped in the middle of a call.
        stopListener = event -> {
            if (event.getType() == BundleEvent.STOPPING && event.getBundle().getBundleId() == Constants.SYSTEM_BUNDLE_ID) {
                stopServing();
            }
        };
        context.addBundleListener(stopListener);
        listener = this::serviceChanged;
        context.addServiceListener(listener, "(" + Constants.OBJECTCLASS + "=" + RouteHandler.class.getName() + ")");

        int deviceThreads = intProperty(context, "mosaic.gateway.deviceThreads", 200);
        int maxHeaderBytes = intProperty(context, "mosaic.gateway.maxHeaderBytes", 8192);
        int idleTimeout = intProperty(context, "mosaic.gateway.idleTimeoutMillis", 30_000);
        int maxConnections = intProperty(context, "mosaic.gateway.maxConnections", 10_000);
        int minRequestDataRate = intProperty(context, "mosaic.gateway.minRequestDataRate", 1024);
        int maxBodyMillis = intProperty(context, "mosaic.gateway.maxBodyMillis", 30_000);
        int inlineBudgetMicros = intProperty(context, "mosaic.gateway.inlineBudgetMicros", 10_000);
        String mode = mode(context);
        Invocable.InvocationType invocationType = mode.equals("blocking") ? Invocable.InvocationType.BLOCKING
                : Invocable.InvocationType.NON_BLOCKING;
        int inPlaceCalls = intProperty(context, "mosaic.gateway.inPlaceCalls", deviceThreads / 2);

        // Jetty is made and started on a thread of its own, so that the deployer restores the deployments
        // meanwhile: start-up time is mostly loading classes (Jetty's, jackson's), and there are two cores.
        // The routing tables need no server; port() waits for it, and reports a failure to listen, which the
        // launcher asks for before it says the runtime is ready.
        String where = (host == null ? "*" : host) + ":" + wantedPort;
        started = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                ObjectMapper mapper = Json.mapper();
                QueuedThreadPool threads = new QueuedThreadPool(deviceThreads, 8);
                threads.setName("mosaic-device");
                Server s = new Server(threads);
                HttpConfiguration http = new HttpConfiguration();
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
                // Device traffic is untrusted: bounded headers, no slow-loris bodies, idle connections closed.
                http.setRequestHeaderSize(maxHeaderBytes);
                http.setIdleTimeout(idleTimeout);
                ServerConnector connector = mode.equals("adaptive") ? new AdaptiveConnector(s, new HttpConnectionFactory(http))
                        : new ServerConnector(s, new HttpConnectionFactory(http));
                connector.setIdleTimeout(idleTimeout);
                connector.setPort(wantedPort);
                if (host != null && !host.isBlank()) {
                    connector.setHost(host);
                }
                s.addConnector(connector);
                // Connections wait on the selector, not on threads; still, a flood of them is cut at a bound.
                s.addBean(new NetworkConnectionLimit(maxConnections, connector));
                s.setErrorHandler(new JsonErrorHandler(mapper));
                DeviceHandler handler = new DeviceHandler(() -> tables, mapper, maxBody, adapterPool, deadlines, minRequestDataRate,
                        maxBodyMillis, inlineBudgetMicros, invocationType, inPlaceCalls);
                s.setHandler(handler);
                deviceHandler = handler;
                server = s;
                s.start();
                LOG.info("gateway serving devices on port {}", connector.getLocalPort());
                started.complete(connector.getLocalPort());
            } catch (Exception | LinkageError e) {
                LOG.error("cannot serve devices on {}: {}", where, e.getMessage(), e);
                started.completeExceptionally(new IllegalStateException("cannot serve devices on " + where + ": "
                        + e.getMessage() + " (set --port to a free port)", e));
            }
        }, "mosaic-gateway-start");
        starter.setDaemon(true);
        starter.start();
    }

    /**
     * The framework is stopping: no new device connections, 503 (with {@code Connection: close})
     * for new requests on open ones, and the calls in flight get up to
     * {@code mosaic.gateway.stopTimeout} to finish; then the server stops.
     */
    private void stopServing() {
        frameworkStopping = true;
        Server s;
        try {
            started.join();
            s = server;
        } catch (java.util.concurrent.CompletionException e) {
            return; // it never served
        }
        long t0 = System.nanoTime();
        deviceHandler.refuseNewCalls();
        for (org.eclipse.jetty.server.Connector c : s.getConnectors()) {
            if (c instanceof ServerConnector listening) {
                listening.close(); // stops accepting; open connections stay until the server stops
            }
        }
        long running = 0;
        try {
            long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(stopTimeoutMillis);
            while ((running = running()) > 0 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            s.stop();
        } catch (Exception e) {
            LOG.warn("stopping the device server failed: {}", e.getMessage(), e);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (running > 0) {
            LOG.warn("stopped serving devices after {} ms; {} call(s) still running were cut off (mosaic.gateway.stopTimeout {} ms)",
                    ms, running, stopTimeoutMillis);
        } else {
            LOG.info("stopped serving devices: the calls in flight finished in {} ms", ms);
        }
    }

    private long running() {
        long n = 0;
        for (Tenant t : tenants.values()) {
            n += t.active();
        }
        return n;
    }

    @Deactivate
    void deactivate() throws Exception {
        context.removeBundleListener(stopListener);
        context.removeServiceListener(listener);
        try {
            started.join();
        } catch (java.util.concurrent.CompletionException e) {
            // it never served; stopping it below releases what it took
        }
        if (server != null) {
            server.stop();
        }
        deadlines.close();
        adapterPool.stop();
        tables = Map.of();
        for (ServiceReference<RouteHandler> ref : held.keySet()) {
            ungetQuietly(ref);
        }
        held.clear();
        heldByBundle.clear();
    }

    /**
     * @return the port, once the server listens (waiting for it if it is still starting)
     * @throws IllegalStateException if the server could not start
     */
    @Override
    public int port() {
        try {
            return started.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof IllegalStateException i ? i : new IllegalStateException(e.getCause());
        }
    }

    @Override
    public synchronized List<RouteInfo> prepare(String environment, Collection<Bundle> joining,
            Collection<Bundle> leaving) throws RoutingException {
        List<Entry<Target>> added = obtain(environment, joining);
        build(environment, added, leaving);
        List<RouteInfo> infos = new ArrayList<>();
        for (Entry<Target> e : added) {
            infos.add(info(environment, e.target()));
        }
        return infos;
    }

    @Override
    public synchronized void switchRoutes(String environment, Collection<Bundle> joining, Collection<Bundle> leaving)
            throws RoutingException {
        RoutingTable<Target> table = build(environment, obtain(environment, joining), leaving);
        Map<String, RoutingTable<Target>> next = new HashMap<>(tables);
        if (table.size() == 0) {
            next.remove(environment);
        } else {
            next.put(environment, table);
        }
        tables = Map.copyOf(next);
    }

    @Override
    public boolean awaitIdle(Collection<Bundle> bundles, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long running = 0;
            for (Bundle b : bundles) {
                Tenant tenant = tenants.get(b.getBundleId());
                running += tenant == null ? 0 : tenant.active();
            }
            if (running == 0) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    @Override
    public List<RouteInfo> routes() {
        List<RouteInfo> infos = new ArrayList<>();
        for (Map.Entry<String, RoutingTable<Target>> env : tables.entrySet()) {
            for (Entry<Target> e : env.getValue().entries()) {
                infos.add(info(env.getKey(), e.target()));
            }
        }
        infos.sort((a, b) -> {
            int c = a.environment.compareTo(b.environment);
            c = c != 0 ? c : a.path.compareTo(b.path);
            return c != 0 ? c : a.method.compareTo(b.method);
        });
        return infos;
    }

    /** The table the environment would have with {@code added} in and {@code leaving} out. */
    private RoutingTable<Target> build(String environment, List<Entry<Target>> added, Collection<Bundle> leaving)
            throws RoutingException {
        // what the leaving bundles serve, and what the joining ones served before (a bundle re-joining replaces itself)
        List<Entry<Target>> removed = new ArrayList<>();
        Set<Bundle> replaced = new HashSet<>(leaving);
        for (Entry<Target> e : added) {
            replaced.add(e.target().reference.getBundle());
        }
        for (Bundle b : replaced) {
            if (b == null) {
                continue;
            }
            try {
                for (ServiceReference<RouteHandler> ref : handlerReferences(b)) {
                    Target t = held.get(ref);
                    if (t != null) {
                        removed.add(t.entry());
                    }
                }
            } catch (IllegalStateException uninstalled) {
                // its services cannot be asked for any more: what it served is among the handlers held
                for (Target t : heldBy(b.getBundleId()).values()) {
                    removed.add(t.entry());
                }
            }
        }
        try {
            return tables.getOrDefault(environment, RoutingTable.empty()).with(added, removed);
        } catch (RoutingTable.ConflictException c) {
            Target first = (Target) c.first().target();
            Target second = (Target) c.second().target();
            if (first.bundleId() == second.bundleId()) {
                throw new RoutingException(RoutingException.ROUTE_CONFLICT, first.tenant
                        + " has two handlers for " + first.method + " " + first.template.shape() + " ("
                        + first.template + " and " + second.template + "); each route needs exactly one");
            }
            Target existing = added.stream().anyMatch(a -> a.target() == first) ? second : first;
            Target claimant = existing == first ? second : first;
            throw new RoutingException(RoutingException.ROUTE_CONFLICT, "route " + claimant.method + " "
                    + claimant.template + " of " + claimant.tenant
                    + " is already served by " + existing.tenant + " (" + existing.method + " "
                    + existing.template + ") in environment " + environment
                    + "; undeploy that adapter first or choose another path");
        }
    }

    /** Gets (activating) the handler services of the bundles, with their validated routes. */
    private List<Entry<Target>> obtain(String environment, Collection<Bundle> bundles) throws RoutingException {
        if (environment == null || !ENVIRONMENT_NAME.matcher(environment).matches()) {
            throw new RoutingException(RoutingException.INVALID_ENVIRONMENT, "'" + environment
                    + "' is not an environment name: use lower case letters, digits and '-', starting with a letter, at most 32");
        }
        List<Entry<Target>> entries = new ArrayList<>();
        for (Bundle bundle : bundles) {
            for (ServiceReference<RouteHandler> ref : handlerReferences(bundle)) {
                Target target = held.get(ref);
                if (target == null) {
                    target = obtain(ref);
                    hold(ref, target);
                }
                entries.add(target.entry());
            }
        }
        return entries;
    }

    private Target obtain(ServiceReference<RouteHandler> ref) throws RoutingException {
        Bundle bundle = ref.getBundle();
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
        Tenant tenant = tenants.get(bundle.getBundleId());
        if (tenant == null) {
            tenant = tenant(bundle);
            tenants.put(bundle.getBundleId(), tenant);
        }
        Object blocking = ref.getProperty(Route.BLOCKING_PROPERTY);
        boolean inline = Boolean.FALSE.equals(blocking) || "false".equalsIgnoreCase(String.valueOf(blocking));
        return new Target(ref, handler, tenant, method, template, inline);
    }

    /** The adapter's limits: the operator's configuration, else its manifest, else the defaults; capped. */
    private Tenant tenant(Bundle bundle) throws RoutingException {
        String name = bundle.getSymbolicName();
        String where = name + " " + bundle.getVersion();
        long timeout;
        int concurrency;
        String timeoutText = firstOf(context.getProperty("mosaic.limits." + name + ".timeout"),
                bundle.getHeaders("").get(Limits.TIMEOUT_HEADER));
        String concurrencyText = firstOf(context.getProperty("mosaic.limits." + name + ".concurrency"),
                bundle.getHeaders("").get(Limits.CONCURRENCY_HEADER));
        try {
            timeout = timeoutText == null ? defaultTimeout : Limits.millis(timeoutText);
        } catch (IllegalArgumentException e) {
            throw new RoutingException(RoutingException.INVALID_ROUTE, where + " has " + Limits.TIMEOUT_HEADER + " " + e.getMessage());
        }
        try {
            concurrency = concurrencyText == null ? defaultConcurrency : Limits.count(concurrencyText);
        } catch (IllegalArgumentException e) {
            throw new RoutingException(RoutingException.INVALID_ROUTE, where + " has " + Limits.CONCURRENCY_HEADER + " "
                    + e.getMessage());
        }
        if (timeout > maxTimeout || concurrency > maxConcurrency) {
            LOG.warn("{} asks for a timeout of {} ms and {} concurrent calls; the platform allows at most {} ms and {}",
                    where, timeout, concurrency, maxTimeout, maxConcurrency);
        }
        return new Tenant(bundle.getBundleId(), name, bundle.getVersion().toString(), Math.min(timeout, maxTimeout),
                Math.min(concurrency, maxConcurrency));
    }

    private static String firstOf(String a, String b) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : null;
    }

    @SuppressWarnings("unchecked")
    private List<ServiceReference<RouteHandler>> handlerReferences(Bundle bundle) {
        List<ServiceReference<RouteHandler>> refs = new ArrayList<>();
        ServiceReference<?>[] registered = bundle.getRegisteredServices();
        if (registered == null) {
            return refs;
        }
        String name = RouteHandler.class.getName();
        for (ServiceReference<?> ref : registered) {
            String[] classes = (String[]) ref.getProperty(Constants.OBJECTCLASS);
            if (List.of(classes).contains(name) && ref.isAssignableTo(context.getBundle(), name)) {
                refs.add((ServiceReference<RouteHandler>) ref);
            }
        }
        refs.sort(null);
        return refs;
    }

    /** A handler going away while it serves (its bundle stopped behind the deployer's back) stops serving. */
    @SuppressWarnings("unchecked")
    private void serviceChanged(ServiceEvent event) {
        if (event.getType() != ServiceEvent.UNREGISTERING) {
            return;
        }
        ServiceReference<RouteHandler> ref = (ServiceReference<RouteHandler>) event.getServiceReference();
        Target target = release(ref);
        if (target == null) {
            return;
        }
        if (frameworkStopping) {
            // the server stopped before the adapters did: no route to take out one by one
            ungetQuietly(ref);
            if (heldBy(target.bundleId()).isEmpty()) {
                tenants.remove(target.bundleId());
            }
            return;
        }
        synchronized (this) {
            Map<String, RoutingTable<Target>> next = new HashMap<>();
            boolean changed = false;
            for (Map.Entry<String, RoutingTable<Target>> env : tables.entrySet()) {
                RoutingTable<Target> kept;
                try {
                    kept = env.getValue().with(List.of(), List.of(target.entry()));
                } catch (RoutingTable.ConflictException impossible) {
                    throw new IllegalStateException(impossible);
                }
                if (kept != env.getValue()) {
                    changed = true;
                    LOG.warn("{} stopped while serving in environment {}; its route now answers 404",
                            target.describe(), env.getKey());
                }
                if (kept.size() > 0) {
                    next.put(env.getKey(), kept);
                }
            }
            if (changed) {
                tables = Map.copyOf(next);
            }
        }
        ungetQuietly(ref);
        if (heldBy(target.bundleId()).isEmpty()) {
            tenants.remove(target.bundleId());
        }
    }

    private void hold(ServiceReference<RouteHandler> ref, Target target) {
        held.put(ref, target);
        heldByBundle.computeIfAbsent(target.bundleId(), id -> new ConcurrentHashMap<>()).put(ref, target);
    }

    /** @return the target no longer held, or null if it was not */
    private Target release(ServiceReference<RouteHandler> ref) {
        Target target = held.remove(ref);
        if (target != null) {
            heldByBundle.computeIfPresent(target.bundleId(), (id, refs) -> {
                refs.remove(ref);
                return refs.isEmpty() ? null : refs;
            });
        }
        return target;
    }

    private Map<ServiceReference<RouteHandler>, Target> heldBy(long bundleId) {
        return heldByBundle.getOrDefault(bundleId, Map.of());
    }

    private void ungetQuietly(ServiceReference<RouteHandler> ref) {
        try {
            context.ungetService(ref);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // the gateway's own context or the service is already gone: nothing to release
        }
    }

    private static RouteInfo info(String environment, Target t) {
        RouteInfo info = new RouteInfo();
        info.environment = environment;
        info.method = t.method;
        info.path = t.template.toString();
        info.adapter = t.tenant.adapter;
        info.adapterVersion = t.tenant.version;
        info.bundleId = t.bundleId();
        info.requests = t.requests.sum();
        info.failures = t.failures.sum();
        info.timeoutMillis = t.tenant.timeoutMillis;
        info.concurrency = t.tenant.concurrency;
        info.timeouts = t.tenant.timeouts.sum();
        info.rejected = t.tenant.rejected.sum();
        return info;
    }

    /** How Jetty schedules device requests: {@code adaptive} (the default), {@code blocking} or {@code nonblocking}. */
    static String mode(BundleContext context) {
        String v = property(context, "mosaic.gateway.invocationType", "adaptive").toLowerCase(java.util.Locale.ROOT);
        if (!v.equals("adaptive") && !v.equals("blocking") && !v.equals("nonblocking")) {
            throw new IllegalArgumentException("mosaic.gateway.invocationType must be adaptive, blocking or nonblocking,"
                    + " got '" + v + "'");
        }
        return v;
    }

    private static String property(BundleContext context, String name, String defaultValue) {
        String value = context.getProperty(name);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    private static int intProperty(BundleContext context, String name, int defaultValue) {
        String value = context.getProperty(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("framework property " + name + " must be a number, got '" + value + "'");
        }
    }
}
