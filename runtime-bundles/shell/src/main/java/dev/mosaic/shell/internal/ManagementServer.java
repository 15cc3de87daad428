package dev.mosaic.shell.internal;

import java.net.InetAddress;
import java.nio.file.Path;

import org.eclipse.jetty.http.pathmap.ServletPathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.Restoring;
import dev.mosaic.gateway.Connections;
import dev.mosaic.gateway.Gateway;
import dev.mosaic.backends.Backends;
import dev.mosaic.insight.Insight;
import dev.mosaic.shell.ManagementApi;

/**
 * The management port: the HTTP management API under {@code /api/v1} ({@link ApiRoutes},
 * every route behind the {@link BearerAuth}) and the health {@link Probes} (no token), on a
 * Jetty server of its own, bound to 127.0.0.1 unless configured otherwise. The probes can
 * also have a port of their own, which may listen beyond loopback: it serves nothing else.
 *
 * <p>Configuration (framework properties): {@code mosaic.mgmt.port} (default 8081, 0 for
 * any free port), {@code mosaic.mgmt.host} (default 127.0.0.1; another address needs
 * {@code mosaic.mgmt.allowRemote=true}), {@code mosaic.mgmt.maxUploadBytes} (default 64 MiB),
 * {@code mosaic.mgmt.maxAuthFailures} and {@code mosaic.mgmt.authLockMillis} (after that
 * many failed authentications from one address, every request from it is refused for that
 * long; default 20 and 60000), {@code mosaic.data} (where the generated token is kept),
 * {@code mosaic.health.port} and {@code mosaic.health.host} (the probes' own port, none by
 * default; all interfaces unless a host is given).
 */
@Component(service = ManagementApi.class, immediate = true)
public final class ManagementServer implements ManagementApi {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    private static final String HEALTH_CONNECTOR = "health";
    private static final String METRICS_CONNECTOR = "metrics";

    // Optional and dynamic: the API listens from the start and, while the deployer restores the
    // recorded deployments (minutes, with thousands of them), answers 503 saying how far it has got.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Deployer deployer;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Insight insight;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Restoring restoring;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Gateway gateway;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile dev.mosaic.logs.RuntimeLogs logs;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Backends backends;

    private volatile dev.mosaic.deployer.Fleet fleet;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindFleet(dev.mosaic.deployer.Fleet f) {
        fleet = f;
        announce();
    }

    void unbindFleet(dev.mosaic.deployer.Fleet f) {
        if (fleet == f) {
            fleet = null;
        }
    }

    /** In a fleet: this runtime's token is accepted by every instance, and the fleet's by this one. */
    private void announce() {
        dev.mosaic.deployer.Fleet f = fleet;
        Tokens t = tokens;
        String u = url;
        if (f == null || t == null || u == null) {
            return; // activate announces once it has all three
        }
        t.alsoAccept(presented -> {
            dev.mosaic.deployer.Fleet current = fleet;
            return current != null && current.accepts(presented);
        });
        try {
            f.announce(u, t.value());
        } catch (dev.mosaic.deployer.DeployException e) {
            LOG.warn("this instance's management token could not be announced to the fleet ({}); other instances do not"
                    + " accept it until it is (at the next start)", e.getMessage());
        }
    }

    private Server server;
    private volatile Tokens tokens;
    private volatile String url;
    private String healthUrl;

    /** Why the deployer or insight is not there yet (the API's 503, the probe and the console say the same). */
    static String notYet(Restoring r) {
        return r == null ? "the runtime is starting; try again shortly"
                : String.format(java.util.Locale.ROOT, "the runtime is restoring its recorded deployments (%,d of %,d"
                        + " installed); try again shortly", r.installed(), r.deployments());
    }

    @Activate
    void activate(BundleContext context) throws Exception {
        int port = Integer.parseInt(property(context, "mosaic.mgmt.port", "8081"));
        String host = property(context, "mosaic.mgmt.host", "127.0.0.1");
        long maxUpload = Long.parseLong(property(context, "mosaic.mgmt.maxUploadBytes", Long.toString(64L << 20)));
        tokens = Tokens.load(System.getenv(Tokens.ENV), Path.of(property(context, "mosaic.data", "mosaic-data")).toAbsolutePath());
        if (!InetAddress.getByName(host).isLoopbackAddress()) {
            if (!"true".equals(context.getProperty("mosaic.mgmt.allowRemote"))) {
                throw new IllegalStateException("the management API would listen on " + host + ", reachable from other"
                        + " machines; say so explicitly with --mgmt-allow-remote (mosaic.mgmt.allowRemote=true)");
            }
            LOG.warn("the management API listens on {}, reachable from other machines; anyone holding the token can deploy", host);
        }
        AuthFailures failures = new AuthFailures(Integer.parseInt(property(context, "mosaic.mgmt.maxAuthFailures", "20")),
                Long.parseLong(property(context, "mosaic.mgmt.authLockMillis", "60000")));

        PathMappingsHandler mappings = new PathMappingsHandler();
        new Probes(() -> deployer, () -> restoring, () -> gateway).addTo(mappings);
        RouteCalls calls = new RouteCalls(context.getProperty("mosaic.gateway.host"), context.getProperty("mosaic.trace.key"));
        Metrics metrics = new Metrics(() -> gateway, () -> backends, () -> deployer, () -> fleet, context);
        mappings.addMapping(new ServletPathSpec("/metrics"), new BearerAuth(tokens, failures, metrics));
        ConsoleSessions sessions = new ConsoleSessions();
        WebConsole console = new WebConsole(tokens, failures, sessions);
        mappings.addMapping(new ServletPathSpec("/console"), console);
        mappings.addMapping(new ServletPathSpec("/console/*"), console);
        new ApiRoutes(() -> deployer, () -> insight, () -> restoring, () -> backends, () -> gateway, calls, () -> logs,
                next -> new BearerAuth(tokens, failures, sessions, next), maxUpload)
                .inFleet(new FleetViews(() -> fleet, java.time.Duration.ofMillis(Long.parseLong(property(context,
                        "mosaic.fleet.awaitMillis", "30000")))))
                .timedBy((r, template, status, nanos) -> {
                    metrics.managementCall(template, r.method(), status, nanos);
                    if (!r.method().equals("GET")) {
                        // every change asked of the management API, who asked, and how it ended (history has what changed)
                        LOG.info("{} {} by {}: {} in {} ms", r.method(), r.target(), r.actor(), status, nanos / 1_000_000);
                    }
                })
                .addTo(mappings);
        mappings.addMapping(new ServletPathSpec("/"), notFound());

        // the device server's thread pool and connector: the management and health ports face clients too
        QueuedThreadPool threads = Connections.threads("mosaic-mgmt", 16, 2);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = Connections.connector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        ServerConnector health = null;
        String healthPort = context.getProperty("mosaic.health.port");
        if (healthPort != null && !healthPort.isBlank()) {
            health = Connections.connector(server, new HttpConnectionFactory(http));
            health.setName(HEALTH_CONNECTOR);
            health.setPort(Integer.parseInt(healthPort.trim()));
            String healthHost = context.getProperty("mosaic.health.host");
            if (healthHost != null && !healthHost.isBlank()) {
                health.setHost(healthHost.trim());
            }
            server.addConnector(health);
        }
        ServerConnector metricsConnector = null;
        String metricsPort = context.getProperty("mosaic.metrics.port");
        if (metricsPort != null && !metricsPort.isBlank()) {
            metricsConnector = Connections.connector(server, new HttpConnectionFactory(http));
            metricsConnector.setName(METRICS_CONNECTOR);
            metricsConnector.setPort(Integer.parseInt(metricsPort.trim()));
            metricsConnector.setHost(property(context, "mosaic.metrics.host", "127.0.0.1"));
            server.addConnector(metricsConnector);
        }
        server.setHandler(Connections.handler(new ProbesOnlyOnTheirPort(mappings, metrics)));
        server.setErrorHandler(new ApiErrorHandler());
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw new IllegalStateException("cannot serve the management API on " + host + ":" + port
                    + (health == null ? "" : " and the health probes on port " + healthPort) + ": " + e.getMessage()
                    + " (set --mgmt-port" + (health == null ? "" : " or --health-port") + " to a free port)", e);
        }
        url = "http://" + hostForUrl(host) + ":" + connector.getLocalPort() + ApiRoutes.PREFIX;
        LOG.info("management API on {} (token from {})", url, tokens.source());
        announce();
        if (metricsConnector != null) {
            String metricsHost = metricsConnector.getHost();
            LOG.info("metrics on http://{}:{}/metrics (no token; nothing else is served there)", hostForUrl(metricsHost),
                    metricsConnector.getLocalPort());
            if (!InetAddress.getByName(metricsHost).isLoopbackAddress()) {
                LOG.warn("the metrics port listens on {}, reachable from other machines: anyone who reaches it reads the"
                        + " routes, adapters and backends this runtime serves", metricsHost);
            }
        }
        if (health != null) {
            healthUrl = "http://" + hostForUrl(health.getHost() == null ? "0.0.0.0" : health.getHost()) + ":"
                    + health.getLocalPort() + "/health";
            LOG.info("health probes on {}/live and {}/ready (no token; nothing else is served there)", healthUrl, healthUrl);
        }
    }

    @Deactivate
    void deactivate() throws Exception {
        server.stop();
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public String healthUrl() {
        return healthUrl;
    }

    @Override
    public String tokenSource() {
        return tokens.source();
    }

    private static Handler notFound() {
        return new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
                Answers.error(response, callback, 404, "not_found", "no such resource " + ApiRequest.path(request)
                        + "; the API lives under " + ApiRoutes.PREFIX + ", the probes at " + Probes.LIVE + " and "
                        + Probes.READY);
                return true;
            }
        };
    }

    /** The probes' own port serves the probes and nothing else: everything else there is a 404. */
    private static final class ProbesOnlyOnTheirPort extends Handler.Wrapper {
        private final Metrics metrics;

        ProbesOnlyOnTheirPort(Handler next, Metrics metrics) {
            super(next);
            this.metrics = metrics;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = ApiRequest.path(request);
            if (METRICS_CONNECTOR.equals(request.getConnectionMetaData().getConnector().getName())) {
                // the metrics port: /metrics, without a token, and nothing else
                if (path.equals("/metrics")) {
                    return metrics.handle(request, response, callback);
                }
                Answers.error(response, callback, 404, "not_found", "this port serves only /metrics");
                return true;
            }
            if (HEALTH_CONNECTOR.equals(request.getConnectionMetaData().getConnector().getName())
                    && !path.equals(Probes.LIVE) && !path.equals(Probes.READY)) {
                Answers.error(response, callback, 404, "not_found", "this port serves only " + Probes.LIVE + " and "
                        + Probes.READY);
                return true;
            }
            return super.handle(request, response, callback);
        }
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private static String property(BundleContext context, String name, String defaultValue) {
        String v = context.getProperty(name);
        return v == null || v.isBlank() ? defaultValue : v.trim();
    }
}
