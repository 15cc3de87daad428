package dev.mosaic.shell.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import dev.mosaic.backends.BackendStats;
import dev.mosaic.backends.Backends;
import dev.mosaic.backends.LatencyHistogram;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.gateway.Gateway;
import dev.mosaic.gateway.RouteStats;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * {@code GET /metrics}: Prometheus metrics, with the Prometheus client library (its model and text format). What the
 * platform counts anyway is read when scraped, so that serving a request pays nothing more for metrics than the
 * gateway's counters: per route of each adapter version in each environment, requests by status class and a latency
 * histogram, timeouts (504), rejections (503) and requests in flight; per backend, calls, errors, retries, latency and
 * breaker state; per module version, the consumers wired to it; the management API's own calls, by route and status,
 * with their latency (deploys, releases, yanks...); the bundles by state; in a fleet, the revision this instance
 * serves, its lag and whether it reaches the store; and the JVM's (memory, threads, GC), made
 * ready by the first scrape rather than at start-up. A retired version's series go with it: only what serves is read.
 */
final class Metrics extends Handler.Abstract {

    private static final String[] CLASSES = { "1xx", "2xx", "3xx", "4xx", "5xx" };

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    /** For a scraper that asks for OpenMetrics (Prometheus does): the same series, with the latencies' exemplars. */
    private final OpenMetricsTextFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();
    private final Counter managementCalls;
    private final Histogram managementLatency;
    private volatile boolean jvm;

    Metrics(Supplier<Gateway> gateway, Supplier<Backends> backends, Supplier<Deployer> deployer,
            Supplier<dev.mosaic.deployer.Fleet> fleet, BundleContext context) {
        registry.register((MultiCollector) () -> collect(gateway.get(), backends.get(), deployer.get(), fleet.get(), context));
        managementCalls = Counter.builder().name("mosaic_management_requests").help("Calls of the management API, by"
                + " route, method and status: deploys, releases, yanks, ...").labelNames("route", "method", "status")
                .withoutExemplars().register(registry);
        managementLatency = Histogram.builder().name("mosaic_management_request_duration_seconds").help("How long calls of"
                + " the management API took, by route and method").labelNames("route", "method")
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30).classicOnly()
                .withoutExemplars().register(registry);
    }

    /** Counts a management call once answered (its route template, not its path: the label values stay few). */
    void managementCall(String template, String method, int status, long nanos) {
        managementCalls.labelValues(template, method, Integer.toString(status)).inc();
        managementLatency.labelValues(template, method).observe(nanos / 1e9);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!request.getMethod().equals("GET")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET");
            Answers.error(response, callback, 405, "method_not_allowed", "/metrics is GET");
            return true;
        }
        if (!jvm) {
            synchronized (this) {
                if (!jvm) {
                    JvmMetrics.builder().register(registry);
                    jvm = true;
                }
            }
        }
        // Prometheus asks for gzip: the text of thousands of adapters shrinks some fifteen times
        String accepted = request.getHeaders().get(HttpHeader.ACCEPT_ENCODING);
        boolean gzip = accepted != null && accepted.toLowerCase(java.util.Locale.ROOT).contains("gzip");
        ExpositionFormatWriter format = openMetrics.accepts(request.getHeaders().get(HttpHeader.ACCEPT)) ? openMetrics : writer;
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try (java.io.OutputStream text = gzip ? new java.util.zip.GZIPOutputStream(out, 64 * 1024) : out) {
            format.write(text, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException | RuntimeException e) {
            Answers.error(response, callback, 500, "internal", "the metrics could not be written: " + e);
            return true;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, format.getContentType());
        response.getHeaders().put(HttpHeader.VARY, "Accept, Accept-Encoding");
        if (gzip) {
            response.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
        }
        byte[] body = out.toByteArray();
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, java.nio.ByteBuffer.wrap(body), callback);
        return true;
    }

    private static MetricSnapshots collect(Gateway gateway, Backends backends, Deployer deployer, dev.mosaic.deployer.Fleet fleet,
            BundleContext context) {
        List<MetricSnapshot> all = new ArrayList<>();
        if (fleet != null) {
            fleet(fleet.status(), all);
        }
        if (gateway != null) {
            routes(gateway.stats(), all);
            traces(gateway.traces(), all);
            accessLog(gateway.accessLog(), all);
        }
        if (backends != null) {
            backends(backends.stats(null), all);
        }
        if (deployer != null) {
            modules(deployer.list(null, null, null), all);
        }
        GaugeSnapshot.Builder bundles = GaugeSnapshot.builder().name("mosaic_bundles").help("Bundles in the framework, by state");
        Map<String, Integer> byState = new HashMap<>();
        for (Bundle b : context.getBundles()) {
            byState.merge(state(b.getState()), 1, Integer::sum);
        }
        byState.forEach((s, n) -> bundles.dataPoint(GaugeDataPointSnapshot.builder().value(n).labels(Labels.of("state", s)).build()));
        all.add(bundles.build());
        return new MetricSnapshots(all);
    }

    /** A fleet instance's view of the store, as it knows it already: a scrape never asks the store anything. */
    private static void fleet(dev.mosaic.deployer.Fleet.StoreStatus s, List<MetricSnapshot> all) {
        all.add(gauge("mosaic_fleet_applied_revision", "The store's revision this instance serves", s.applied()));
        all.add(gauge("mosaic_fleet_lag_revisions", "Revisions of the store this instance has not applied (as of its last"
                + " heartbeat)", s.head() - s.applied()));
        all.add(gauge("mosaic_fleet_store_reachable", "1 if the last exchange with the fleet's store succeeded", s.reachable() ? 1 : 0));
        all.add(gauge("mosaic_fleet_store_unreachable_seconds", "How long the store has not been reachable (0 when it is)",
                s.reachable() ? 0 : (System.currentTimeMillis() - s.unreachableSinceMillis()) / 1000.0));
        all.add(gauge("mosaic_fleet_apply_failing", "1 if this instance cannot apply the store's next revision (see fleet)",
                s.reachable() && s.problem() != null ? 1 : 0));
    }

    /** While the runtime traces: how many traces the sampling kept, of those started here and those a caller named. */
    private static void traces(dev.mosaic.gateway.TraceCounts t, List<MetricSnapshot> all) {
        if (!t.tracing()) {
            return;
        }
        CounterSnapshot.Builder traces = CounterSnapshot.builder().name("mosaic_traces")
                .help("Traces of device requests: started here or continued from the caller's traceparent, and whether"
                        + " kept (spans recorded and exported; see --trace-sample)");
        long[] counts = {t.startedKept(), t.startedNotKept(), t.continuedKept(), t.continuedNotKept()};
        for (int i = 0; i < counts.length; i++) {
            traces.dataPoint(CounterDataPointSnapshot.builder().value(counts[i])
                    .labels(Labels.of("origin", i < 2 ? "here" : "caller", "kept", i % 2 == 0 ? "true" : "false")).build());
        }
        all.add(traces.build());
    }

    /** While the access log is on: its lines written, and dropped because requests came faster than they were written. */
    private static void accessLog(dev.mosaic.gateway.AccessLogCounts a, List<MetricSnapshot> all) {
        if (!a.on()) {
            return;
        }
        all.add(CounterSnapshot.builder().name("mosaic_access_log_lines").help("Access log lines written")
                .dataPoint(CounterDataPointSnapshot.builder().value(a.lines()).build()).build());
        all.add(CounterSnapshot.builder().name("mosaic_access_log_dropped").help("Access log lines dropped: requests came"
                + " faster than the access log's thread wrote them").dataPoint(CounterDataPointSnapshot.builder()
                .value(a.dropped()).build()).build());
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help).dataPoint(GaugeDataPointSnapshot.builder().value(value).build()).build();
    }

    private static void routes(List<RouteStats> stats, List<MetricSnapshot> all) {
        CounterSnapshot.Builder requests = CounterSnapshot.builder().name("mosaic_requests")
                .help("Device requests answered by adapters, by route, adapter version and status class");
        HistogramSnapshot.Builder latency = HistogramSnapshot.builder().name("mosaic_request_duration_seconds")
                .help("How long adapters took to answer device requests, by route and adapter version");
        CounterSnapshot.Builder calls = CounterSnapshot.builder().name("mosaic_route_backend_calls")
                .help("Backend calls made while serving the route");
        Map<String, long[]> tenants = new java.util.TreeMap<>();
        for (RouteStats s : stats) {
            Labels route = Labels.of("environment", s.environment(), "method", s.method(), "route", s.path(), "adapter",
                    s.adapter(), "version", s.version());
            for (int i = 0; i < CLASSES.length; i++) {
                if (s.statusClasses()[i] > 0 || i == 1) {
                    requests.dataPoint(CounterDataPointSnapshot.builder().value(s.statusClasses()[i])
                            .labels(route.add("status", CLASSES[i])).build());
                }
            }
            latency.dataPoint(histogram(s.latency(), route));
            if (s.backendCalls() > 0) { // most routes call no backend: no series for them (10,000 adapters' scrape)
                calls.dataPoint(CounterDataPointSnapshot.builder().value(s.backendCalls()).labels(route).build());
            }
            tenants.put(s.environment() + "\n" + s.adapter() + "\n" + s.version(), new long[] {s.timeouts(), s.rejected(), s.inFlight()});
        }
        CounterSnapshot.Builder timeouts = CounterSnapshot.builder().name("mosaic_adapter_timeouts")
                .help("Requests answered 504 because the adapter missed its deadline");
        CounterSnapshot.Builder rejected = CounterSnapshot.builder().name("mosaic_adapter_rejected")
                .help("Requests answered 503 because the adapter was at its concurrency limit (its bulkhead)");
        GaugeSnapshot.Builder inFlight = GaugeSnapshot.builder().name("mosaic_adapter_requests_in_flight")
                .help("Requests the adapter version is answering now");
        tenants.forEach((key, v) -> {
            String[] k = key.split("\n");
            Labels l = Labels.of("environment", k[0], "adapter", k[1], "version", k[2]);
            // like a status class, a version's 504s and 503s have a series from the first one on (10,000 adapters' scrape)
            if (v[0] > 0) {
                timeouts.dataPoint(CounterDataPointSnapshot.builder().value(v[0]).labels(l).build());
            }
            if (v[1] > 0) {
                rejected.dataPoint(CounterDataPointSnapshot.builder().value(v[1]).labels(l).build());
            }
            inFlight.dataPoint(GaugeDataPointSnapshot.builder().value(v[2]).labels(l).build());
        });
        all.add(requests.build());
        all.add(latency.build());
        all.add(calls.build());
        all.add(timeouts.build());
        all.add(rejected.build());
        all.add(inFlight.build());
    }

    /** @return a histogram's data point (a route's requests, a backend's attempts): buckets, sum and exemplars */
    private static HistogramDataPointSnapshot histogram(LatencyHistogram.Snapshot h, Labels labels) {
        return HistogramDataPointSnapshot.builder().classicHistogramBuckets(ClassicHistogramBuckets.of(bounds(h.bounds()),
                h.counts())).sum(h.seconds()).exemplars(exemplars(h.exemplars())).labels(labels).build();
    }

    /** @return a histogram's exemplars (a route's requests, a backend's attempts): per bucket, the last whose trace was kept */
    private static Exemplars exemplars(List<LatencyHistogram.Exemplar> found) {
        if (found == null || found.stream().allMatch(java.util.Objects::isNull)) {
            return Exemplars.EMPTY;
        }
        List<Exemplar> out = new ArrayList<>();
        for (LatencyHistogram.Exemplar e : found) {
            if (e != null) {
                out.add(Exemplar.builder().traceId(e.traceId()).spanId(e.spanId()).value(e.seconds())
                        .timestampMillis(e.epochMillis()).build());
            }
        }
        return Exemplars.of(out);
    }

    /** @return a histogram's upper bounds, +Inf last */
    private static double[] bounds(List<Double> finite) {
        double[] bounds = new double[finite.size() + 1];
        for (int i = 0; i < bounds.length - 1; i++) {
            bounds[i] = finite.get(i);
        }
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        return bounds;
    }

    private static void backends(List<BackendStats> stats, List<MetricSnapshot> all) {
        CounterSnapshot.Builder calls = CounterSnapshot.builder().name("mosaic_backend_calls").help("Calls made to the backend");
        CounterSnapshot.Builder errors = CounterSnapshot.builder().name("mosaic_backend_errors").help("Calls that failed");
        CounterSnapshot.Builder retries = CounterSnapshot.builder().name("mosaic_backend_retries").help("Attempts retried");
        CounterSnapshot.Builder rejected = CounterSnapshot.builder().name("mosaic_backend_rejected")
                .help("Calls failed fast by the breaker or the concurrency limit");
        GaugeSnapshot.Builder latency = GaugeSnapshot.builder().name("mosaic_backend_latency_seconds")
                .help("Latency of the calls of the last minute, by quantile");
        HistogramSnapshot.Builder attempts = HistogramSnapshot.builder().name("mosaic_backend_attempt_duration_seconds")
                .help("How long attempts at the backend took (a retry is an attempt of its own), since it was declared");
        GaugeSnapshot.Builder inFlight = GaugeSnapshot.builder().name("mosaic_backend_calls_in_flight").help("Calls waiting");
        GaugeSnapshot.Builder breaker = GaugeSnapshot.builder().name("mosaic_backend_breaker_state")
                .help("1 for the state the backend's circuit breaker is in");
        for (BackendStats s : stats) {
            Labels l = Labels.of("environment", s.environment(), "backend", s.spec().name());
            calls.dataPoint(CounterDataPointSnapshot.builder().value(s.calls()).labels(l).build());
            errors.dataPoint(CounterDataPointSnapshot.builder().value(s.errors()).labels(l).build());
            retries.dataPoint(CounterDataPointSnapshot.builder().value(s.retries()).labels(l).build());
            rejected.dataPoint(CounterDataPointSnapshot.builder().value(s.rejected()).labels(l).build());
            inFlight.dataPoint(GaugeDataPointSnapshot.builder().value(s.inFlight()).labels(l).build());
            if (s.p50Millis() >= 0) {
                latency.dataPoint(GaugeDataPointSnapshot.builder().value(s.p50Millis() / 1e3).labels(l.add("quantile", "0.5")).build());
                latency.dataPoint(GaugeDataPointSnapshot.builder().value(s.p99Millis() / 1e3).labels(l.add("quantile", "0.99")).build());
            }
            if (!s.latency().bounds().isEmpty()) {
                attempts.dataPoint(histogram(s.latency(), l));
            }
            for (String state : List.of("closed", "open", "half_open")) {
                breaker.dataPoint(GaugeDataPointSnapshot.builder().value(state.equalsIgnoreCase(String.valueOf(s.breaker())) ? 1 : 0)
                        .labels(l.add("state", state)).build());
            }
        }
        all.add(calls.build());
        all.add(errors.build());
        all.add(retries.build());
        all.add(rejected.build());
        all.add(latency.build());
        all.add(attempts.build());
        all.add(inFlight.build());
        all.add(breaker.build());
    }

    private static void modules(List<DeploymentInfo> deployments, List<MetricSnapshot> all) {
        Map<String, Integer> consumers = new java.util.TreeMap<>();
        for (DeploymentInfo d : deployments) {
            if (d.kind() == dev.mosaic.deployer.Kind.MODULE) {
                consumers.putIfAbsent(d.environment() + "\n" + d.name() + "\n" + d.version(), 0);
            }
        }
        for (DeploymentInfo d : deployments) {
            d.bindings().forEach((module, version) -> consumers.computeIfPresent(d.environment() + "\n" + module + "\n" + version,
                    (k, n) -> n + 1));
        }
        GaugeSnapshot.Builder wired = GaugeSnapshot.builder().name("mosaic_module_consumers")
                .help("Deployments wired to the module version");
        consumers.forEach((key, n) -> {
            String[] k = key.split("\n");
            wired.dataPoint(GaugeDataPointSnapshot.builder().value(n).labels(Labels.of("environment", k[0], "module", k[1],
                    "version", k[2])).build());
        });
        all.add(wired.build());
    }

    private static String state(int state) {
        return switch (state) {
            case Bundle.ACTIVE -> "active";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.INSTALLED -> "installed";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            default -> "uninstalled";
        };
    }
}
