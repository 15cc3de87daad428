package dev.mosaic.gateway.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.mosaic.gateway.internal.RoutingTable.Entry;
import dev.mosaic.gateway.internal.RoutingTable.Found;
import dev.mosaic.gateway.internal.RoutingTable.Lookup;
import dev.mosaic.gateway.internal.RoutingTable.MethodNotAllowed;
import dev.mosaic.gateway.internal.RoutingTable.NotFound;

class RoutingTableTest {

    private static Entry<String> route(String method, String template) {
        return new Entry<>(method, RouteTemplate.parse(template), method + " " + template);
    }

    private static RoutingTable<String> table(Entry<String>... entries) throws Exception {
        return RoutingTable.of(List.of(entries));
    }

    private static Found<String> found(Lookup<String> lookup) {
        return assertInstanceOf(Found.class, lookup, () -> "expected a match, got " + lookup);
    }

    @Test
    void literalRouteMatchesOnlyItsExactPath() throws Exception {
        RoutingTable<String> t = table(route("GET", "/tv/home"));
        assertEquals("GET /tv/home", found(t.lookup("GET", "/tv/home")).entry().target());
        assertInstanceOf(NotFound.class, t.lookup("GET", "/tv/home/"));
        assertInstanceOf(NotFound.class, t.lookup("GET", "/tv"));
        assertInstanceOf(NotFound.class, t.lookup("GET", "/tv/home/more"));
        assertInstanceOf(NotFound.class, t.lookup("GET", "/TV/home"));
        assertInstanceOf(NotFound.class, t.lookup("GET", "tv/home"));
    }

    @Test
    void templateFillsPathParameters() throws Exception {
        RoutingTable<String> t = table(route("GET", "/glasses/play/{titleId}"),
                route("GET", "/users/{userId}/lists/{listId}"));
        Found<String> play = found(t.lookup("GET", "/glasses/play/42"));
        assertEquals(Map.of("titleId", "42"), play.params());
        Found<String> list = found(t.lookup("GET", "/users/u7/lists/watch-later"));
        assertEquals(Map.of("userId", "u7", "listId", "watch-later"), list.params());
        assertEquals(List.of("userId", "listId"), List.copyOf(list.params().keySet()), "parameters keep template order");
    }

    @Test
    void parameterDoesNotMatchAnEmptySegment() throws Exception {
        RoutingTable<String> t = table(route("GET", "/glasses/play/{titleId}"));
        assertInstanceOf(NotFound.class, t.lookup("GET", "/glasses/play/"));
        assertInstanceOf(NotFound.class, t.lookup("GET", "/glasses/play"));
    }

    @Test
    void literalSegmentWinsOverParameter() throws Exception {
        RoutingTable<String> t = table(route("GET", "/tv/{page}"), route("GET", "/tv/home"));
        assertEquals("GET /tv/home", found(t.lookup("GET", "/tv/home")).entry().target());
        assertEquals("GET /tv/{page}", found(t.lookup("GET", "/tv/search")).entry().target());
    }

    @Test
    void precedenceIsDecidedFromLeftToRight() throws Exception {
        // /a/{x}/c against /{y}/b/c for path /a/b/c: the leftmost literal decides.
        RoutingTable<String> t = table(route("GET", "/{y}/b/c"), route("GET", "/a/{x}/c"));
        assertEquals("GET /a/{x}/c", found(t.lookup("GET", "/a/b/c")).entry().target());
    }

    @Test
    void fallsBackToParameterWhenTheLiteralBranchDeadEnds() throws Exception {
        RoutingTable<String> t = table(route("GET", "/tv/home/rows"), route("GET", "/tv/{page}/details"));
        Found<String> f = found(t.lookup("GET", "/tv/home/details"));
        assertEquals("GET /tv/{page}/details", f.entry().target());
        assertEquals(Map.of("page", "home"), f.params());
    }

    @Test
    void literalBranchWithoutTheMethodFallsBackToAParameterBranchWithIt() throws Exception {
        RoutingTable<String> t = table(route("GET", "/tv/home"), route("POST", "/tv/{page}"));
        assertEquals("POST /tv/{page}", found(t.lookup("POST", "/tv/home")).entry().target());
    }

    @Test
    void wrongMethodIsMethodNotAllowedWithTheAllowedMethods() throws Exception {
        RoutingTable<String> t = table(route("GET", "/tv/home"), route("PUT", "/tv/{page}"));
        MethodNotAllowed<String> m = assertInstanceOf(MethodNotAllowed.class, t.lookup("DELETE", "/tv/home"));
        assertEquals(Set.of("GET", "HEAD", "PUT"), m.allowed());
    }

    @Test
    void headIsAnsweredByGet() throws Exception {
        RoutingTable<String> t = table(route("GET", "/tv/home"));
        assertEquals("GET /tv/home", found(t.lookup("HEAD", "/tv/home")).entry().target());
    }

    @Test
    void sameTemplateWithDifferentMethodsAreDistinctRoutes() throws Exception {
        RoutingTable<String> t = table(route("GET", "/lists/{id}"), route("DELETE", "/lists/{id}"));
        assertEquals("GET /lists/{id}", found(t.lookup("GET", "/lists/1")).entry().target());
        assertEquals("DELETE /lists/{id}", found(t.lookup("DELETE", "/lists/1")).entry().target());
    }

    @Test
    void rootRoute() throws Exception {
        RoutingTable<String> t = table(route("GET", "/"));
        assertEquals("GET /", found(t.lookup("GET", "/")).entry().target());
        assertInstanceOf(NotFound.class, t.lookup("GET", "//"));
    }

    @Test
    void templatesOfTheSameShapeConflictWhateverTheirParameterNames() {
        RoutingTable.ConflictException e = assertThrows(RoutingTable.ConflictException.class,
                () -> table(route("GET", "/play/{titleId}"), route("GET", "/play/{id}")));
        assertTrue(e.getMessage().contains("/play/{titleId}") && e.getMessage().contains("/play/{id}"), e.getMessage());
    }

    @Test
    void emptyTableFindsNothing() {
        assertInstanceOf(NotFound.class, RoutingTable.<String>empty().lookup("GET", "/tv/home"));
    }

    @Test
    void badTemplatesAreRefusedWithTheReason() {
        assertMessage("must start with '/'", () -> RouteTemplate.parse("tv/home"));
        assertMessage("empty segment", () -> RouteTemplate.parse("/tv//home"));
        assertMessage("empty segment", () -> RouteTemplate.parse("/tv/home/"));
        assertMessage("mixes text and a parameter", () -> RouteTemplate.parse("/tv/id-{x}"));
        assertMessage("not a valid parameter", () -> RouteTemplate.parse("/tv/{1x}"));
        assertMessage("twice", () -> RouteTemplate.parse("/a/{x}/b/{x}"));
        assertMessage("'?'", () -> RouteTemplate.parse("/tv/home?x=1"));
        assertMessage("empty", () -> RouteTemplate.parse(""));
    }

    @Test
    void shapeIgnoresParameterNames() {
        assertEquals("/play/{}/x", RouteTemplate.parse("/play/{titleId}/x").shape());
        assertEquals(RouteTemplate.parse("/a/{x}").shape(), RouteTemplate.parse("/a/{y}").shape());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' should contain '" + expected + "'");
    }
    @Test
    void anEditLeavesTheTableItStartedFromAsItWas() throws Exception {
        Entry<String> home = route("GET", "/tv/home");
        RoutingTable<String> before = table(home, route("GET", "/tv/{page}"), route("POST", "/tv/home"));
        RoutingTable<String> after = before.with(List.of(route("GET", "/tv/home/{row}"), route("PUT", "/mobile/home")),
                List.of(home, route("GET", "/not/in/the/table")));
        assertEquals("GET /tv/{page}", found(after.lookup("GET", "/tv/home")).entry().target());
        assertEquals("GET /tv/home/{row}", found(after.lookup("GET", "/tv/home/1")).entry().target());
        assertEquals("PUT /mobile/home", found(after.lookup("PUT", "/mobile/home")).entry().target());
        // the old table, still in use by requests that started before the swap, is untouched
        assertEquals("GET /tv/home", found(before.lookup("GET", "/tv/home")).entry().target());
        assertInstanceOf(NotFound.class, before.lookup("GET", "/tv/home/1"));
        assertInstanceOf(NotFound.class, before.lookup("PUT", "/mobile/home"));
        assertEquals(3, before.entries().size());
        assertEquals(4, after.entries().size());
        assertEquals(4, after.size());
    }

    @Test
    void aRemovedRouteLeavesNothingBehindThatAnswers405() throws Exception {
        List<Entry<String>> both = List.of(route("GET", "/tv/home/{row}/{col}"), route("GET", "/tv/home"));
        RoutingTable<String> t = RoutingTable.of(both).with(List.of(), both);
        assertTrue(t.entries().isEmpty());
        assertInstanceOf(NotFound.class, t.lookup("GET", "/tv/home"));
        assertInstanceOf(NotFound.class, t.lookup("POST", "/tv/home"));
        assertInstanceOf(NotFound.class, t.lookup("POST", "/tv/home/1/2"));
        Entry<String> get = route("GET", "/a/{x}");
        RoutingTable<String> oneMethodLess = table(get, route("POST", "/a/{x}")).with(List.of(), List.of(get));
        MethodNotAllowed<String> m = assertInstanceOf(MethodNotAllowed.class, oneMethodLess.lookup("GET", "/a/1"));
        assertEquals(Set.of("POST"), m.allowed());
    }

    @Test
    void anAddedRouteConflictingWithOneThatStaysIsRefusedAndNothingChanges() throws Exception {
        Entry<String> page = route("GET", "/tv/{page}");
        RoutingTable<String> t = table(page);
        assertThrows(RoutingTable.ConflictException.class, () -> t.with(List.of(route("GET", "/tv/{other}")), List.of()));
        // replacing it in the same edit is no conflict
        RoutingTable<String> replaced = t.with(List.of(route("GET", "/tv/{other}")), List.of(page));
        assertEquals("GET /tv/{other}", found(replaced.lookup("GET", "/tv/x")).entry().target());
        assertEquals("GET /tv/{page}", found(t.lookup("GET", "/tv/x")).entry().target());
    }

    @Test
    void editedTablesAnswerLikeTablesBuiltFromScratch() throws Exception {
        java.util.Random random = new java.util.Random(42);
        String[] segments = { "tv", "home", "{id}", "rows", "{n}", "mobile" };
        String[] methods = { "GET", "POST" };
        List<Entry<String>> live = new java.util.ArrayList<>();
        RoutingTable<String> edited = RoutingTable.empty();
        for (int step = 0; step < 300; step++) {
            List<Entry<String>> add = new java.util.ArrayList<>();
            Set<String> taken = new java.util.HashSet<>();
            Set<Entry<String>> remove = new java.util.HashSet<>();
            for (Entry<String> e : live) {
                if (random.nextInt(4) == 0) {
                    remove.add(e);
                } else {
                    taken.add(e.method() + " " + e.template().shape());
                }
            }
            for (int k = random.nextInt(4); k > 0; k--) {
                StringBuilder path = new StringBuilder();
                for (int d = random.nextInt(4); d >= 0; d--) {
                    path.append('/').append(segments[random.nextInt(segments.length)].replace("{id}", "{id" + d + "}")
                            .replace("{n}", "{n" + d + "}"));
                }
                Entry<String> e = route(methods[random.nextInt(2)], path.toString());
                if (taken.add(e.method() + " " + e.template().shape())) {
                    add.add(e);
                }
            }
            edited = edited.with(add, remove);
            live.removeAll(remove);
            live.addAll(add);
            RoutingTable<String> fresh = RoutingTable.of(live);
            assertEquals(Set.copyOf(live), Set.copyOf(edited.entries()));
            for (int q = 0; q < 20; q++) {
                StringBuilder path = new StringBuilder();
                for (int d = random.nextInt(4); d >= 0; d--) {
                    path.append('/').append(random.nextBoolean() ? segments[random.nextInt(segments.length)] : "42");
                }
                String method = methods[random.nextInt(2)];
                assertEquals(fresh.lookup(method, path.toString()), edited.lookup(method, path.toString()),
                        method + " " + path + " after step " + step + " in " + live);
            }
        }
    }
}
