package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mosaic.backends.testing.TestBackend;
import dev.mosaic.backends.testing.TestBackend.Behaviour;
import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.HistoryEntry;

/**
 * Adapters calling backends through the platform, in a real runtime: backends declared per
 * environment through the API, the console and the service; deploys checked against them; the
 * example tv-home 1.2.0 composing two real HTTP backends (Jetty on loopback) and degrading; a
 * fixture adapter whose failures reach the gateway, whose fan-out holds no adapter thread.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CompositionIT extends MosaicSupport {

    @Inject
    private CommandProcessor commands;

    private final List<TestBackend> backends = new ArrayList<>();

    @Configuration
    public Option[] config() {
        return runtime();
    }

    @After
    public void stopBackends() {
        backends.forEach(TestBackend::close);
    }

    private TestBackend backend(Behaviour behaviour) {
        TestBackend b = TestBackend.start().behave(behaviour);
        backends.add(b);
        return b;
    }

    private DeployResult declare(String env, String name, String url, String... more) throws Exception {
        Map<String, List<String>> options = new java.util.LinkedHashMap<>();
        options.put("url", List.of(url));
        for (int i = 0; i + 1 < more.length; i += 2) {
            options.put(more[i], List.of(more[i + 1]));
        }
        return deployer().setBackend(env, name, options, "itest", false);
    }

    private static String titles(String... names) {
        StringBuilder b = new StringBuilder("{\"profile\":\"p\",\"titles\":[");
        for (int i = 0; i < names.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"").append(i).append("\",\"name\":\"").append(names[i]).append("\"}");
        }
        return b.append("]}").toString();
    }

    private static List<String> rowNames(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.get("rows").forEach(r -> names.add(r.get("name").asText()));
        return names;
    }

    @Test
    public void theComposedTvHomeCallsBothBackendsAndLeavesOutARowWhoseBackendFails() throws Exception {
        TestBackend recs = backend(Behaviour.json(titles("Recommended A", "Recommended B")));
        TestBackend marks = backend(Behaviour.json(titles("Half-watched")));
        byte[] composed = example("tv-home-1.2.0.jar");
        // the seed declared example backends in prod; an environment without them refuses the adapter
        DeployException refused = refused(() -> deploy(composed, "stage"));
        assertEquals(DeployException.UNDECLARED_BACKEND, refused.code());
        assertTrue(refused.getMessage(), refused.getMessage().contains("recommendations, bookmarks")
                && refused.getMessage().contains("bin/mosaic backend set"));
        declare("stage", "recommendations", recs.url(), "timeout", "500ms");
        declare("stage", "bookmarks", marks.url(), "timeout", "300ms");
        deploy(example("catalog-1.2.0.jar"), "stage");
        deploy(composed, "stage");

        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        HttpResponse<String> page = get("/tv/home?profile=kids", "X-Mosaic-Env", "stage", "X-Request-Id", "device-req-1",
                "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");
        assertEquals(page.body(), 200, page.statusCode());
        JsonNode p = json(page);
        assertEquals(List.of("Continue watching", "Recommended for you", "Trending now", "All titles"), rowNames(p));
        assertEquals("Recommended A", p.get("rows").get(1).get("titles").get(0).get("name").asText());
        TestBackend.Seen seen = recs.seen().get(0);
        assertEquals("/kids", seen.target());
        assertEquals("device-req-1", seen.headers().get("X-Request-Id"));
        assertTrue(seen.headers().get("traceparent"), seen.headers().get("traceparent").startsWith("00-" + traceId + "-"));

        // bookmarks fails: its row is left out, the page still answers 200
        marks.behave(Behaviour.status(500));
        JsonNode degraded = json(get("/tv/home", "X-Mosaic-Env", "stage"));
        assertEquals(List.of("Recommended for you", "Trending now", "All titles"), rowNames(degraded));
        assertEquals("Continue watching", degraded.get("leftOut").get(0).asText());
        // late: a 2 s answer against a 300 ms timeout is left out on time
        marks.behave(Behaviour.json(titles("late")).delayed(2_000));
        long start = System.nanoTime();
        HttpResponse<String> late = get("/tv/home", "X-Mosaic-Env", "stage");
        long took = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, late.statusCode());
        assertEquals("Continue watching", json(late).get("leftOut").get(0).asText());
        assertTrue("answered after " + took + " ms", took < 1_500);

        // routes count the backend calls; backends show who calls them and how it went
        JsonNode routes = json(call("GET", "/routes", null, token(), "application/json"));
        JsonNode route = null;
        for (JsonNode r : routes) {
            if (r.get("environment").asText().equals("stage") && r.get("path").asText().equals("/tv/home")) {
                route = r;
            }
        }
        assertTrue(String.valueOf(route), route != null && route.get("backendCalls").asLong() >= 6);
        JsonNode listed = json(call("GET", "/backends?env=stage", null, token(), "application/json"));
        assertEquals(2, listed.size());
        for (JsonNode b : listed) {
            assertEquals("dev.mosaic.examples.tv-home 1.2.0", b.get("usedBy").get(0).asText());
            assertTrue(b.toString(), b.get("stats").get("calls").asLong() >= 3);
            // the declaration once, not again under its calls
            assertTrue(b.toString(), b.get("spec").has("urls") && !b.get("stats").has("spec") && !b.get("stats").has("environment"));
        }
        // a backend in use cannot be taken away without force; with force, the adapter is named
        DeployException inUse = refused(() -> deployer().removeBackend("stage", "bookmarks", false, "itest", false));
        assertEquals(DeployException.IN_USE, inUse.code());
        assertTrue(inUse.getMessage(), inUse.getMessage().contains("dev.mosaic.examples.tv-home 1.2.0"));
        DeployResult dry = deployer().removeBackend("stage", "bookmarks", true, "itest", true);
        assertTrue(dry.dryRun());
        assertEquals(2, deployer().backends("stage").size());
        DeployResult forced = deployer().removeBackend("stage", "bookmarks", true, "itest", false);
        assertTrue(forced.summary(), forced.summary().contains("dev.mosaic.examples.tv-home 1.2.0"));
        HistoryEntry last = deployer().history(1).get(0);
        assertEquals("backend-remove", last.operation().toString());
        assertTrue(last.detail(), last.detail().contains("forced"));
        // its row is then left out: the adapter's fallback, not a 500
        JsonNode without = json(get("/tv/home", "X-Mosaic-Env", "stage"));
        assertEquals("Continue watching", without.get("leftOut").get(0).asText());
        deployer().undeploy("stage", "dev.mosaic.examples.tv-home", null, false, "itest", false);
    }

    /**
     * {@code call} (console, API and so the CLI): a route called with a chosen request, answered with its status, headers,
     * body and the backend calls it made, which the gateway lists in {@code Server-Timing} for a traced request: asked
     * with {@code X-Mosaic-Trace: 1} outside prod, never in prod without the runtime's trace key.
     */
    @Test
    public void callShowsTheBackendCallsARequestMade() throws Exception {
        TestBackend recs = backend(Behaviour.json(titles("Recommended A")).delayed(30));
        TestBackend marks = backend(Behaviour.json(titles("Half-watched")));
        declare("trace", "recommendations", recs.url(), "timeout", "500ms");
        declare("trace", "bookmarks", marks.url(), "timeout", "300ms");
        deploy(example("catalog-1.2.0.jar"), "trace");
        deploy(example("tv-home-1.2.0.jar"), "trace");

        HttpResponse<String> traced = get("/tv/home?profile=kids", "X-Mosaic-Env", "trace", "X-Mosaic-Trace", "1");
        assertEquals(200, traced.statusCode());
        String timing = traced.headers().firstValue("Server-Timing").orElse("");
        assertTrue(timing, timing.startsWith("adapter;desc=\"dev.mosaic.examples.tv-home 1.2.0\";dur="));
        assertTrue(timing, timing.contains("recommendations;desc=\"GET /kids 200\";dur=")
                && timing.contains("bookmarks;desc=\"GET /kids 200\";dur="));
        assertTrue("no trace to name while the runtime does not trace", traced.headers().firstValue("traceresponse").isEmpty());
        assertTrue("not traced unless asked", get("/tv/home", "X-Mosaic-Env", "trace").headers().firstValue("Server-Timing").isEmpty());
        assertTrue("not in prod without the runtime's trace key",
                get("/tv/home", "X-Mosaic-Trace", "1").headers().firstValue("Server-Timing").isEmpty());

        // the API's call: status, headers, body, and the calls as entries
        HttpResponse<String> answer = call("POST", "/call", ("{\"method\":\"GET\",\"path\":\"/tv/home?profile=kids\","
                + "\"env\":\"trace\",\"headers\":[\"X-Profile: kids\"]}").getBytes(StandardCharsets.UTF_8), token(),
                "application/json");
        assertEquals(answer.body(), 200, answer.statusCode());
        JsonNode a = json(answer);
        assertEquals(200, a.get("status").asInt());
        assertEquals("1.2.0", new com.fasterxml.jackson.databind.ObjectMapper().readTree(a.get("body").asText()).get("adapterVersion").asText());
        assertTrue(a.get("headers").has("x-request-id"));
        List<String> called = new ArrayList<>();
        a.get("calls").forEach(c -> called.add(c.get("name").asText() + " " + c.get("description").asText()));
        assertTrue(called.toString(), called.contains("recommendations GET /kids 200") && called.contains("bookmarks GET /kids 200"));
        for (JsonNode c : a.get("calls")) {
            if (c.get("name").asText().equals("recommendations")) {
                assertTrue(c.toString(), c.get("millis").asDouble() >= 25); // the backend's 30 ms delay is in it
            }
        }
        // as a table, for people (the CLI's default)
        String text = call("POST", "/call", "{\"method\":\"GET\",\"path\":\"/tv/home\",\"env\":\"trace\"}"
                .getBytes(StandardCharsets.UTF_8), token(), "text/plain").body();
        assertTrue(text, text.startsWith("HTTP 200  (GET /tv/home in trace, ") && text.contains("backend calls (2):"));
        // bad input is named, and nothing is called
        HttpResponse<String> bad = call("POST", "/call", "{\"method\":\"GET\",\"path\":\"tv/home\",\"env\":\"trace\"}"
                .getBytes(StandardCharsets.UTF_8), token(), "application/json");
        assertEquals(bad.body(), 400, bad.statusCode());
        assertTrue(bad.body(), bad.body().contains("must start with '/'"));
        HttpResponse<String> badHeader = call("POST", "/call", ("{\"method\":\"GET\",\"path\":\"/tv/home\",\"env\":\"trace\","
                + "\"headers\":[\"no colon\"]}").getBytes(StandardCharsets.UTF_8), token(), "application/json");
        assertEquals(400, badHeader.statusCode());
        assertTrue(badHeader.body(), badHeader.body().contains("a header is 'Name: value'"));

        // the console's mosaic:call, the same
        try (CommandSession session = commands.createSession(System.in, System.out, System.err)) {
            Object console = session.execute("mosaic:call -e trace -H 'X-Profile: kids' GET /tv/home");
            String shown = String.valueOf(console);
            assertTrue(shown, shown.contains("status=200") && shown.contains("name=recommendations")
                    && shown.contains("name=bookmarks"));
            // the path alone: GET, as the CLI's call
            String get = String.valueOf(session.execute("mosaic:call -e trace /tv/home"));
            assertTrue(get, get.contains("status=200") && get.contains("method=GET"));
        }
        deployer().undeploy("trace", "dev.mosaic.examples.tv-home", null, false, "itest", false);
    }

    @Test
    public void unhandledBackendFailuresAnswer502503Or504NamingTheBackend() throws Exception {
        TestBackend echo = backend(Behaviour.json("{\"ok\":true}"));
        declare("fx", "echo", echo.url(), "timeout", "300ms", "retries", "0", "breaker-min-calls", "5", "breaker-open", "60s");
        deploy(fixture("caller"), "fx");
        JsonNode ok = json(get("/fx/calls/json?q=1", "X-Mosaic-Env", "fx"));
        assertTrue(ok.get("ok").asBoolean());

        echo.behave(Behaviour.json("<html/>").typed("text/html"));
        HttpResponse<String> html = get("/fx/calls/json?q=1", "X-Mosaic-Env", "fx");
        assertEquals(502, html.statusCode());
        JsonNode e = json(html);
        assertEquals("backend_invalid_json", e.get("error").asText());
        assertEquals("echo", e.get("backend").asText());
        assertTrue(e.get("message").asText(), e.get("message").asText().contains("text/html"));

        echo.behave(Behaviour.json("{}").delayed(3_000));
        long start = System.nanoTime();
        HttpResponse<String> slow = get("/fx/calls/json?q=2", "X-Mosaic-Env", "fx");
        long took = (System.nanoTime() - start) / 1_000_000;
        assertEquals(504, slow.statusCode());
        assertEquals("backend_deadline", json(slow).get("error").asText());
        assertTrue("504 after " + took + " ms, for a 300 ms timeout", took < 1_500);

        echo.behave(Behaviour.status(500));
        for (int i = 0; i < 5; i++) {
            get("/fx/calls/json?q=" + i, "X-Mosaic-Env", "fx");
        }
        int before = echo.requests();
        HttpResponse<String> open = get("/fx/calls/json?q=x", "X-Mosaic-Env", "fx");
        assertEquals(503, open.statusCode());
        assertEquals("backend_breaker_open", json(open).get("error").asText());
        assertEquals("an open breaker does not call", before, echo.requests());

        HttpResponse<String> undeclared = get("/fx/calls/undeclared", "X-Mosaic-Env", "fx");
        assertEquals(502, undeclared.statusCode());
        assertTrue(undeclared.body(), json(undeclared).get("message").asText().contains("Mosaic-Backends"));
        deployer().undeploy("fx", "dev.mosaic.fixtures.caller", null, false, "itest", false);
    }

    @Test
    public void aNonBlockingFanOutHoldsNoAdapterThreadAndDuplicatesGoOutOnce() throws Exception {
        TestBackend echo = backend(Behaviour.json("{\"part\":1}").delayed(50));
        declare("fan", "echo", echo.url());
        deploy(fixture("caller"), "fan");
        JsonNode fan = json(get("/fx/calls/fanout", "X-Mosaic-Env", "fan"));
        assertEquals(3, fan.get("parts").size());
        assertEquals(3, echo.requests());
        for (JsonNode t : fan.get("threads")) {
            assertFalse("ran on " + t.asText(), t.asText().startsWith("mosaic-adapter"));
        }
        assertTrue(fan.toString(), fan.get("threads").toString().contains("mosaic-backend"));

        echo.forget();
        JsonNode twice = json(get("/fx/calls/twice?q=7", "X-Mosaic-Env", "fan"));
        assertTrue(twice.get("same").asBoolean());
        assertEquals("the same GET twice in one request went out once", 1, echo.requests());
        deployer().undeploy("fan", "dev.mosaic.fixtures.caller", null, false, "itest", false);
    }

    @Test
    public void eachEnvironmentReachesItsOwnBackends() throws Exception {
        TestBackend prod = backend(Behaviour.json("{\"env\":\"prod-backend\"}"));
        TestBackend test = backend(Behaviour.json("{\"env\":\"test-backend\"}"));
        declare("iso-prod", "echo", prod.url());
        declare("iso-test", "echo", test.url());
        deploy(fixture("caller"), "iso-prod");
        deploy(fixture("caller"), "iso-test");
        assertEquals("test-backend", json(get("/fx/calls/json", "X-Mosaic-Env", "iso-test")).get("env").asText());
        assertEquals("prod-backend", json(get("/fx/calls/json", "X-Mosaic-Env", "iso-prod")).get("env").asText());
        assertEquals(1, test.requests());
        assertEquals(1, prod.requests());
        deployer().undeploy("iso-prod", "dev.mosaic.fixtures.caller", null, false, "itest", false);
        deployer().undeploy("iso-test", "dev.mosaic.fixtures.caller", null, false, "itest", false);
    }

    @Test
    public void backendsAreDeclaredThroughTheApiAndTheConsoleWithDryRunsAndClearRefusals() throws Exception {
        String token = token();
        byte[] body = "{\"url\":[\"http://127.0.0.1:9\"],\"timeout\":\"750ms\",\"secret-header\":[\"X-Api-Key=env:MOSAIC_IT_KEY_UNSET\"]}"
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> unset = call("PUT", "/backends/api/recs", body, token, "application/json");
        assertEquals(unset.body(), 400, unset.statusCode());
        assertTrue(unset.body(), unset.body().contains("MOSAIC_IT_KEY_UNSET"));
        HttpResponse<String> inline = call("PUT", "/backends/api/recs", "{\"url\":[\"http://x\"],\"secret-header\":[\"X-Api-Key=hunter2\"]}"
                .getBytes(StandardCharsets.UTF_8), token, "application/json");
        assertEquals(400, inline.statusCode());
        assertFalse("a secret given inline is never echoed", inline.body().contains("hunter2"));

        byte[] good = "{\"url\":[\"http://127.0.0.1:9\"],\"timeout\":\"750ms\",\"header\":[\"X-Client=tv\"]}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> dry = call("PUT", "/backends/api/recs?dryRun=true", good, token, "application/json");
        assertEquals(dry.body(), 200, dry.statusCode());
        assertTrue(json(dry).get("dryRun").asBoolean());
        assertTrue("a dry run declares nothing", deployer().backends("api").isEmpty());
        HttpResponse<String> set = call("PUT", "/backends/api/recs", good, token, "application/json");
        assertEquals(set.body(), 200, set.statusCode());
        assertEquals(750, deployer().backends("api").get(0).spec().timeoutMillis());
        HttpResponse<String> text = call("GET", "/backends?env=api", null, token, "text/plain");
        assertTrue(text.body(), text.body().contains("recs") && text.body().contains("750ms"));

        try (CommandSession session = commands.createSession(System.in, System.out, System.err)) {
            DeployResult changed = (DeployResult) session.execute(
                    "mosaic:backend set recs --env api --base-url http://127.0.0.1:10 --timeout 2s --retries 1");
            assertTrue(changed.summary(), changed.changed() && changed.summary().startsWith("changed backend recs in api"));
            assertEquals(2000, deployer().backends("api").get(0).spec().timeoutMillis());
            DeployResult dryRm = (DeployResult) session.execute("mosaic:backend rm recs --env api --dry-run");
            assertTrue(dryRm.dryRun());
            assertEquals(1, deployer().backends("api").size());
            session.execute("mosaic:backend rm recs --env api");
            assertTrue(deployer().backends("api").isEmpty());
        }
        HttpResponse<String> gone = call("DELETE", "/backends/api/recs", null, token, "application/json");
        assertEquals(404, gone.statusCode());
        List<String> ops = deployer().history(5).stream().filter(h -> "api".equals(h.environment()))
                .map(h -> h.operation().toString()).toList();
        assertEquals(List.of("backend-set", "backend-set", "backend-remove"), ops);
        assertNotEquals(null, deployer().history(5).get(2).detail());
    }
}
