import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A healthy adapter's latency with and without a saturated neighbour, in one run.
 *
 * <p>Starts the distribution with the slow fixture adapter limited to 50 concurrent calls
 * and a 30 s deadline (operator configuration), then alternates rounds: A, nothing else
 * running; B, 300 clients keep calling the slow adapter for calls that hang (50 hang, the
 * others get fast 503s and retry after 50 ms). In both, one client measures GET
 * /mobile/home. Reported: p50 and p99 per round, and the ratio of B's medians to A's.
 *
 * <p>Run: {@code java bench/Bulkhead.java [requestsPerRound] [rounds]} after
 * {@code mvn -q -DskipTests package} (it needs itests/fixtures/target).
 */
public class Bulkhead {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dist = Path.of("features/target/mosaic").toAbsolutePath();
        Path slowJar = null;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("itests/fixtures/target"), "fixtures-*-slow-1.0.0.jar")) {
            for (Path p : s) {
                slowJar = p;
            }
        }
        if (slowJar == null) {
            throw new IllegalStateException("build first: mvn -q -DskipTests package");
        }
        Path data = Files.createTempDirectory("mosaic-bench-");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process rt = new ProcessBuilder(java, "-Dmosaic.limits.dev.mosaic.fixtures.slow.concurrency=50",
                "-Dmosaic.limits.dev.mosaic.fixtures.slow.timeout=30s", "-jar", dist.resolve("lib/launcher.jar").toString(),
                "run", "--port", "0", "--mgmt-port", "0", "--data", data.toString(), "--no-console")
                .redirectError(data.resolve("runtime.log").toFile()).start();
        ExecutorService floodPool = Executors.newCachedThreadPool();
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
            String token = Files.readString(data.resolve("mgmt-token")).trim();
            HttpResponse<String> deployed = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt + "/deployments"))
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofFile(slowJar)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (deployed.statusCode() != 201) {
                throw new IllegalStateException("deploy failed: " + deployed.body());
            }
            URI healthy = URI.create("http://127.0.0.1:" + port + "/mobile/home");
            URI hanging = URI.create("http://127.0.0.1:" + port + "/fixtures/slow?ms=600000");
            measure(healthy, 1000, new AtomicLong()); // warm-up

            List<double[]> quiet = new ArrayList<>();
            List<double[]> saturated = new ArrayList<>();
            AtomicLong errors = new AtomicLong();
            AtomicLong floodAnswers = new AtomicLong();
            AtomicLong flood503 = new AtomicLong();
            System.out.printf("%-6s %-26s %9s %9s %7s%n", "round", "neighbour", "p50 ms", "p99 ms", "errors");
            for (int r = 0; r < rounds; r++) {
                long before = errors.get();
                double[] a = measure(healthy, perRound, errors);
                quiet.add(a);
                System.out.printf("%-6d %-26s %9.3f %9.3f %7d%n", r, "idle", a[0], a[1], errors.get() - before);

                AtomicBoolean flooding = new AtomicBoolean(true);
                for (int c = 0; c < 300; c++) {
                    floodPool.execute(() -> {
                        while (flooding.get()) {
                            try {
                                int status = HTTP.send(HttpRequest.newBuilder(hanging).timeout(Duration.ofSeconds(60)).build(),
                                        HttpResponse.BodyHandlers.discarding()).statusCode();
                                floodAnswers.incrementAndGet();
                                if (status == 503) {
                                    flood503.incrementAndGet();
                                    TimeUnit.MILLISECONDS.sleep(50);
                                }
                            } catch (Exception e) {
                                // the flood is stopped by closing it down
                            }
                        }
                    });
                }
                long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (flood503.get() < 500 && System.nanoTime() < waitUntil) {
                    TimeUnit.MILLISECONDS.sleep(10);
                }
                before = errors.get();
                double[] b = measure(healthy, perRound, errors);
                saturated.add(b);
                System.out.printf("%-6d %-26s %9.3f %9.3f %7d%n", r, "saturated (50 hang, 503s)", b[0], b[1], errors.get() - before);
                flooding.set(false);
                HTTP.send(HttpRequest.newBuilder(URI.create(mgmt + "/deployments/prod/dev.mosaic.fixtures.slow"))
                        .header("Authorization", "Bearer " + token).DELETE().build(), HttpResponse.BodyHandlers.discarding());
                HTTP.send(HttpRequest.newBuilder(URI.create(mgmt + "/deployments")).header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofFile(slowJar)).build(), HttpResponse.BodyHandlers.discarding());
            }
            double p50a = median(quiet, 0), p99a = median(quiet, 1), p50b = median(saturated, 0), p99b = median(saturated, 1);
            System.out.printf("summary: healthy adapter with a saturated neighbour vs idle: p50 %.2fx (%.3f vs %.3f ms),"
                    + " p99 %.2fx (%.3f vs %.3f ms); %d errors on the healthy route; the saturated one answered %d times,"
                    + " %d of them fast 503s; java %s, %d cores%n", p50b / p50a, p50b, p50a, p99b / p99a, p99b, p99a,
                    errors.get(), floodAnswers.get(), flood503.get(), System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors());
        } finally {
            floodPool.shutdownNow();
            rt.destroy();
            rt.waitFor();
        }
    }

    /** @return p50 and p99 of n sequential GETs, in ms; non-200 answers counted as errors */
    static double[] measure(URI uri, int n, AtomicLong errors) throws Exception {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            int status = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            ms.add((System.nanoTime() - t0) / 1e6);
            if (status != 200) {
                errors.incrementAndGet();
            }
        }
        Collections.sort(ms);
        return new double[] { ms.get(ms.size() / 2), ms.get((int) Math.ceil(ms.size() * 0.99) - 1) };
    }

    static double median(List<double[]> rounds, int index) {
        List<Double> v = new ArrayList<>();
        rounds.forEach(r -> v.add(r[index]));
        Collections.sort(v);
        return v.get(v.size() / 2);
    }
}
