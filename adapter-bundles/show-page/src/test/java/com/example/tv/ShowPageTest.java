package com.example.tv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.mosaic.testkit.Adapters;
import dev.mosaic.testkit.TestRequest;

/** The README's adapter, tested with the test kit: no runtime, no sockets. */
class ShowPageTest {

    @Test
    void answersTheShowAndTheProfileItWasAskedFor() {
        Adapters.TestResponse r = Adapters.call(new ShowPage(),
                TestRequest.get("/tv/shows/80057281?profile=kids").pathParam("showId", "80057281"));
        assertEquals(200, r.status());
        assertEquals("80057281", r.json().get("showId").asText());
        assertEquals("kids", r.json().get("profile").asText());
    }
}
