package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.mosaic.testkit.Adapters;
import dev.mosaic.testkit.TestRequest;

/** The handler called with the test kit, the way the runtime calls it: no runtime, no sockets. */
class HelloTest {

    @Test
    void greetsWhoItIsAskedTo() {
        Adapters.TestResponse r = Adapters.call(new Hello(), TestRequest.get("${route}?name=kids"));
        assertEquals(200, r.status());
        assertEquals("hello, kids", r.json().get("greeting").asText());
    }
}
