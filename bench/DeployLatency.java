import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deploy and release latency: time from the management call to the new version answering
 * on its route, measured from outside the runtime over real HTTP.
 *
 * <p>Starts the built distribution in a child JVM with a fresh data directory, then:
 * <ul>
 * <li>adapter deploys: tv-home 1.1.0 and 1.0.0 alternately; done when GET /tv/home answers
 * with the deployed adapterVersion;</li>
 * <li>releases: catalog 1.2.0 (tv-home, a range consumer, moves to it); done when GET
 * /tv/home answers moduleVersion 1.2.0. Between two releases 1.2.0 is yanked and
 * undeployed again (not measured).</li>
 * </ul>
 * The baseline in the same run is a plain GET /tv/home round trip, so the figures can be
 * read against what one request costs on this machine at this moment.
 *
 * <p>Run: {@code java bench/DeployLatency.java [rounds]} after {@code mvn -q -DskipTests package}.
 */
public class DeployLatency {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Pattern FIELD = Pattern.compile("\"(adapterVersion|moduleVersion)\"\\s*:\\s*\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path dist = Path.of("features/target/mosaic").toAbsolutePath();
        Path data = Files.createTempDirectory("mosaic-bench-");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process rt = new ProcessBuilder(java, "-jar", dist.resolve("lib/launcher.jar").toString(), "run", "--port", "0",
                "--mgmt-port", "0", "--data", data.toString(), "--no-console")
                .redirectError(data.resolve("runtime.log").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(rt.getInputStream()));
            String mgmt = null;
            int port = -1;
            for (String line; (line = out.readLine()) != null;) {
                if (line.startsWith("mosaic management API on ")) {
                    mgmt = line.substring("mosaic management API on ".length()).split(" ")[0];
                }
                if (line.startsWith("mosaic ready on port ")) {
                    port = Integer.parseInt(line.substring("mosaic ready on port ".length()).trim());
                    break;
                }
            }
            if (port < 0) {
                throw new IllegalStateException("the runtime did not start; see " + data.resolve("runtime.log"));
            }
            String token = Files.readString(data.resolve("mgmt-token")).trim();
            byte[] tv11 = Files.readAllBytes(dist.resolve("examples/tv-home-1.1.0.jar"));
            byte[] tv10 = Files.readAllBytes(dist.resolve("examples/seed/tv-home-1.0.0.jar"));
            byte[] cat12 = Files.readAllBytes(dist.resolve("examples/catalog-1.2.0.jar"));
            String route = "http://127.0.0.1:" + port + "/tv/home";

            // warm up: the JIT and the first class loading of every code path
            for (int i = 0; i < 5; i++) {
                deployAndWait(mgmt, token, i % 2 == 0 ? tv11 : tv10, route, "adapterVersion", i % 2 == 0 ? "1.1.0" : "1.0.0");
            }
            deployAndWait(mgmt, token, tv10, route, "adapterVersion", "1.0.0");
            List<Double> get = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long t0 = System.nanoTime();
                field(HTTP.send(HttpRequest.newBuilder(URI.create(route)).build(), HttpResponse.BodyHandlers.ofString()).body(), "adapterVersion");
                get.add((System.nanoTime() - t0) / 1e6);
            }
            List<Double> deploys = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                boolean up = i % 2 == 0;
                deploys.add(deployAndWait(mgmt, token, up ? tv11 : tv10, route, "adapterVersion", up ? "1.1.0" : "1.0.0"));
            }
            deployAndWait(mgmt, token, tv10, route, "adapterVersion", "1.0.0");
            List<Double> releases = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                releases.add(deployAndWait(mgmt, token, cat12, route, "moduleVersion", "1.2.0"));
                call(mgmt + "/modules/dev.mosaic.examples.catalog/1.2.0/yank?env=prod", "POST", token, null);
                call(mgmt + "/deployments/prod/dev.mosaic.examples.catalog/1.2.0", "DELETE", token, null);
            }
            System.out.printf("%-34s %5s %9s %9s %9s%n", "measure (ms)", "n", "median", "p95", "max");
            row("GET /tv/home (baseline)", get);
            row("adapter deploy -> serving", deploys);
            row("module release -> consumer moved", releases);
            System.out.printf("summary: deploy median %.1f ms (%.0fx a GET), release median %.1f ms (%.0fx a GET); java %s, %d cores%n",
                    pct(deploys, 50), pct(deploys, 50) / pct(get, 50), pct(releases, 50), pct(releases, 50) / pct(get, 50),
                    System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        } finally {
            rt.destroy();
            rt.waitFor();
        }
    }

    /** @return milliseconds from sending the upload to the route answering with the expected version */
    static double deployAndWait(String mgmt, String token, byte[] jar, String route, String field, String expected)
            throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = call(mgmt + "/deployments?env=prod", "POST", token, jar);
        if (r.statusCode() >= 300) {
            throw new IllegalStateException("deploy failed: " + r.body());
        }
        while (true) {
            String body = HTTP.send(HttpRequest.newBuilder(URI.create(route)).build(), HttpResponse.BodyHandlers.ofString()).body();
            if (expected.equals(field(body, field))) {
                return (System.nanoTime() - t0) / 1e6;
            }
            if (System.nanoTime() - t0 > Duration.ofSeconds(30).toNanos()) {
                throw new IllegalStateException("the new version never answered: " + body);
            }
        }
    }

    static HttpResponse<String> call(String url, String method, String token, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static String field(String json, String name) {
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        return null;
    }

    static double pct(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static void row(String name, List<Double> v) {
        System.out.printf("%-34s %5d %9.2f %9.2f %9.2f%n", name, v.size(), pct(v, 50), pct(v, 95), pct(v, 100));
    }
}
