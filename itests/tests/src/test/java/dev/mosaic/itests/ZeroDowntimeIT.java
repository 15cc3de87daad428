package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mosaic.deployer.Deployer;

/**
 * Make-before-break under load: no request fails while modules are released and yanked and
 * adapters are redeployed and rolled back, and requests running in a version that is being
 * replaced finish there.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ZeroDowntimeIT extends MosaicSupport {

    private static final String CATALOG = "dev.mosaic.examples.catalog";
    private static final String TV = "dev.mosaic.examples.tv-home";

    /** Route to the module versions it may be served by while the changes run. */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "/tv/home", Set.of("1.1.0", "1.2.0"),
            "/mobile/home", Set.of("1.0.0"),
            "/glasses/play/42", Set.of("2.0.0"));

    @Configuration
    public Option[] config() {
        return runtime();
    }

    @Test
    public void noRequestFailsWhileModulesAreReleasedAndYankedAndAdaptersRedeployed() throws Exception {
        Deployer d = deployer();
        int port = port();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong answered = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Map<String, Set<String>> seen = new ConcurrentHashMap<>();
        List<Thread> clients = new ArrayList<>();
        List<String> routes = List.copyOf(ALLOWED.keySet());
        for (int t = 0; t < 6; t++) {
            int offset = t;
            Thread c = new Thread(() -> {
                int i = offset;
                while (running.get()) {
                    String route = routes.get(i++ % routes.size());
                    try {
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + route))
                                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                        String version = r.statusCode() == 200 ? JSON.readTree(r.body()).path("moduleVersion").asText() : null;
                        if (r.statusCode() != 200 || !ALLOWED.get(route).contains(version)) {
                            failures.add(route + " -> " + r.statusCode() + " " + r.body());
                        } else {
                            seen.computeIfAbsent(route, k -> ConcurrentHashMap.newKeySet()).add(version);
                        }
                        answered.incrementAndGet();
                    } catch (Exception e) {
                        failures.add(route + " -> " + e);
                    }
                }
            }, "client-" + t);
            c.start();
            clients.add(c);
        }
        try {
            eventually("traffic flows", () -> answered.get() > 200);
            byte[] release = example("catalog-1.2.0.jar");
            byte[] tv11 = example("tv-home-1.1.0.jar");
            for (int round = 0; round < 3; round++) {
                d.deploy(release, dev.mosaic.deployer.DeployOptions.to("prod", "itest"));
                settle(answered);
                d.yank("prod", CATALOG, "1.2.0", "itest");
                settle(answered);
                d.deploy(tv11, dev.mosaic.deployer.DeployOptions.to("prod", "itest"));
                settle(answered);
                d.unyank("prod", CATALOG, "1.2.0", "itest");
                settle(answered);
                d.rollback("prod", TV, "itest");
                settle(answered);
                d.yank("prod", CATALOG, "1.2.0", "itest");
                d.undeploy("prod", CATALOG, "1.2.0", false, "itest");
                settle(answered);
            }
        } finally {
            running.set(false);
            for (Thread c : clients) {
                c.join(30_000);
            }
        }
        assertTrue("failed requests: " + failures.size() + " of " + answered.get() + ", e.g. "
                + failures.stream().limit(5).toList(), failures.isEmpty());
        assertEquals("/tv/home was seen on both versions while it moved", ALLOWED.get("/tv/home"), seen.get("/tv/home"));
        assertEquals("1.1.0", moduleVersion("/tv/home"));
        assertEquals("1.0.0", ok("/tv/home").get("adapterVersion").asText());
    }

    @Test
    public void requestsRunningInTheReplacedVersionFinishThere() throws Exception {
        deploy(fixture("slow-1.0.0"));
        try {
            HttpClient client = HttpClient.newHttpClient();
            int port = port();
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                inFlight.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/fixtures/slow?ms=700"))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            eventually("the slow requests are running", () -> deployerRoutes().getOrDefault("/fixtures/slow", 0L) >= 5);
            deploy(fixture("slow-1.1.0"));
            // new requests already go to the new version...
            assertEquals("1.1.0", ok("/fixtures/slow?ms=0").get("adapterVersion").asText());
            // ...and every request that started in the old version was answered by it
            for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
                assertEquals(r.body(), 200, r.statusCode());
                JsonNode body = json(r);
                assertEquals("1.0.0", body.get("adapterVersion").asText());
            }
        } finally {
            deployer().undeploy("prod", "dev.mosaic.fixtures.slow", null, false, "itest");
        }
    }

    /** Requests answered so far per route, from the gateway's own counters. */
    private Map<String, Long> deployerRoutes() {
        Map<String, Long> counts = new ConcurrentHashMap<>();
        try {
            deployer().routes().forEach(r -> counts.merge(r.path(), r.requests(), Long::sum));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return counts;
    }

    /** Lets some traffic through between two changes, so each state is actually served. */
    private static void settle(AtomicLong answered) throws InterruptedException {
        long target = answered.get() + 30;
        eventually("traffic continues", () -> answered.get() >= target);
    }
}
