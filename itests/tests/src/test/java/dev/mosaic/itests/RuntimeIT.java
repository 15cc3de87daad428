package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.hooks.service.ListenerHook;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mosaic.deployer.RouteView;

/**
 * The runtime as a newcomer first sees it: the examples serving side by side on three
 * versions of one shared module, and the gateway's behaviour at its edges.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RuntimeIT extends MosaicSupport {

    private static final String CATALOG = "dev.mosaic.examples.catalog";

    @Configuration
    public Option[] config() {
        return runtime();
    }

    @Test
    public void eachAdapterIsServedByTheModuleVersionItsRangeAdmits() throws Exception {
        deployer();
        // range [1.0,2): the newest 1.x installed
        assertEquals("1.1.0", moduleVersion("/tv/home"));
        assertEquals(Map.of(CATALOG, "1.1.0"), wiredModules(live("dev.mosaic.examples.tv-home", "1.0.0")));
        // pinned [1.0.0,1.0.0]
        assertEquals("1.0.0", moduleVersion("/mobile/home"));
        assertEquals(Map.of(CATALOG, "1.0.0"), wiredModules(live("dev.mosaic.examples.mobile-home", "1.0.0")));
        // [2.0,3)
        JsonNode play = ok("/glasses/play/42");
        assertEquals("2.0.0", play.get("moduleVersion").asText());
        assertEquals("42", play.get("title").get("id").asText());
        assertEquals("https://art.example.com/42.jpg", play.get("title").get("artworkUrl").asText());
        assertEquals(Map.of(CATALOG, "2.0.0"), wiredModules(live("dev.mosaic.examples.glasses-play", "1.0.0")));
        // all three catalog versions are installed at once
        live(CATALOG, "1.0.0");
        live(CATALOG, "1.1.0");
        live(CATALOG, "2.0.0");
    }

    @Test
    public void anAdapterBundleHoldsNoFrameworkServiceListener() throws Exception {
        deployer();
        Bundle tv = live("dev.mosaic.examples.tv-home", "1.0.0");
        // a listener hook is told of every service listener already registered when it registers
        List<String> tvFilters = new CopyOnWriteArrayList<>();
        ServiceRegistration<ListenerHook> hook = context.registerService(ListenerHook.class, new ListenerHook() {
            @Override
            public void added(Collection<ListenerHook.ListenerInfo> listeners) {
                for (ListenerHook.ListenerInfo l : listeners) {
                    if (!l.isRemoved() && l.getBundleContext().getBundle().equals(tv)) {
                        tvFilters.add(String.valueOf(l.getFilter()));
                    }
                }
            }

            @Override
            public void removed(Collection<ListenerHook.ListenerInfo> listeners) {
            }
        }, null);
        try {
            // nothing: no implicit satisfying condition, and, as tv-home says configurationPolicy =
            // IGNORE, no ConfigurationAdmin tracker either (see "Many adapters" in the README)
            assertEquals("service listeners of tv-home: " + tvFilters, List.of(), tvFilters);
        } finally {
            hook.unregister();
        }
        ComponentDescriptionDTO tvHome = service(ServiceComponentRuntime.class)
                .getComponentDescriptionDTO(tv, "dev.mosaic.examples.tvhome.TvHome");
        assertNotNull(tvHome);
        for (ReferenceDTO r : tvHome.references) {
            assertFalse("no implicit " + r.name, r.name.equals("osgi.ds.satisfying.condition"));
        }
        assertEquals("1.1.0", moduleVersion("/tv/home"));
    }

    @Test
    public void everyResponseCarriesARequestIdAndAnIncomingOneIsKept() throws Exception {
        deployer();
        HttpResponse<String> fine = get("/tv/home");
        assertTrue(fine.headers().firstValue("X-Request-Id").orElse("").matches("[0-9a-f]{16}"));
        HttpResponse<String> traced = get("/mobile/home", "X-Request-Id", "trace-abc.123");
        assertEquals("trace-abc.123", traced.headers().firstValue("X-Request-Id").orElse(null));
        HttpResponse<String> hostile = get("/mobile/home", "X-Request-Id", "bad id with spaces");
        assertTrue(hostile.headers().firstValue("X-Request-Id").orElse("").matches("[0-9a-f]{16}"));
    }

    @Test
    public void unknownPathIsA404JsonErrorNamingThePath() throws Exception {
        deployer();
        HttpResponse<String> r = get("/tv/nowhere?x=1");
        assertEquals(404, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode e = json(r);
        assertEquals("no_route", e.get("error").asText());
        assertEquals("/tv/nowhere", e.get("path").asText());
        assertTrue(e.get("message").asText(), e.get("message").asText().contains("GET /tv/nowhere"));
        assertEquals(r.headers().firstValue("X-Request-Id").orElse(null), e.get("requestId").asText());
    }

    @Test
    public void wrongMethodIsA405NamingThePathAndTheAllowedMethods() throws Exception {
        deployer();
        HttpResponse<String> r = send("DELETE", "/tv/home", null);
        assertEquals(405, r.statusCode());
        assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElse(""));
        JsonNode e = json(r);
        assertEquals("method_not_allowed", e.get("error").asText());
        assertEquals("/tv/home", e.get("path").asText());
        assertEquals(200, send("HEAD", "/tv/home", null).statusCode());
    }

    @Test
    public void environmentHeaderSelectsTheEnvironment() throws Exception {
        deployer();
        assertEquals("1.1.0", ok("/tv/home", "X-Mosaic-Env", "prod").get("moduleVersion").asText());
        HttpResponse<String> empty = get("/tv/home", "X-Mosaic-Env", "staging");
        assertEquals(404, empty.statusCode());
        assertTrue(empty.body(), json(empty).get("message").asText().contains("nothing is deployed in environment 'staging'"));
        HttpResponse<String> invalid = get("/tv/home", "X-Mosaic-Env", "Prod!");
        assertEquals(400, invalid.statusCode());
        assertEquals("invalid_environment", json(invalid).get("error").asText());
    }

    @Test
    public void aRefusalBeforeTheBodyIsReadSaysTheConnectionCloses() throws Exception {
        deployer();
        // half a body is sent, the rest never is: a route that does not exist, and a method the route does not take, are
        // refused before the body is read, and the answer says the connection ends (Jetty closes it)
        for (String path : new String[] {"/nowhere", "/tv/home"}) {
            String refused = raw("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n" + "x".repeat(50_000));
            assertTrue(refused, refused.startsWith(path.equals("/tv/home") ? "HTTP/1.1 405 " : "HTTP/1.1 404 "));
            assertTrue(refused, refused.toLowerCase(java.util.Locale.ROOT).contains("\r\nconnection: close\r\n"));
        }
        // a refusal of a request without a body, or whose body has all arrived, keeps the connection: the next request is
        // answered on it
        String two = raw("GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "POST /nowhere HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}"
                + "GET /tv/home HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertTrue(two, two.startsWith("HTTP/1.1 404 "));
        assertEquals(two, 2, two.split("HTTP/1.1 404 ", -1).length - 1);
        assertTrue(two, two.contains("HTTP/1.1 200 "));
    }

    @Test
    public void malformedRequestsGetAJsonErrorBeforeReachingAnyAdapter() throws Exception {
        deployer();
        String bad = raw("GET /tv/%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertTrue(bad, bad.startsWith("HTTP/1.1 400"));
        assertTrue(bad, bad.contains("application/json"));
        assertTrue(bad, bad.contains("\"error\":\"bad_request\""));
        String ambiguous = raw("GET /tv/..%2F..%2Fetc HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertTrue(ambiguous, ambiguous.startsWith("HTTP/1.1 400"));
        assertEquals("1.1.0", moduleVersion("/tv/home"));
    }

    @Test
    public void failingAdaptersAnswer5xxForTheirOwnRoutesOnly() throws Exception {
        deploy(fixture("failing"));
        try {
            HttpResponse<String> boom = get("/fixtures/boom");
            assertEquals(500, boom.statusCode());
            JsonNode e = json(boom);
            assertEquals("adapter_failed", e.get("error").asText());
            assertEquals("dev.mosaic.fixtures.failing", e.get("adapter").asText());
            assertEquals("1.0.0", e.get("adapterVersion").asText());
            assertEquals(boom.headers().firstValue("X-Request-Id").orElse(null), e.get("requestId").asText());
            assertTrue("the adapter's exception message stays in the log", !boom.body().contains("on purpose"));

            HttpResponse<String> async = get("/fixtures/async-boom");
            assertEquals(500, async.statusCode());
            assertEquals("adapter_failed", json(async).get("error").asText());

            HttpResponse<String> unserializable = get("/fixtures/unserializable");
            assertEquals(500, unserializable.statusCode());
            JsonNode u = json(unserializable);
            assertEquals("response_not_serializable", u.get("error").asText());
            assertTrue(u.get("message").asText(), u.get("message").asText().contains("cannot be written as JSON"));

            // everything else keeps serving
            assertEquals("1.1.0", moduleVersion("/tv/home"));
            assertEquals("1.0.0", moduleVersion("/mobile/home"));
            assertEquals("2.0.0", moduleVersion("/glasses/play/42"));
        } finally {
            deployer().undeploy("prod", "dev.mosaic.fixtures.failing", null, false, "itest");
        }
        assertEquals(404, get("/fixtures/boom").statusCode());
    }

    @Test
    public void handlersGetParametersQueryHeadersAndBodyAndChooseStatusAndHeaders() throws Exception {
        deploy(fixture("failing"));
        try {
            HttpResponse<String> echo = get("/fixtures/echo/hello%20world?q=a&q=b", "X-Fixture", "x1");
            assertEquals(202, echo.statusCode());
            assertEquals("yes", echo.headers().firstValue("X-Echo").orElse(null));
            JsonNode e = json(echo);
            assertEquals("hello world", e.get("word").asText());
            assertEquals("a", e.get("q").asText());
            assertEquals("x1", e.get("header").asText());
            assertEquals("prod", e.get("environment").asText());

            HttpResponse<String> posted = send("POST", "/fixtures/echo", "{\"n\":1}", "Content-Type", "application/json");
            assertEquals(200, posted.statusCode());
            assertEquals(1, json(posted).get("received").get("n").asInt());

            HttpResponse<String> broken = send("POST", "/fixtures/echo", "{not json", "Content-Type", "application/json");
            assertEquals(400, broken.statusCode());
            assertTrue(broken.body(), json(broken).get("message").asText().contains("a body that is not JSON"));
        } finally {
            deployer().undeploy("prod", "dev.mosaic.fixtures.failing", null, false, "itest");
        }
    }

    @Test
    public void consoleRoutesCommandListsAdaptersAndTheirWiredModuleVersions() throws Exception {
        CommandSession session = console();
        try {
            Object result = session.execute("mosaic:routes");
            @SuppressWarnings("unchecked")
            List<RouteView> routes = (List<RouteView>) result;
            RouteView tv = routes.stream().filter(r -> r.path().equals("/tv/home")).findFirst().orElse(null);
            assertNotNull("routes: " + routes, tv);
            assertEquals("dev.mosaic.examples.tv-home", tv.adapter());
            assertEquals("1.0.0", tv.adapterVersion());
            assertEquals(Map.of(CATALOG, "1.1.0"), tv.modules());
            RouteView glasses = routes.stream().filter(r -> r.path().equals("/glasses/play/{titleId}")).findFirst().orElseThrow();
            assertEquals(Map.of(CATALOG, "2.0.0"), glasses.modules());
            @SuppressWarnings("unchecked")
            List<RouteView> prod = (List<RouteView>) session.execute("mosaic:routes -e prod");
            assertEquals(routes.stream().map(RouteView::path).toList(), prod.stream().map(RouteView::path).toList());
            assertEquals("the examples serve in prod only", "(none: nothing is deployed or declared in test; in use: prod)",
                    session.execute("mosaic:routes --env test"));

            String shown = session.format(result, org.apache.felix.service.command.Converter.INSPECT).toString();
            assertTrue(shown, shown.lines().anyMatch(l -> l.contains("/mobile/home") && l.contains("dev.mosaic.examples.mobile-home")
                    && l.contains(CATALOG + " 1.0.0")));
            assertFalse("the columns a terminal has room for: " + shown, shown.contains("TIMEOUT"));
            // -w: every column, the same routes
            Object wide = session.execute("mosaic:routes -w -e prod");
            String all = session.format(wide, org.apache.felix.service.command.Converter.INSPECT).toString();
            assertTrue(all, all.lines().findFirst().orElse("").contains("TIMEOUT  LIMIT  504  503"));
            assertTrue(all, all.lines().anyMatch(l -> l.contains("/mobile/home") && l.contains(CATALOG + " 1.0.0")
                    && l.contains("2000ms")));
        } finally {
            session.close();
        }
    }

    @Test
    public void consoleHistoryCommandShowsOneNamesChanges() throws Exception {
        CommandSession session = console();
        try {
            @SuppressWarnings("unchecked")
            List<dev.mosaic.deployer.HistoryEntry> all = (List<dev.mosaic.deployer.HistoryEntry>) session.execute(
                    "mosaic:history -n 100");
            assertTrue(all.toString(), all.stream().anyMatch(h -> !h.name().equals("dev.mosaic.examples.mobile-home")));
            @SuppressWarnings("unchecked")
            List<dev.mosaic.deployer.HistoryEntry> mobile = (List<dev.mosaic.deployer.HistoryEntry>) session.execute(
                    "mosaic:history -e prod dev.mosaic.examples.mobile-home");
            String name = "dev.mosaic.examples.mobile-home";
            assertTrue(mobile.toString(), mobile.stream().anyMatch(h -> h.name().equals(name) && h.operation().toString()
                    .equals("deploy")));
            assertTrue("its own changes, or those that moved it: " + mobile, mobile.stream().allMatch(h -> h.name().equals(name)
                    || h.moves() != null && h.moves().stream().anyMatch(m -> m.consumer().equals(name))));
            try {
                session.execute("mosaic:history dev.mosaic.examples.mobile-hom");
                fail("a name nothing has is not found");
            } catch (dev.mosaic.deployer.DeployException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("did you mean dev.mosaic.examples.mobile-home?"));
            }
            // an environment nothing is in says so, as the CLI does; one in use lists
            String unused = String.valueOf(session.execute("mosaic:history -e prdo"));
            assertTrue(unused, unused.startsWith("(none: nothing is deployed or declared in prdo; in use: ")
                    && unused.endsWith("(did you mean prod?))"));
            assertTrue(String.valueOf(session.execute("mosaic:ls -e prdo")).startsWith("(none: nothing is deployed"));
            assertTrue(session.execute("mosaic:ls -e prod") instanceof List<?> l && !l.isEmpty());
            assertTrue(String.valueOf(session.execute("mosaic:graph -e prdo")).startsWith("(none: nothing is deployed"));
            assertTrue(session.execute("mosaic:graph -e prod") instanceof dev.mosaic.insight.Graph g && !g.nodes().isEmpty());
        } finally {
            session.close();
        }
    }

    @Test
    public void consoleRolloutCommandShowsPausesAndAbortsAJudgedCanary() throws Exception {
        String flaky = "dev.mosaic.fixtures.flaky";
        CommandSession session = console();
        try {
            deployer().deploy(fixture("flaky-1.0.0"), new dev.mosaic.deployer.DeployOptions("test", "itest", null, false, null));
            deployer().canary(new java.io.ByteArrayInputStream(fixture("flaky-1.1.0")), new dev.mosaic.deployer.DeployOptions(
                    "test", "itest", null, false, null), 10, null, new dev.mosaic.deployer.Judgement(java.time.Duration.ofMinutes(10),
                            java.time.Duration.ofMinutes(30), 200, false));
            @SuppressWarnings("unchecked")
            List<dev.mosaic.deployer.RolloutInfo> status = (List<dev.mosaic.deployer.RolloutInfo>) session.execute(
                    "mosaic:rollout -e test status");
            assertEquals(status.toString(), 1, status.size());
            assertEquals("judging", status.get(0).state());
            assertEquals("1.0.0", status.get(0).baseline());
            String shown = session.format(status, org.apache.felix.service.command.Converter.INSPECT).toString();
            assertTrue(shown, shown.contains("not-enough-data") || shown.contains("no verdict yet"));

            dev.mosaic.deployer.DeployResult dry = (dev.mosaic.deployer.DeployResult) session.execute(
                    "mosaic:rollout -e test --dry-run pause " + flaky);
            assertTrue(dry.summary(), dry.dryRun() && dry.summary().contains("would pause"));
            assertEquals("judging", deployer().rollouts().get(0).state());
            session.execute("mosaic:rollout -e test pause " + flaky);
            assertEquals("paused", deployer().rollouts().get(0).state());
            try {
                session.execute("mosaic:rollout -e test halt " + flaky);
                org.junit.Assert.fail("an unknown action is refused");
            } catch (dev.mosaic.deployer.DeployException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("not 'halt'"));
            }
            session.execute("mosaic:rollout -e test abort " + flaky);
            assertEquals(List.of(), deployer().rollouts());
            assertEquals("console", deployer().history(1).get(0).actor().replaceAll(":.*", ""));
        } finally {
            session.close();
            deployer().undeploy("test", flaky, null, true, "itest");
        }
    }

    @Test
    public void consoleCommandsDeployListAndUndeployWithTheirFlags() throws Exception {
        CommandSession session = console();
        java.nio.file.Path jar = java.nio.file.Files.createTempFile("failing", ".jar");
        java.nio.file.Files.write(jar, fixture("failing"));
        try {
            dev.mosaic.deployer.DeployResult deployed = (dev.mosaic.deployer.DeployResult) session.execute(
                    "mosaic:deploy -e test " + jar);
            assertEquals("test", deployed.deployment().environment());
            assertEquals("console:" + System.getProperty("user.name"), deployed.deployment().deployedBy());
            String shown = session.format(deployed, org.apache.felix.service.command.Converter.INSPECT).toString();
            assertTrue(shown, shown.startsWith("deployed dev.mosaic.fixtures.failing 1.0.0 to test"));
            @SuppressWarnings("unchecked")
            List<dev.mosaic.deployer.DeploymentInfo> test = (List<dev.mosaic.deployer.DeploymentInfo>) session.execute("mosaic:list --env test");
            assertEquals(1, test.size());
            // one name: the fixture in test, not in prod
            @SuppressWarnings("unchecked")
            List<dev.mosaic.deployer.DeploymentInfo> named = (List<dev.mosaic.deployer.DeploymentInfo>) session.execute(
                    "mosaic:ls dev.mosaic.fixtures.failing");
            assertEquals(List.of("test"), named.stream().map(dev.mosaic.deployer.DeploymentInfo::environment).toList());
            try {
                session.execute("mosaic:ls -e prod dev.mosaic.fixtures.failing");
                org.junit.Assert.fail("nothing of that name in prod");
            } catch (dev.mosaic.deployer.DeployException e) {
                assertEquals(e.getMessage(), dev.mosaic.deployer.DeployException.NOT_FOUND, e.code());
                assertTrue(e.getMessage(), e.getMessage().contains("is deployed in prod"));
            }
            assertEquals(202, get("/fixtures/echo/x", "X-Mosaic-Env", "test").statusCode());
            try {
                session.execute("mosaic:undeploy -e test dev.mosaic.examples.catalog 1.0.0");
                org.junit.Assert.fail("nothing of that name in test");
            } catch (dev.mosaic.deployer.DeployException e) {
                assertEquals(dev.mosaic.deployer.DeployException.NOT_FOUND, e.code());
            }
        } finally {
            session.execute("mosaic:undeploy -e test dev.mosaic.fixtures.failing");
            session.close();
            java.nio.file.Files.delete(jar);
        }
        assertEquals(404, get("/fixtures/echo/x", "X-Mosaic-Env", "test").statusCode());
    }

    @Test
    public void consoleHelpDescribesTheMosaicScopeAndItsCommandsHaveTheCliNames() throws Exception {
        CommandSession session = console();
        try {
            String help = String.valueOf(session.execute("help mosaic"));
            assertTrue(help, help.contains("Mosaic's commands (scope mosaic)") && help.contains("deploy, check, ls, routes"));
            String listing = String.valueOf(session.execute("mosaic"));
            for (String command : List.of("deploy", "ls", "routes", "yank", "unyank", "rollback", "undeploy", "adopt", "history",
                    "promote", "ttl", "sunset", "dependents", "deps", "uptake", "graph", "health")) {
                assertTrue(command + " in " + listing, listing.contains("mosaic:" + command + " "));
            }
            @SuppressWarnings("unchecked")
            List<dev.mosaic.deployer.DeploymentInfo> modules = (List<dev.mosaic.deployer.DeploymentInfo>) session.execute(
                    "mosaic:ls --kind module");
            assertTrue(modules.toString(), !modules.isEmpty()
                    && modules.stream().allMatch(d -> d.kind() == dev.mosaic.deployer.Kind.MODULE));
        } finally {
            session.close();
        }
    }

    /** A Gogo session like the console's, once the runtime is ready. */
    private CommandSession console() throws Exception {
        deployer();
        PrintStream print = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return service(CommandProcessor.class).createSession(InputStream.nullInputStream(), print, print);
    }

    private String raw(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
