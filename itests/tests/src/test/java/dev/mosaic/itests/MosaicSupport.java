package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemPackages;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import javax.inject.Inject;

import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.util.tracker.ServiceTracker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.gateway.Gateway;

/**
 * What every Pax Exam test of the runtime shares: the runtime's bundles as the
 * distribution's feature lists them, a fresh data directory seeded with the examples, free
 * ports, and helpers to deploy fixtures and call routes over real HTTP.
 */
public abstract class MosaicSupport {

    protected static final ObjectMapper JSON = new ObjectMapper();
    protected static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    protected BundleContext context;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** Runs outside the framework: the options for a runtime like {@code bin/mosaic run}'s. */
    protected static Option[] runtime(Option... extra) {
        try {
            Path dist = Path.of(required("mosaic.dist"));
            Path work = Files.createDirectories(Path.of(required("mosaic.work")));
            List<Option> options = new ArrayList<>();
            JsonNode feature = JSON.readTree(dist.resolve("features/mosaic-runtime.json").toFile());
            for (JsonNode b : feature.get("bundles")) {
                String[] gav = b.get("id").asText().split(":");
                Path jar = dist.resolve("bundles").resolve(gav[0] + "." + gav[1] + "-" + gav[2] + ".jar");
                options.add(bundle(jar.toUri().toString()).startLevel(b.get("start-order").asInt()).start());
            }
            // As the launcher does: the feature's framework launching properties (the system bundle exports org.slf4j).
            // Pax Exam owns the system packages property and builds it from its systemPackages options.
            feature.path("extensions").path("framework-launching-properties").path("JSON").fields().forEachRemaining(p -> options.add(
                    p.getKey().equals("org.osgi.framework.system.packages.extra") ? systemPackages(p.getValue().asText().split(","))
                            : frameworkProperty(p.getKey()).value(p.getValue().asText())));
            Path data = Files.createTempDirectory(work, "data-");
            // Felix's default bsnversion (managed): the deployer's collision hook must allow new generations.
            options.add(frameworkProperty("mosaic.data").value(data.toString()));
            options.add(frameworkProperty("mosaic.seed").value(dist.resolve("examples/seed").toString()));
            options.add(frameworkProperty("mosaic.gateway.port").value("0"));
            options.add(frameworkProperty("mosaic.gateway.host").value("127.0.0.1"));
            options.add(frameworkProperty("mosaic.mgmt.port").value("0"));
            options.add(frameworkProperty("gosh.args").value("--nointeractive"));
            options.add(systemProperty("mosaic.dist").value(dist.toString()));
            options.add(systemProperty("mosaic.fixtures").value(required("mosaic.fixtures")));
            options.add(systemProperty("pax.exam.logging").value("none"));
            options.add(frameworkStartLevel(10));
            options.add(junitBundles());
            options.add(cleanCaches(true));
            options.addAll(List.of(extra));
            return options.toArray(new Option[0]);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the distribution; build it with mvn package first", e);
        }
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("system property " + property + " is not set; run the tests through Maven");
        }
        return value;
    }

    // ------------------------------------------------------------------ inside the framework

    protected <T> T service(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        T service = tracker.waitForService(WAIT.toMillis());
        assertNotNull(type.getSimpleName() + " did not appear within " + WAIT.toSeconds() + " s", service);
        return service;
    }

    protected Deployer deployer() throws InterruptedException {
        return service(Deployer.class);
    }

    protected int port() throws InterruptedException {
        return service(Gateway.class).port();
    }

    protected HttpResponse<String> get(String path, String... headers) throws Exception {
        return send("GET", path, null, headers);
    }

    protected HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    protected static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** GETs a route and returns its JSON, failing with the body if the status is not 200. */
    protected JsonNode ok(String path, String... headers) throws Exception {
        HttpResponse<String> r = get(path, headers);
        assertEquals("GET " + path + " answered " + r.body(), 200, r.statusCode());
        return json(r);
    }

    protected String moduleVersion(String path) throws Exception {
        return ok(path).get("moduleVersion").asText();
    }

    /** @return the bytes of a fixture bundle built by itests/fixtures, by its classifier */
    protected static byte[] fixture(String name) throws IOException {
        Path dir = Path.of(System.getProperty("mosaic.fixtures"));
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "fixtures-*-" + name + ".jar")) {
            for (Path p : s) {
                return Files.readAllBytes(p);
            }
        }
        throw new IOException("no fixture " + name + " in " + dir + "; build itests/fixtures first");
    }

    /** @return the bytes of an example from the distribution, e.g. {@code catalog-1.2.0.jar} */
    protected static byte[] example(String file) throws IOException {
        return Files.readAllBytes(Path.of(System.getProperty("mosaic.dist"), "examples", file));
    }

    /** @return the jar with these main manifest headers set (added, or in place of the jar's own) */
    protected static byte[] withHeaders(byte[] jar, Map<String, String> headers) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(jar));
                java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(bytes)) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null;) {
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                if (e.getName().equals("META-INF/MANIFEST.MF")) {
                    java.util.jar.Manifest m = new java.util.jar.Manifest(in);
                    headers.forEach(m.getMainAttributes()::putValue);
                    m.write(out);
                } else {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    protected DeployResult deploy(byte[] jar) throws Exception {
        return deploy(jar, "prod");
    }

    protected DeployResult deploy(byte[] jar, String env) throws Exception {
        return deployer().deploy(jar, DeployOptions.to(env, "itest"));
    }

    /** @return the serving (active) generation of the tenant bundle with that name and version */
    protected Bundle live(String name, String version) {
        List<Bundle> found = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().startsWith("mosaic:") && name.equals(b.getSymbolicName())
                    && b.getVersion().toString().equals(version) && b.getState() == Bundle.ACTIVE) {
                found.add(b);
            }
        }
        assertEquals("active generations of " + name + " " + version + ": " + found, 1, found.size());
        return found.get(0);
    }

    /** @return tenant bundle name to version, for every package wire of the bundle, from the framework */
    protected static Map<String, String> wiredModules(Bundle bundle) {
        Map<String, String> modules = new TreeMap<>();
        for (BundleWire w : bundle.adapt(BundleWiring.class).getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            Bundle provider = w.getProvider().getBundle();
            if (provider.getLocation().startsWith("mosaic:")) {
                modules.put(provider.getSymbolicName(), provider.getVersion().toString());
            }
        }
        return modules;
    }

    /** Calls the management API (once the deployer and insight are there) with a token, or none for null. */
    protected HttpResponse<String> call(String method, String path, byte[] body, String token, String accept) throws Exception {
        // the API listens before the deployer and insight are there, and answers 503 restoring until they are
        deployer();
        service(dev.mosaic.insight.Insight.class);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(service(dev.mosaic.shell.ManagementApi.class).url() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Accept", accept)
                .header("X-Mosaic-Actor", "itest")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    protected Path tokenFile() {
        return Path.of(context.getProperty("mosaic.data"), "mgmt-token");
    }

    protected String token() throws Exception {
        service(dev.mosaic.shell.ManagementApi.class); // the token exists once the API serves
        return Files.readString(tokenFile()).trim();
    }

    /** A call that the deployer should refuse. */
    protected interface Call {
        Object run() throws Exception;
    }

    /** @return the refusal the call ends with; fails if it succeeds */
    protected static dev.mosaic.deployer.DeployException refused(Call call) throws Exception {
        try {
            Object result = call.run();
            fail("expected a refusal, got " + result);
            return null;
        } catch (dev.mosaic.deployer.DeployException e) {
            return e;
        }
    }

    /** Polls a condition until it holds or the deadline passes. */
    protected static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not true within " + WAIT.toSeconds() + " s: " + what);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }
}
