package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.junit.Test;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mosaic.shell.ManagementApi;

/**
 * The HTTP management API over real HTTP: authentication, every resource, and errors as
 * JSON with stable codes.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ManagementApiIT extends MosaicSupport {

    private static final String CATALOG = "dev.mosaic.examples.catalog";


    @Configuration
    public Option[] config() {
        return runtime(frameworkProperty("mosaic.mgmt.maxUploadBytes").value(Integer.toString(1 << 20)),
                frameworkProperty("mosaic.mgmt.maxAuthFailures").value("5"),
                frameworkProperty("mosaic.mgmt.authLockMillis").value("1500"));
    }

    @Test
    public void listensOnLoopbackWithAnOwnerOnlyToken() throws Exception {
        String url = service(ManagementApi.class).url();
        assertTrue(url, url.startsWith("http://127.0.0.1:") && url.endsWith("/api/v1"));
        Path token = tokenFile();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
        assertEquals(token.toString(), service(ManagementApi.class).tokenSource());
    }

    @Test
    public void everyRequestNeedsTheBearerToken() throws Exception {
        HttpResponse<String> none = call("GET", "/routes", null, null, "application/json");
        assertEquals(401, none.statusCode());
        assertEquals("Bearer realm=\"mosaic\"", none.headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals("unauthorized", json(none).get("error").asText());

        HttpResponse<String> wrong = call("GET", "/routes", null, "guess", "application/json");
        assertEquals(401, wrong.statusCode());
        assertFalse("a token is never echoed", wrong.body().contains("guess"));
        assertFalse(wrong.body().contains(token()));

        HttpResponse<String> deploy = call("POST", "/deployments", fixture("failing"), "guess", "application/json");
        assertEquals(401, deploy.statusCode());
        assertEquals(404, get("/fixtures/echo/x").statusCode());
    }

    @Test
    public void uploadsOverTheLimitAreRefusedUnread() throws Exception {
        // the headers announce one byte over the limit and no byte of the body is ever sent:
        // the answer can only come from a runtime that refuses the upload without reading it
        URI api = URI.create(service(ManagementApi.class).url());
        try (Socket socket = new Socket(api.getHost(), api.getPort())) {
            socket.setSoTimeout(30_000);
            String head = "POST " + api.getPath() + "/deployments HTTP/1.1\r\n"
                    + "Host: " + api.getAuthority() + "\r\n"
                    + "Authorization: Bearer " + token() + "\r\n"
                    + "Content-Type: application/java-archive\r\n"
                    + "Content-Length: " + ((1 << 20) + 1) + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            // read to the end: the runtime closes a connection whose body it did not read
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer, answer.startsWith("HTTP/1.1 413 "));
            assertTrue(answer, answer.contains("\"body_too_large\""));
        }
        assertEquals("1.1.0", moduleVersion("/tv/home"));
    }

    @Test
    public void repeatedFailedAuthenticationsLockTheAddressOutForAWhile() throws Exception {
        // failures by other tests may still count: fail until locked out, which takes at most 5
        int failures = 0;
        while (call("GET", "/routes", null, "guess-" + failures, "application/json").statusCode() == 401) {
            failures++;
            assertTrue("still not locked out after " + failures + " failures", failures <= 5);
        }
        HttpResponse<String> locked = call("GET", "/routes", null, token(), "application/json");
        assertEquals("even the right token waits while the address is locked out", 429, locked.statusCode());
        assertEquals("too_many_failures", json(locked).get("error").asText());
        assertTrue(locked.headers().firstValue("Retry-After").isPresent());
        eventually("the lock-out ends", () -> {
            try {
                return call("GET", "/routes", null, token(), "application/json").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    public void deployListRouteHistoryAndUndeployThroughTheApi() throws Exception {
        HttpResponse<String> deployed = api("POST", "/deployments?env=test", fixture("failing"));
        assertEquals(deployed.body(), 201, deployed.statusCode());
        JsonNode d = json(deployed);
        assertEquals("deploy", d.get("operation").asText());
        assertEquals("dev.mosaic.fixtures.failing", d.get("deployment").get("name").asText());
        assertEquals("test", d.get("deployment").get("environment").asText());
        assertEquals(64, d.get("deployment").get("sha256").asText().length());
        try {
            JsonNode list = json(api("GET", "/deployments?env=test", null));
            assertEquals(1, list.size());
            assertEquals("fixtures@example.com", list.get(0).get("owner").asText());
            assertEquals("api:itest", list.get(0).get("deployedBy").asText());

            JsonNode routes = json(api("GET", "/routes", null));
            boolean found = false;
            for (JsonNode r : routes) {
                found |= r.get("environment").asText().equals("test") && r.get("path").asText().equals("/fixtures/boom");
            }
            assertTrue(routes.toString(), found);

            HttpResponse<String> noPrevious = api("POST", "/deployments/test/dev.mosaic.fixtures.failing/rollback", null);
            assertEquals(409, noPrevious.statusCode());
            assertEquals("conflict", json(noPrevious).get("error").asText());
        } finally {
            HttpResponse<String> removed = api("DELETE", "/deployments/test/dev.mosaic.fixtures.failing", null);
            assertEquals(removed.body(), 200, removed.statusCode());
        }
        JsonNode history = json(api("GET", "/history?limit=2", null));
        assertEquals("deploy", history.get(0).get("operation").asText());
        assertEquals("undeploy", history.get(1).get("operation").asText());
        assertEquals("api:itest", history.get(1).get("actor").asText());
    }

    @Test
    public void releaseYankAndUndeployAModuleVersionThroughTheApi() throws Exception {
        HttpResponse<String> released = api("POST", "/deployments", example("catalog-1.2.0.jar"));
        assertEquals(released.body(), 201, released.statusCode());
        JsonNode moves = json(released).get("moves");
        assertEquals("dev.mosaic.examples.tv-home", moves.get(0).get("consumer").asText());
        assertEquals("1.2.0", moves.get(0).get("to").get(CATALOG).asText());
        assertEquals("1.2.0", moduleVersion("/tv/home"));

        HttpResponse<String> inUse = api("DELETE", "/deployments/prod/" + CATALOG + "/1.2.0", null);
        assertEquals(409, inUse.statusCode());
        assertEquals("in_use", json(inUse).get("error").asText());

        HttpResponse<String> yanked = api("POST", "/modules/" + CATALOG + "/1.2.0/yank?env=prod", null);
        assertEquals(yanked.body(), 201, yanked.statusCode());
        assertEquals("1.1.0", moduleVersion("/tv/home"));
        assertEquals(200, api("DELETE", "/deployments/prod/" + CATALOG + "/1.2.0", null).statusCode());
    }

    @Test
    public void errorsAreJsonWithAStableCode() throws Exception {
        assertError(api("POST", "/deployments", "not a jar".getBytes()), 400, "invalid_bundle");
        assertError(api("POST", "/deployments", new byte[0]), 400, "invalid_bundle");
        assertError(api("POST", "/deployments", fixture("unresolvable")), 422, "unresolvable");
        assertError(api("POST", "/deployments", fixture("conflict")), 409, "route_conflict");
        assertError(api("POST", "/deployments?env=Prod!", fixture("failing")), 400, "invalid_argument");
        assertError(api("POST", "/modules/" + CATALOG + "/9.9.9/yank", null), 404, "not_found");
        assertError(api("POST", "/deployments/prod/no.such.adapter/rollback", null), 404, "not_found");
        assertError(api("GET", "/nothing-here", null), 404, "not_found");
        assertError(api("PUT", "/routes", null), 405, "method_not_allowed");
        assertError(api("GET", "/history?limit=lots", null), 400, "invalid_argument");
        assertError(api("GET", "/history?limit=-1", null), 400, "invalid_argument");
        assertEquals(200, api("GET", "/history?limit=0", null).statusCode());
        // what Jetty refuses before the API sees it is JSON too, not Jetty's HTML
        assertError(api("DELETE", "/deployments/prod/a%2Fb", null), 400, "bad_request");
        assertError(api("GET", "/routes?" + "x".repeat(10_000), null), 414, "uri_too_long");
        assertEquals("1.1.0", moduleVersion("/tv/home"));
    }

    @Test
    public void peopleGetTheConsoleTablesAsText() throws Exception {
        HttpResponse<String> text = call("GET", "/routes", null, token(), "text/plain");
        assertEquals(200, text.statusCode());
        assertTrue(text.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertTrue(text.body(), text.body().lines().anyMatch(l -> l.contains("/tv/home") && l.contains(CATALOG + " 1.1.0")));
        assertFalse("the columns a terminal has room for: " + text.body(), text.body().contains("TIMEOUT"));
        // ?wide=true: every column, a route's deadline and limit too
        HttpResponse<String> wide = call("GET", "/routes?wide=true", null, token(), "text/plain");
        assertEquals(200, wide.statusCode());
        assertTrue(wide.body(), wide.body().lines().findFirst().orElse("").contains("TIMEOUT  LIMIT  504  503"));
        assertTrue(wide.body(), wide.body().lines().anyMatch(l -> l.contains("/tv/home") && l.contains(CATALOG + " 1.1.0")
                && l.contains("2000ms")));
        // one name's deployments: a module's versions; a misspelt name is not found, never an empty list
        JsonNode all = json(api("GET", "/deployments", null));
        JsonNode catalog = json(api("GET", "/deployments?name=" + CATALOG, null));
        java.util.List<String> expected = new java.util.ArrayList<>();
        all.forEach(d -> {
            if (d.get("name").asText().equals(CATALOG)) {
                expected.add(d.get("environment").asText() + "/" + d.get("version").asText());
            }
        });
        java.util.List<String> named = new java.util.ArrayList<>();
        catalog.forEach(d -> named.add(d.get("environment").asText() + "/" + d.get("version").asText()));
        assertTrue(all.toString(), expected.size() > 1 && all.size() > expected.size());
        assertEquals(expected, named);
        HttpResponse<String> misspelt = api("GET", "/deployments?name=" + CATALOG + "ue", null);
        assertError(misspelt, 404, "not_found");
        assertTrue(misspelt.body(), misspelt.body().contains("no " + CATALOG + "ue is deployed in any environment (did you mean "
                + CATALOG + "?)"));
        // a short name finds the deployments it is the last part of
        assertTrue(api("GET", "/deployments?name=catalog", null).body().contains("(did you mean " + CATALOG + "?)"));
        assertEquals("filtered out, not unknown", 0, json(api("GET", "/deployments?kind=adapter&name=" + CATALOG, null)).size());
        // one environment's routes (the examples are in prod only)
        assertTrue(json(api("GET", "/routes?env=prod", null)).toString().contains("\"path\":\"/tv/home\""));
        assertEquals(0, json(api("GET", "/routes?env=test", null)).size());
    }

    @Test
    public void aRefusalBeforeTheBodyIsReadSaysTheConnectionCloses() throws Exception {
        assertEquals(200, api("GET", "/routes", null).statusCode()); // restored: what follows is the API's own answer
        // a bad environment is refused before the jar is taken in, a missing token before anything else is looked at:
        // the answer says the connection ends, so that a client does not send its next request on it
        String badEnv = halfAnUpload("/deployments?env=Prod!", "Authorization: Bearer " + token() + "\r\n");
        assertTrue(badEnv, badEnv.startsWith("HTTP/1.1 400 "));
        assertTrue(badEnv, badEnv.toLowerCase(java.util.Locale.ROOT).contains("\r\nconnection: close\r\n"));
        assertTrue(badEnv, badEnv.contains("'Prod!' is not an environment name"));
        String noToken = halfAnUpload("/deployments", "");
        assertTrue(noToken, noToken.startsWith("HTTP/1.1 401 "));
        assertTrue(noToken, noToken.toLowerCase(java.util.Locale.ROOT).contains("\r\nconnection: close\r\n"));
        URI api = URI.create(service(ManagementApi.class).url());
        try (Socket socket = new Socket(api.getHost(), api.getPort())) {
            socket.setSoTimeout(30_000);
            // a refusal of a request without a body keeps the connection: the next request is answered on it
            String get = "GET " + api.getPath() + "/history?limit=lots HTTP/1.1\r\n"
                    + "Host: " + api.getAuthority() + "\r\n"
                    + "Authorization: Bearer " + token() + "\r\n\r\n";
            String close = get.replace("limit=lots", "limit=1").replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n");
            // and so does a refusal of a request whose body has all arrived
            String whole = "POST " + api.getPath() + "/deployments?env=Prod! HTTP/1.1\r\nHost: " + api.getAuthority()
                    + "\r\nAuthorization: Bearer " + token() + "\r\nContent-Length: 9\r\n\r\nnot a jar";
            socket.getOutputStream().write((get + whole + close).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answers, answers.startsWith("HTTP/1.1 400 "));
            assertEquals(answers, 2, answers.split("HTTP/1.1 400 ", -1).length - 1);
            assertTrue(answers, answers.contains("HTTP/1.1 200 "));
        }
    }

    /** @return the answer to an upload of which half the body is sent, the rest never is, read to the connection's end */
    private String halfAnUpload(String pathAndQuery, String moreHeaders) throws Exception {
        URI api = URI.create(service(ManagementApi.class).url());
        try (Socket socket = new Socket(api.getHost(), api.getPort())) {
            socket.setSoTimeout(30_000);
            String head = "POST " + api.getPath() + pathAndQuery + " HTTP/1.1\r\nHost: " + api.getAuthority() + "\r\n"
                    + moreHeaders + "Content-Type: application/java-archive\r\nContent-Length: 100000\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(new byte[50_000]);
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    public void aMisspeltNameOrEnvironmentIsSaidWithTheOneMeant() throws Exception {
        String tvHome = "dev.mosaic.examples.tv-home";
        // the same operation on the name as deployed goes through (a dry run: nothing changes)
        HttpResponse<String> adopt = api("POST", "/deployments/prod/" + tvHome + "/adopt?dryRun=true", null);
        assertEquals(adopt.body(), 200, adopt.statusCode());
        HttpResponse<String> typo = api("POST", "/deployments/prod/" + tvHome + "s/adopt?dryRun=true", null);
        assertError(typo, 404, "not_found");
        assertTrue(typo.body(), typo.body().contains("nothing named " + tvHome + "s is deployed in prod (did you mean " + tvHome
                + "?)"));
        HttpResponse<String> otherEnv = api("POST", "/deployments/test/" + tvHome + "/rollback", null);
        assertError(otherEnv, 404, "not_found");
        assertTrue(otherEnv.body(), otherEnv.body().contains("nothing named " + tvHome + " is deployed in test; it is deployed"
                + " in prod"));
        HttpResponse<String> shortElsewhere = api("POST", "/deployments/test/tv-home/rollback", null);
        assertError(shortElsewhere, 404, "not_found");
        assertTrue(shortElsewhere.body(), shortElsewhere.body().contains("nothing named tv-home is deployed in test (did you"
                + " mean " + tvHome + ", deployed in prod?)"));
        HttpResponse<String> promote = api("POST", "/deployments/prdo/" + tvHome + "/promote?to=test&dryRun=true", null);
        assertError(promote, 404, "not_found");
        assertTrue(promote.body(), promote.body().contains("nothing is deployed in environment 'prdo' to promote from (did you"
                + " mean prod?); environments with deployments: prod")); // a list in words, not [prod]

        // a backend's callers: a misspelt backend is not found (not "nobody calls it"); a declared one nobody calls is empty
        HttpResponse<String> backend = api("GET", "/modules/backend:bookmark/dependents?env=prod", null);
        assertError(backend, 404, "not_found");
        assertTrue(backend.body(), backend.body().contains("no backend bookmark is declared in prod"));
        assertEquals(200, api("PUT", "/backends/prod/bookmarks", "{\"url\":[\"http://127.0.0.1:9/\"]}".getBytes()).statusCode());
        try {
            JsonNode uncalled = json(api("GET", "/modules/backend:bookmarks/dependents?env=prod", null));
            assertEquals(uncalled.toString(), 0, uncalled.get(0).get("wired").size());
            assertTrue(api("GET", "/modules/backend:bookmark/dependents?env=prod", null).body().contains(
                    "(did you mean bookmarks?)"));
            // one backend's declaration in full (backend show): JSON, and the console's text; a misspelt one not found
            JsonNode shown = json(api("GET", "/backends/prod/bookmarks", null));
            assertEquals(shown.toString(), "http://127.0.0.1:9", shown.get("spec").get("urls").get(0).asText());
            assertEquals(shown.toString(), 1000, shown.get("spec").get("timeoutMillis").asInt());
            String text = call("GET", "/backends/prod/bookmarks", null, token(), "text/plain").body();
            assertTrue(text, text.startsWith("backend:            bookmarks in prod\nbase URLs:          http://127.0.0.1:9\n")
                    && text.contains("\nbreaker:            opens at 50% failures over at least 20 calls in 10 s, for 5000 ms"));
            HttpResponse<String> misspelt = api("GET", "/backends/prod/bookmark", null);
            assertError(misspelt, 404, "not_found");
            assertTrue(misspelt.body(), misspelt.body().contains("no backend bookmark is declared in prod (did you mean"
                    + " bookmarks?); declared there: bookmarks"));
            // the same words from backend rm and dependents backend:NAME; the name meant is removed (a dry run)
            HttpResponse<String> remove = api("DELETE", "/backends/prod/bookmark?dryRun=true", null);
            assertError(remove, 404, "not_found");
            assertTrue(remove.body(), remove.body().contains("no backend bookmark is declared in prod (did you mean"
                    + " bookmarks?); declared there: bookmarks"));
            assertEquals(200, api("DELETE", "/backends/prod/bookmarks?dryRun=true", null).statusCode());
            assertTrue(api("GET", "/modules/backend:bookmark/dependents?env=prod", null).body().contains(
                    "(did you mean bookmarks?); declared there: bookmarks"));
        } finally {
            api("DELETE", "/backends/prod/bookmarks", null);
        }

        // any name makes an environment: a deploy to one that has nothing yet says so, with the one likely meant
        byte[] jar = fixture("failing");
        JsonNode toTypo = json(api("POST", "/deployments?env=prdo&dryRun=true", jar));
        assertTrue(toTypo.toString(), toTypo.get("summary").asText().endsWith("; prdo is a new environment: nothing else is"
                + " deployed there and it declares no backends (did you mean prod?)"));
        assertEquals("nothing was deployed", 0, json(api("GET", "/deployments?env=prdo", null)).size());
        JsonNode toProd = json(api("POST", "/deployments?env=prod&dryRun=true", jar));
        assertTrue(toProd.toString(), toProd.get("summary").asText().startsWith("dry run: would deploy"));
        assertFalse(toProd.toString(), toProd.get("summary").asText().contains("new environment"));
    }

    @Test
    public void theHistoryOfOneNameOrEnvironmentIsAskedFor() throws Exception {
        String tvHome = "dev.mosaic.examples.tv-home";
        assertEquals(201, api("POST", "/deployments?env=hist", example("seed/catalog-1.1.0.jar")).statusCode());
        assertEquals(201, api("POST", "/deployments?env=hist", example("seed/tv-home-1.0.0.jar")).statusCode());
        assertEquals(201, api("POST", "/deployments?env=hist", example("catalog-1.2.0.jar")).statusCode());
        try {
            // one environment: its three changes, nothing of prod's
            JsonNode hist = json(api("GET", "/history?env=hist", null));
            assertEquals(hist.toString(), 3, hist.size());
            hist.forEach(h -> assertEquals(h.toString(), "hist", h.get("environment").asText()));
            // one adapter: its deploy, and the release that moved it; not catalog 1.1.0's release, which moved no one
            JsonNode tv = json(api("GET", "/history?env=hist&name=" + tvHome, null));
            assertEquals(tv.toString(), 2, tv.size());
            assertEquals(tv.toString(), "deploy", tv.get(0).get("operation").asText());
            assertEquals(tv.toString(), "release", tv.get(1).get("operation").asText());
            assertEquals(tv.toString(), CATALOG, tv.get(1).get("name").asText());
            assertEquals(tv.toString(), tvHome, tv.get(1).get("moves").get(0).get("consumer").asText());
            JsonNode newest = json(api("GET", "/history?env=hist&name=" + tvHome + "&limit=1", null));
            assertEquals(newest.toString(), tv.get(1), newest.get(0));
            // everywhere: prod's changes of it too (the seed's deploy), and the text the CLI shows, moves under their change
            JsonNode everywhere = json(api("GET", "/history?name=" + tvHome, null));
            assertTrue(everywhere.toString(), everywhere.size() > 2 && java.util.stream.StreamSupport.stream(
                    everywhere.spliterator(), false).anyMatch(h -> h.get("environment").asText().equals("prod")));
            String text = call("GET", "/history?env=hist&name=" + tvHome, null, token(), "text/plain").body();
            assertTrue(text, text.contains("\n    moved " + tvHome + " 1.0.0: " + CATALOG + " 1.1.0 -> 1.2.0 (uptake)"));

            // a name nothing has: not found, with the one meant; one that is elsewhere: where
            HttpResponse<String> typo = api("GET", "/history?name=" + tvHome + "s", null);
            assertError(typo, 404, "not_found");
            assertTrue(typo.body(), typo.body().contains("no change concerns " + tvHome + "s in any environment, and nothing"
                    + " deployed or declared there has that name (did you mean " + tvHome + "?)"));
            assertEquals(200, api("PUT", "/backends/prod/ratings", "{\"url\":[\"http://127.0.0.1:9/\"]}".getBytes()).statusCode());
            HttpResponse<String> elsewhere = api("GET", "/history?env=hist&name=ratings", null);
            assertError(elsewhere, 404, "not_found");
            assertTrue(elsewhere.body(), elsewhere.body().contains("no change concerns ratings in hist, and nothing deployed or"
                    + " declared there has that name; its changes are in prod: bin/mosaic history ratings"));
            JsonNode backend = json(api("GET", "/history?name=ratings", null));
            assertEquals(backend.toString(), "backend-set", backend.get(0).get("operation").asText());
        } finally {
            api("DELETE", "/backends/prod/ratings", null);
            api("DELETE", "/deployments/hist/" + tvHome, null);
            api("DELETE", "/deployments/hist/" + CATALOG + "/1.2.0", null);
            api("DELETE", "/deployments/hist/" + CATALOG + "/1.1.0", null);
        }
    }

    @Test
    public void insightAndLifecycleResourcesAnswer() throws Exception {
        JsonNode dependents = json(api("GET", "/modules/" + CATALOG + "/dependents?env=prod&version=1.0.0", null));
        assertEquals(1, dependents.size());
        assertEquals("dev.mosaic.examples.mobile-home", dependents.get(0).get("wired").get(0).get("name").asText());

        // a name nothing deployed is not found, not an empty list a misspelt module could pass for ("nobody uses it")
        HttpResponse<String> misspelt = api("GET", "/modules/" + CATALOG + "x/dependents?env=prod", null);
        assertEquals(misspelt.body(), 404, misspelt.statusCode());
        assertTrue(misspelt.body(), misspelt.body().contains("no module " + CATALOG + "x is deployed in prod"));
        HttpResponse<String> noVersion = api("GET", "/modules/" + CATALOG + "/dependents?env=prod&version=9.0.0", null);
        assertEquals(noVersion.body(), 404, noVersion.statusCode());
        assertTrue(noVersion.body(), noVersion.body().contains(CATALOG + " has no version 9.0.0 in prod (it has 1.0.0, "));
        HttpResponse<String> adapter = api("GET", "/modules/dev.mosaic.examples.tv-home/dependents", null);
        assertEquals(adapter.body(), 404, adapter.statusCode());
        assertTrue(adapter.body(), adapter.body().contains("dev.mosaic.examples.tv-home is an adapter, not a module"));
        HttpResponse<String> noDeps = api("GET", "/deployments/prod/dev.mosaic.examples.glasses-plya/dependencies", null);
        assertEquals(noDeps.body(), 404, noDeps.statusCode());
        assertTrue(noDeps.body(), noDeps.body().contains("no dev.mosaic.examples.glasses-plya is deployed in prod"));

        JsonNode deps = json(api("GET", "/deployments/prod/dev.mosaic.examples.glasses-play/dependencies", null));
        boolean sawCatalog = false;
        for (JsonNode e : deps.get(0).get("imports")) {
            if (CATALOG.equals(e.path("provider").asText())) {
                sawCatalog = true;
                assertEquals("2.0.0", e.get("wired").asText());
                assertFalse(e.get("majorUpgradeAvailable").asBoolean());
            }
        }
        assertTrue(deps.toString(), sawCatalog);

        HttpResponse<String> noUptake = api("GET", "/uptake?module=" + CATALOG + "x", null);
        assertEquals(noUptake.body(), 404, noUptake.statusCode());
        assertTrue(noUptake.body(), noUptake.body().contains("no module " + CATALOG + "x is deployed in any environment"));
        JsonNode uptake = json(api("GET", "/modules/" + CATALOG + "/uptake?env=prod", null));
        assertEquals("1.x", uptake.get(0).get("line").asText());
        assertEquals("mobile-home on 1.0.0, tv-home on 1.1.0", 2, uptake.get(0).get("total").asInt());

        HttpResponse<String> dot = api("GET", "/graph?env=prod&format=dot", null);
        assertTrue(dot.headers().firstValue("Content-Type").orElse("").startsWith("text/vnd.graphviz"));
        assertTrue(dot.body(), dot.body().startsWith("digraph mosaic {"));
        assertEquals(6, json(api("GET", "/graph?env=prod", null)).get("nodes").size());

        assertEquals(3, json(api("GET", "/deployments?env=prod&kind=adapter", null)).size());
        assertEquals(3, json(api("GET", "/deployments?owner=catalog-team@example.com", null)).size());

        HttpResponse<String> dry = api("POST", "/deployments?dryRun=true", example("catalog-1.2.0.jar"));
        assertEquals(dry.body(), 200, dry.statusCode());
        assertTrue(json(dry).get("dryRun").asBoolean());
        assertEquals("dev.mosaic.examples.tv-home", json(dry).get("moves").get(0).get("consumer").asText());
        assertEquals("1.1.0", moduleVersion("/tv/home"));

        HttpResponse<String> deployed = api("POST", "/deployments?env=test&ttl=1h", fixture("failing"));
        assertEquals(201, deployed.statusCode());
        try {
            assertFalse(json(deployed).get("deployment").get("expiresAt").isNull());
            JsonNode ttl = json(api("POST", "/deployments/test/dev.mosaic.fixtures.failing/ttl?ttl=none", null));
            assertTrue(ttl.get("deployment").get("expiresAt").isNull());
            assertError(api("POST", "/deployments/test/dev.mosaic.fixtures.failing/ttl", null), 400, "invalid_argument");
            assertError(api("POST", "/deployments/test/dev.mosaic.fixtures.failing/ttl?ttl=-1d", null), 400, "invalid_argument");
            JsonNode promoted = json(api("POST", "/deployments/test/dev.mosaic.fixtures.failing/promote?to=staging", null));
            assertEquals("promote", promoted.get("operation").asText());
            assertEquals(200, api("DELETE", "/deployments/staging/dev.mosaic.fixtures.failing", null).statusCode());
            assertError(api("POST", "/deployments/qa/dev.mosaic.fixtures.failing/promote?to=prod", null), 404, "not_found");
        } finally {
            api("DELETE", "/deployments/test/dev.mosaic.fixtures.failing", null);
        }
        assertEquals(0, json(api("GET", "/sunset?unusedFor=30d", null)).size());
        assertError(api("GET", "/sunset?unusedFor=forever", null), 400, "invalid_argument");
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
        assertEquals(r.body(), status, r.statusCode());
        JsonNode e = json(r);
        assertEquals(r.body(), code, e.get("error").asText());
        assertFalse(e.get("message").asText().isBlank());
    }

    private HttpResponse<String> api(String method, String path, byte[] body) throws Exception {
        return call(method, path, body, token(), "application/json");
    }
}
