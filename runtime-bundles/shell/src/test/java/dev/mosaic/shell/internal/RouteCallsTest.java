package dev.mosaic.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mosaic.deployer.RouteView;

class RouteCallsTest {

    private static RouteView route(String env, String method, String path) {
        return new RouteView(env, method, path, "a", "1.0.0", Map.of(), 0, 0, 1000, 10, 0, 0, List.of(), 0);
    }

    private static final List<RouteView> ROUTES = List.of(route("prod", "GET", "/tv/home"), route("prod", "HEAD", "/tv/home"),
            route("prod", "GET", "/mobile/home"), route("test", "GET", "/tv/homes"));

    @Test
    void aPathATypoAwayFromARouteOfItsEnvironmentIsSuggested() {
        assertEquals(List.of("GET /tv/home", "HEAD /tv/home"), RouteCalls.meant("/tv/hoem?profile=kids", "prod", ROUTES));
        assertEquals(List.of("GET /tv/homes"), RouteCalls.meant("/tv/hoems", "test", ROUTES), "its own environment's");
        assertEquals(List.of(), RouteCalls.meant("/search", "prod", ROUTES));
    }

    @Test
    void theTextSaysTheSuggestionOnlyWhenThereIsOne() {
        RouteCalls.Answer missing = new RouteCalls.Answer("GET", "/tv/hoem", "prod", 404, Map.of(), "{}", List.of(), 1.0,
                List.of("GET /tv/home"));
        assertTrue(RouteCalls.text(missing).contains("\nno such route in prod; did you mean GET /tv/home?\n"));
        RouteCalls.Answer served = new RouteCalls.Answer("GET", "/tv/home", "prod", 200, Map.of(), "{}", List.of(), 1.0,
                List.of());
        assertFalse(RouteCalls.text(served).contains("did you mean"));
    }
}
