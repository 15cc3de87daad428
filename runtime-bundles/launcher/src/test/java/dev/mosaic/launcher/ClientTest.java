package dev.mosaic.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Where the CLI finds the management API from what --url or $MOSAIC_URL say. */
class ClientTest {

    @Test
    void theRuntimeAloneMeansItsApiAndTrailingSlashesAreDropped() {
        assertEquals("http://h:8081/api/v1", Client.api("http://h:8081"), "as the runtime's log names it");
        assertEquals("http://h:8081/api/v1", Client.api(" http://h:8081/ "));
        assertEquals("http://h:8081/api/v1", Client.api("http://h:8081/api/v1"));
        assertEquals("http://h:8081/api/v1", Client.api("http://h:8081/api/v1//"));
        assertEquals("https://proxy.example/mosaic/api/v1", Client.api("https://proxy.example/mosaic/api/v1/"),
                "behind a proxy's path: as given");
        assertEquals("http://h:8081/other", Client.api("http://h:8081/other"),
                "a path of its own is kept (the runtime's 404 says where the API lives)");
    }
}
