package dev.mosaic.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.junit.jupiter.api.Test;

import dev.mosaic.api.BackendException.Reason;
import dev.mosaic.api.HttpException;
import dev.mosaic.api.Request;
import dev.mosaic.api.Response;
import dev.mosaic.api.RouteHandler;

/** The test kit on handlers like an adapter author's: a fan-out with a fallback, a 404, a response with headers. */
class AdaptersTest {

    record Titles(List<String> titles) {
    }

    record Row(String name, List<String> titles) {
    }

    /** Two backends at once; a row whose backend fails is left out, not a 500. */
    static final class Home implements RouteHandler {
        @Override
        public Object handle(Request request) {
            String profile = request.query("profile");
            if (profile == null) {
                throw new HttpException(400, "say which profile: ?profile=...");
            }
            CompletionStage<Row> recs = row(request, "recommendations", "Recommended for you", profile);
            CompletionStage<Row> marks = row(request, "bookmarks", "Continue watching", profile);
            return recs.thenCombine(marks, (a, b) -> Map.of("profile", profile, "rows",
                    java.util.stream.Stream.of(a, b).filter(r -> r.titles() != null).toList()));
        }

        private static CompletionStage<Row> row(Request request, String backend, String name, String profile) {
            return request.backend(backend).get("/{profile}", profile).as(Titles.class)
                    .thenApply(t -> new Row(name, t.titles())).exceptionally(failed -> new Row(name, null));
        }
    }

    @Test
    void aFanOutIsAnsweredFromFakeBackendsAndDegradesWhenOneFails() {
        FakeBackends fakes = new FakeBackends()
                .on("recommendations", "GET", "/kids%20club").json("{\"titles\":[\"80057281\",\"81040344\"],\"extra\":1}")
                .on("bookmarks", "GET", "/kids%20club").json("{\"titles\":[\"70143836\"]}");
        Adapters.TestResponse both = Adapters.call(new Home(), TestRequest.get("/tv/home?profile=kids+club").backends(fakes));
        assertEquals(200, both.status());
        assertEquals("kids club", both.json().get("profile").asText());
        assertEquals(2, both.json().get("rows").size());
        assertEquals(List.of("recommendations GET /kids%20club", "bookmarks GET /kids%20club"), fakes.calls());

        fakes.on("bookmarks", "GET", "/kids%20club").fail(Reason.DEADLINE);
        Adapters.TestResponse one = Adapters.call(new Home(), TestRequest.get("/tv/home?profile=kids+club").backends(fakes));
        assertEquals(200, one.status());
        assertEquals("Recommended for you", one.json().get("rows").get(0).get("name").asText());
        assertEquals(1, one.json().get("rows").size(), "the late row is left out");
    }

    @Test
    void failuresAnswerAsTheGatewayDoes() {
        assertEquals(400, Adapters.call(new Home(), TestRequest.get("/tv/home")).status());
        assertEquals("adapter_error", Adapters.call(new Home(), TestRequest.get("/tv/home")).json().get("error").asText());
        RouteHandler unhandled = r -> r.backend("recommendations").get("/x").as(Titles.class);
        Adapters.TestResponse notFaked = Adapters.call(unhandled, TestRequest.get("/"));
        assertEquals(502, notFaked.status());
        assertTrue(notFaked.text().contains("no fake answer for GET /x on backend recommendations"), notFaked.text());
        // JSON of another shape than the adapter's record: said as the platform's client says it, with where
        FakeBackends misfit = new FakeBackends().on("recommendations", "GET", "/x").json("{\"titles\":[{\"id\":\"7\"}]}");
        Adapters.TestResponse shape = Adapters.call(unhandled, TestRequest.get("/").backends(misfit));
        assertEquals(502, shape.status());
        assertTrue(shape.text().contains("backend recommendations answered 200 to GET /x with JSON that does not fit Titles at titles[0]"),
                shape.text());
        // a page of HTML where JSON was expected (a proxy's error page): refused as the platform's client refuses it
        FakeBackends html = new FakeBackends().on("recommendations", "GET", "/x").answer(200,
                "<html>{\"titles\":[]}</html>".getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/html");
        Adapters.TestResponse page = Adapters.call(unhandled, TestRequest.get("/").backends(html));
        assertEquals(502, page.status());
        assertTrue(page.text().contains("backend recommendations answered 200 with content type text/html to GET /x, where JSON"
                + " was expected"), page.text());
        FakeBackends fits = new FakeBackends().on("recommendations", "GET", "/x").json("{\"titles\":[\"7\"]}");
        assertEquals(200, Adapters.call(unhandled, TestRequest.get("/").backends(fits)).status());
        FakeBackends late = new FakeBackends().on("recommendations", "GET", "/x").fail(Reason.DEADLINE);
        assertEquals(504, Adapters.call(unhandled, TestRequest.get("/").backends(late)).status());
        RouteHandler broken = r -> {
            throw new IllegalStateException("oops");
        };
        assertEquals(500, Adapters.call(broken, TestRequest.get("/")).status());
    }

    @Test
    void responsesKeepTheirStatusHeadersAndBody() {
        RouteHandler created = r -> Response.status(201).header("Location", "/shows/" + r.pathParam("id"))
                .body(r.bodyAs(Map.class));
        Adapters.TestResponse r = Adapters.call(created, TestRequest.post("/shows/7").pathParam("id", "7").json(Map.of("n", 1)));
        assertEquals(201, r.status());
        assertEquals("/shows/7", r.header("location"));
        assertEquals(1, r.json().get("n").asInt());
        assertEquals(204, Adapters.call(x -> null, TestRequest.get("/")).status());
        assertEquals(400, Adapters.call(created, TestRequest.post("/shows/7").json("{not json")).status());
        Adapters.TestResponse empty = Adapters.call(created, TestRequest.post("/shows/7"));
        assertEquals(400, empty.status());
        assertTrue(empty.text().contains("the request has no body; expected JSON for Map"), empty.text());
    }
}
