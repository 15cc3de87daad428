package dev.mosaic.backends.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The pieces of a call that are pure functions: path templates, trace ids, content types. */
class RequestScopeTest {

    @Test
    void placeholdersAreFilledOneEncodedSegmentEach() {
        assertEquals("/recs/42", PathTemplate.expand("/recs/{profile}", new Object[] {42}));
        assertEquals("/a/x%2Fy/b/caf%C3%A9%20au%20lait", PathTemplate.expand("/a/{one}/b/{two}", new Object[] {"x/y", "café au lait"}));
        assertEquals("/recs/7/rows", PathTemplate.expand("/recs/{}/rows", new Object[] {7}));
        String plain = "/titles/top-10;lang=en:x@y";
        assertSame(plain, PathTemplate.expand(plain, null), "a template without placeholders is used as it is");
        assertEquals("/", PathTemplate.expand("/", new Object[0]));
    }

    @Test
    void aTemplateThatIsNotAPathIsRefusedWithWhatWasWrong() {
        for (String bad : new String[] {null, "", "recs", "//evil.example/recs", "/recs?x=1", "/recs#top", "/recs/{id", "/recs/{a/b}",
                "/recs/}", "/recs/ space", "/recs/\u00e9"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PathTemplate.expand(bad, new Object[0]),
                    "refused: " + bad);
            assertTrue(e.getMessage().contains("got '" + bad + "'"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PathTemplate.expand("/a/{x}/{y}", new Object[] {1}))
                .getMessage().contains("more placeholders than the 1 value(s) given"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PathTemplate.expand("/a/{x}", new Object[] {1, 2}))
                .getMessage().contains("has 1 placeholder(s) but 2 value(s) were given"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PathTemplate.expand("/a/{x}", new Object[] {null}))
                .getMessage().contains("the value for {x} in /a/{x} is null"));
    }

    @Test
    void traceAndSpanIdsAreRandomLowerCaseHex() {
        String trace = RequestScope.hex(16);
        String span = RequestScope.hex(8);
        assertTrue(trace.matches("[0-9a-f]{32}"), trace);
        assertTrue(span.matches("[0-9a-f]{16}"), span);
        assertFalse(trace.equals("0".repeat(32)));
        assertNotEquals(trace, RequestScope.hex(16));
        assertNotEquals(trace.substring(0, 16), trace.substring(16), "the two halves are drawn separately");
    }
}
