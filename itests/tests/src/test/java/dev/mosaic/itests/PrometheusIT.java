package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The Prometheus rules the distribution ships ({@code prometheus/mosaic-rules.yml}), with Debian's Prometheus and its
 * promtool: they load, their unit tests (made-up series, each alert going off where it should and not elsewhere) pass,
 * and a real Prometheus scraping a real runtime's {@code --metrics-port} reads its text, records the per-adapter rates
 * and raises the alerts for an adapter that fails, a backend whose breaker opened and a runtime that stopped, and none
 * for the adapter that serves well; the Prometheus configuration is the README's.
 */
public class PrometheusIT {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Path rules() {
        return LaunchedRuntime.dist().resolve("prometheus/mosaic-rules.yml");
    }

    /** @return Debian's binary of that name */
    private static String tool(String name) {
        Path p = Path.of("/usr/bin", name);
        assertTrue("this test needs Debian's prometheus package, for " + name + " (.ci/run installs it)", Files.isExecutable(p));
        return p.toString();
    }

    private static LaunchedRuntime.CliResult run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        Future<String> out = LaunchedRuntime.ASYNC.submit(() -> new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(String.join(" ", command) + " did not end", p.waitFor(60, TimeUnit.SECONDS));
        return new LaunchedRuntime.CliResult(p.exitValue(), out.get(), "");
    }

    @Test
    public void theShippedRulesLoadAndTheirUnitTestsPass() throws Exception {
        Path dir = LaunchedRuntime.newDataDir();
        Files.copy(rules(), dir.resolve("mosaic-rules.yml"));
        try (var test = PrometheusIT.class.getResourceAsStream("/prometheus/mosaic-rules.test.yml")) {
            Files.write(dir.resolve("mosaic-rules.test.yml"), test.readAllBytes());
        }
        LaunchedRuntime.CliResult check = run(dir, tool("promtool"), "check", "rules", "mosaic-rules.yml");
        assertEquals(check.out(), 0, check.exit());
        assertTrue(check.out(), check.out().contains("SUCCESS: 18 rules found"));
        LaunchedRuntime.CliResult tested = run(dir, tool("promtool"), "test", "rules", "mosaic-rules.test.yml");
        assertEquals(tested.out(), 0, tested.exit());
        assertTrue(tested.out(), tested.out().contains("SUCCESS"));

        // the same tests fail on rules that page for less: they can tell
        Files.writeString(dir.resolve("mosaic-rules.yml"), Files.readString(dir.resolve("mosaic-rules.yml"))
                .replace("mosaic:requests_5xx:ratio_rate5m > 0.05", "mosaic:requests_5xx:ratio_rate5m > 0.005"));
        LaunchedRuntime.CliResult stricter = run(dir, tool("promtool"), "test", "rules", "mosaic-rules.test.yml");
        assertEquals(stricter.out(), 1, stricter.exit());
        assertTrue(stricter.out(), stricter.out().contains("alertname: MosaicAdapterErrors")
                && stricter.out().contains("mobile-home"));
    }

    @Test
    public void aRealPrometheusScrapesARuntimeAndItsAlertsGoOffForWhatFailsOnly() throws Exception {
        int metricsPort = LaunchedRuntime.freePort();
        int deadPort = LaunchedRuntime.freePort(); // nothing listens: the backend's calls fail
        Path dir = LaunchedRuntime.newDataDir();
        // the README's configuration, with this test's paths and ports, scraping and judging every second
        String readme = readmeConfig();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                + readme.replace("/opt/mosaic/prometheus/mosaic-rules.yml", rules().toString())
                        .replace("localhost:9464", "127.0.0.1:" + metricsPort));
        Process prometheus = null;
        AtomicBoolean traffic = new AtomicBoolean(true);
        // tracing with nowhere to send the spans: the kept traces are the latencies' exemplars
        try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), List.of("-Dmosaic.tracing=on"),
                List.of("--metrics-port", Integer.toString(metricsPort)))) {
            assertEquals(0, rt.cli("deploy", LaunchedRuntime.fixture("failing").toString()).exit());
            LaunchedRuntime.CliResult declared = rt.cli("backend", "set", "echo", "--base-url", "http://127.0.0.1:" + deadPort,
                    "--timeout", "300ms", "--retries", "0", "--breaker-min-calls", "5", "--breaker-open", "5m");
            assertEquals(declared.err(), 0, declared.exit());
            assertEquals(0, rt.cli("deploy", LaunchedRuntime.fixture("caller").toString()).exit());

            Prometheus started = startPrometheus(dir, config);
            prometheus = started.process();
            String prom = started.url();

            // devices: tv-home answers well; the failing fixture throws; the caller's backend cannot be reached
            Future<?> devices = LaunchedRuntime.ASYNC.submit(() -> {
                while (traffic.get()) {
                    assertEquals(200, rt.get("/tv/home").statusCode());
                    assertEquals(500, rt.get("/fixtures/boom").statusCode());
                    int called = rt.get("/fx/calls/json?q=1").statusCode();
                    assertTrue("the backend's calls fail: " + called, called == 502 || called == 503);
                    TimeUnit.MILLISECONDS.sleep(50); // a device's pace, not a synchronisation
                }
                return null;
            });

            // Prometheus reads the runtime's text: the target is up, with no scrape error
            await("the runtime's target up", () -> {
                JsonNode targets = get(prom + "/api/v1/targets").path("data").path("activeTargets");
                return targets.size() == 1 && targets.get(0).path("health").asText().equals("up")
                        && targets.get(0).path("lastError").asText().isEmpty();
            });
            // the recording rules on real series: tv-home's requests a second, and the failing fixture's share of 5xx
            String tv = "dev.mosaic.examples.tv-home";
            await("tv-home's request rate recorded", () -> value(prom, "mosaic:requests:rate5m{adapter=\"" + tv + "\"}") > 0);
            await("the failing adapter's 5xx ratio recorded as 1", () -> value(prom,
                    "mosaic:requests_5xx:ratio_rate5m{adapter=\"dev.mosaic.fixtures.failing\"}") == 1.0);
            assertEquals(0.0, value(prom, "mosaic:requests_5xx:ratio_rate5m{adapter=\"" + tv + "\"}"), 0);
            assertTrue("no access log, no access log series", Double.isNaN(value(prom, "mosaic_access_log_lines_total")));

            // the alerts: the failing adapter's errors, and the echo backend's open breaker (pending for their "for")
            await("MosaicAdapterErrors for the failing adapter",
                    () -> alert(prom, a -> a.path("labels").path("alertname").asText().equals("MosaicAdapterErrors")
                            && a.path("labels").path("adapter").asText().equals("dev.mosaic.fixtures.failing")
                            && a.path("labels").path("environment").asText().equals("prod")
                            && a.path("labels").path("severity").asText().equals("page")) != null);
            await("MosaicBackendBreakerOpen for echo",
                    () -> alert(prom, a -> a.path("labels").path("alertname").asText().equals("MosaicBackendBreakerOpen")
                            && a.path("labels").path("backend").asText().equals("echo")) != null);
            JsonNode errors = alert(prom, a -> a.path("labels").path("alertname").asText().equals("MosaicAdapterErrors")
                    && a.path("labels").path("adapter").asText().equals("dev.mosaic.fixtures.failing"));
            assertTrue(errors.toString(), errors.path("annotations").path("summary").asText()
                    .equals("dev.mosaic.fixtures.failing 1.0.0 (prod) answers 100% of its requests with a 5xx"));
            assertTrue(errors.toString(), List.of("pending", "firing").contains(errors.path("state").asText()));
            // and none for what serves well, nor for the runtime itself
            JsonNode all = get(prom + "/api/v1/alerts").path("data").path("alerts");
            for (JsonNode a : all) {
                assertTrue("no alert for tv-home: " + a, !a.path("labels").path("adapter").asText().equals(tv));
                assertTrue("the runtime is up: " + a, !a.path("labels").path("alertname").asText().equals("MosaicRuntimeDown"));
                assertTrue("no fleet here: " + a, !a.path("labels").path("alertname").asText().startsWith("MosaicFleet"));
            }

            // the latencies' exemplars, scraped as OpenMetrics: requests whose traces were kept, each naming its trace
            await("an exemplar of tv-home's latency", () -> {
                long now = System.currentTimeMillis() / 1000;
                JsonNode found = get(prom + "/api/v1/query_exemplars?query=" + encode("mosaic_request_duration_seconds_bucket{"
                        + "adapter=\"" + tv + "\"}") + "&start=" + (now - 600) + "&end=" + (now + 60)).path("data");
                return found.size() > 0 && found.get(0).path("exemplars").size() > 0 && found.get(0).path("exemplars").get(0)
                        .path("labels").path("trace_id").asText().matches("[0-9a-f]{32}");
            });

            // the Grafana dashboard the distribution ships, on the same Prometheus and traffic
            theDashboardsQueriesAnswer(prom);

            traffic.set(false);
            devices.get(30, TimeUnit.SECONDS);
            rt.stop();
            await("MosaicRuntimeDown once the runtime stopped",
                    () -> alert(prom, a -> a.path("labels").path("alertname").asText().equals("MosaicRuntimeDown")
                            && a.path("labels").path("instance").asText().equals("127.0.0.1:" + metricsPort)) != null);
        } finally {
            traffic.set(false);
            if (prometheus != null) {
                prometheus.destroy();
                if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly().waitFor();
                }
            }
        }
    }

    /** A Prometheus this test started, and where it answers. */
    private record Prometheus(Process process, String url) {
    }

    /**
     * @return a Prometheus with this configuration, ready; on a port found free just before, and on another if that one
     *         was taken meanwhile (by any connection's local port: Prometheus then ends at once, saying so)
     */
    private Prometheus startPrometheus(Path dir, Path config) throws Exception {
        Path log = dir.resolve("prometheus.log");
        for (int attempt = 1;; attempt++) {
            int port = LaunchedRuntime.freePort();
            Process p = new ProcessBuilder(tool("prometheus"), "--config.file=" + config, "--storage.tsdb.path="
                    + dir.resolve("tsdb-" + attempt), "--web.listen-address=127.0.0.1:" + port, "--enable-feature=exemplar-storage")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            String url = "http://127.0.0.1:" + port;
            try {
                await("Prometheus ready (its log: " + log + ")", () -> !p.isAlive() || status(url + "/-/ready") == 200);
            } catch (AssertionError | Exception e) {
                p.destroyForcibly().waitFor();
                throw e;
            }
            if (p.isAlive()) {
                return new Prometheus(p, url);
            }
            String said = Files.readString(log);
            if (attempt == 3 || !said.contains("address already in use")) {
                throw new AssertionError("Prometheus ended (exit " + p.exitValue() + "): " + said);
            }
        }
    }

    /**
     * The dashboard's variables and every panel's queries, asked as Grafana asks them (the variables at "All", the rate
     * interval a minute): each answers without error (a query Prometheus cannot parse answers 400); those of what this
     * runtime does (its adapters, backends, modules, management calls and JVM) have series; and every series a query
     * names is one the runtime serves, or serves only while that is on (the access log, tracing, a fleet) or from its
     * first count on (504s, 503s).
     */
    private void theDashboardsQueriesAnswer(String prom) throws Exception {
        JsonNode dash = LaunchedRuntime.JSON.readTree(LaunchedRuntime.dist().resolve("grafana/mosaic-dashboard.json").toFile());
        for (JsonNode v : dash.path("templating").path("list")) {
            if (!v.path("type").asText().equals("query")) {
                continue;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("label_values\\((.*), *(\\w+)\\)")
                    .matcher(v.path("query").asText());
            assertTrue(v.toString(), m.matches());
            JsonNode values = get(prom + "/api/v1/label/" + m.group(2) + "/values?match[]=" + encode(asked(m.group(1))));
            assertTrue(v + ": " + values, values.path("data").size() > 0);
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        java.util.Map<String, Integer> series = new java.util.LinkedHashMap<>();
        java.util.Set<String> names = new java.util.TreeSet<>();
        java.util.regex.Pattern named = java.util.regex.Pattern.compile("\\b((?:mosaic|jvm|process)_[a-z_]+)\\{");
        for (JsonNode p : dash.path("panels")) {
            assertTrue("panel ids are unique: " + p.path("id"), ids.add(p.path("id").asText()));
            for (JsonNode t : p.path("targets")) {
                String expr = asked(t.path("expr").asText());
                JsonNode answer = get(prom + "/api/v1/query?query=" + encode(expr));
                assertEquals(expr, "success", answer.path("status").asText());
                series.merge(p.path("title").asText(), answer.path("data").path("result").size(), Integer::sum);
                java.util.regex.Matcher n = named.matcher(expr);
                while (n.find()) {
                    names.add(n.group(1));
                }
            }
        }
        for (String title : List.of("Requests a second, by adapter version", "Share answered with a 5xx",
                "99th percentile latency, by route", "Requests in flight", "Backend calls a second, by route",
                "Calls a second, by backend", "Share of calls failed", "Latency of attempts (p50, p99)", "Breakers open", "Consumers wired, by module version",
                "Deploys, releases and other changes, a second", "Heap used", "Time in garbage collection, a second",
                "CPU, cores", "Threads and bundles")) {
            assertTrue(title + " has no series: " + series, series.getOrDefault(title, 0) > 0);
        }
        java.util.Set<String> served = new java.util.HashSet<>();
        get(prom + "/api/v1/label/__name__/values").path("data").forEach(x -> served.add(x.asText()));
        for (String name : names) {
            // served while on: the access log, tracing, a fleet; and from the first one on: 504s and 503s
            assertTrue(name + " is not a series the runtime serves", served.contains(name)
                    || name.matches("mosaic_(access_log|traces|fleet)_.*|mosaic_adapter_(timeouts|rejected)_total"));
        }
        assertTrue(names.toString(), names.size() > 20);
    }

    /** @return a query of the dashboard as Grafana sends it: every variable at "All", the rate interval a minute */
    private static String asked(String query) {
        return query.replace("$__rate_interval", "1m").replace("$job", "mosaic").replace("$environment", ".*")
                .replace("$adapter", ".*");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** @return the {@code prometheus.yml} of the README's "Alerts" paragraph */
    private static String readmeConfig() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("mosaic.root"), "README.md"));
        int at = readme.indexOf("```\n# prometheus.yml\n");
        assertTrue("the README shows a prometheus.yml", at >= 0);
        String block = readme.substring(at + 4, readme.indexOf("```", at + 4));
        assertTrue(block, block.contains("/opt/mosaic/prometheus/mosaic-rules.yml") && block.contains("localhost:9464"));
        return block;
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(String what, Condition c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (c.holds()) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new AssertionError("not within 60 s: " + what + (last == null ? "" : " (last: " + last + ")"));
    }

    private int status(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private JsonNode get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(r.body(), 200, r.statusCode());
        return LaunchedRuntime.JSON.readTree(r.body());
    }

    /** @return the one value of an instant query, or NaN when it has none */
    private double value(String prom, String query) throws Exception {
        JsonNode result = get(prom + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8))
                .path("data").path("result");
        assertTrue(query + ": " + result, result.size() <= 1);
        return result.isEmpty() ? Double.NaN : Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    /** @return the first alert, pending or firing, that matches */
    private JsonNode alert(String prom, Predicate<JsonNode> which) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        get(prom + "/api/v1/alerts").path("data").path("alerts").forEach(found::add);
        return found.stream().filter(which).findFirst().orElse(null);
    }
}
