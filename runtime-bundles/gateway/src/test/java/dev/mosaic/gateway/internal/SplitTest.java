package dev.mosaic.gateway.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.gateway.internal.RoutingTable.Entry;

/**
 * An adapter's requests shared between two versions, through the device handler in-process:
 * by weight, by a sticky key, by the version a request names where it may, and a path only the
 * serving version has.
 */
class SplitTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final Tenant stable = new Tenant(7, "com.example.tv", "1.0.0", 2000, 64);
    private final Tenant canary = new Tenant(8, "com.example.tv", "1.1.0", 2000, 64);
    private volatile Map<String, RoutingTable<Target>> tables = Map.of();
    private volatile Map<String, Map<String, Split>> splits = Map.of();
    private RoutingTable<Target> canaryRoutes;
    private Server server;
    private LocalConnector connector;
    private ExecutorService pool;
    private Deadlines deadlines;

    @BeforeEach
    void start() throws Exception {
        Target home = target(stable, "/tv/home");
        Target only = target(stable, "/tv/only-stable");
        Target canaryHome = target(canary, "/tv/home");
        RoutingTable<Target> main = RoutingTable.of(List.of(home.entry(), only.entry()));
        tables = Map.of("prod", main, "test", main);
        canaryRoutes = RoutingTable.of(List.<Entry<Target>>of(canaryHome.entry()));
        pool = Executors.newCachedThreadPool();
        deadlines = new Deadlines(5);
        server = new Server();
        connector = new LocalConnector(server);
        server.addConnector(connector);
        server.setErrorHandler(new JsonErrorHandler(mapper));
        Map<String, String> props = new HashMap<>(Map.of("mosaic.trace.key", "the-trace-key", "mosaic.gateway.invocationType",
                "NONBLOCKING"));
        server.setHandler(new DeviceHandler(() -> tables, mapper, pool, deadlines, GatewaySettings.from(props::get))
                .splitBy(() -> splits));
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        deadlines.close();
        pool.shutdownNow();
    }

    private static Target target(Tenant tenant, String path) throws Exception {
        return new Target(null, r -> Map.of("version", tenant.version), tenant, "GET", RouteTemplate.parse(path), true);
    }

    private void share(int canaryWeight, String sticky) {
        Split s = new Split("com.example.tv", List.of(new Split.Arm(7, "1.0.0", 100 - canaryWeight, null),
                new Split.Arm(8, "1.1.0", 100, canaryRoutes)), sticky);
        splits = Map.of("prod", Map.of("com.example.tv", s), "test", Map.of("com.example.tv", s));
    }

    private String version(String path, String... headers) throws Exception {
        StringBuilder raw = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            raw.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        HttpTester.Response r = HttpTester.parseResponse(connector.getResponse(raw.append("\r\n").toString()));
        assertEquals(200, r.getStatus(), r.getContent());
        return mapper.readTree(r.getContent()).get("version").asText();
    }

    @Test
    void aShareOfTheRequestsGoesToTheOtherVersionAndNoSplitSendsNone() throws Exception {
        for (int i = 0; i < 50; i++) {
            assertEquals("1.0.0", version("/tv/home"));
        }
        share(10, null);
        int toCanary = 0;
        for (int i = 0; i < 2000; i++) {
            toCanary += version("/tv/home").equals("1.1.0") ? 1 : 0;
        }
        // 200 expected; 4 standard deviations (13.4 each) either side
        assertTrue(toCanary > 146 && toCanary < 254, "requests to the canary: " + toCanary);
        share(0, null);
        for (int i = 0; i < 200; i++) {
            assertEquals("1.0.0", version("/tv/home"));
        }
    }

    @Test
    void aStickyKeyKeepsEachValueOnOneVersionAndSpreadsTheValuesByShare() throws Exception {
        share(20, "header:X-User");
        int onCanary = 0;
        for (int user = 0; user < 500; user++) {
            String first = version("/tv/home", "X-User", "user-" + user);
            for (int again = 0; again < 3; again++) {
                assertEquals(first, version("/tv/home", "X-User", "user-" + user), "user-" + user);
            }
            onCanary += first.equals("1.1.0") ? 1 : 0;
        }
        assertTrue(onCanary > 64 && onCanary < 136, "users on the canary: " + onCanary); // 100 expected, 4 sigma

        share(20, "query:profile");
        String first = version("/tv/home?x=1&profile=p-42");
        for (int again = 0; again < 10; again++) {
            assertEquals(first, version("/tv/home?profile=p-42"));
        }
        assertEquals(Split.bucket("com.example.tv", "p-42"), Split.bucket("com.example.tv", "p-42"));
    }

    @Test
    void aRequestNamingAVersionGetsItOutsideProdOrWithTheTraceKey() throws Exception {
        share(0, null);
        assertEquals("1.1.0", version("/tv/home", "X-Mosaic-Env", "test", "X-Mosaic-Version", "1.1.0"));
        assertEquals("1.0.0", version("/tv/home", "X-Mosaic-Version", "1.1.0"), "ignored in prod without the key");
        assertEquals("1.0.0", version("/tv/home", "X-Mosaic-Version", "1.1.0", "X-Mosaic-Trace", "a-guess"));
        assertEquals("1.1.0", version("/tv/home", "X-Mosaic-Version", "1.1.0", "X-Mosaic-Trace", "the-trace-key"));
        assertEquals("1.0.0", version("/tv/home", "X-Mosaic-Env", "test", "X-Mosaic-Version", "9.9.9"), "no such version");
    }

    @Test
    void aPathTheOtherVersionDoesNotServeIsServedByTheServingOne() throws Exception {
        share(100, null);
        assertEquals("1.1.0", version("/tv/home"));
        assertEquals("1.0.0", version("/tv/only-stable"));
    }

    @Test
    void aQueryValueIsFoundByItsExactName() {
        assertEquals("b", Split.queryValue("a=1&key=b&c=3", "key"));
        assertEquals("b", Split.queryValue("key=b", "key"));
        assertNull(Split.queryValue("akey=b&keyx=c", "key"));
        assertNull(Split.queryValue(null, "key"));
        assertEquals("", Split.queryValue("key=", "key"));
    }
}
