package dev.mosaic.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureTest {

    @TempDir
    Path dir;

    private Feature read(String json) throws IOException {
        return Feature.read(Files.writeString(dir.resolve("f.json"), json));
    }

    @Test
    void readsBundlesStartOrdersAndLaunchingProperties() throws IOException {
        Feature f = read("""
                { "id": "g:a:osgifeature:1", "description": "x", "enabled": true, "weight": 1.5, "nothing": null,
                  "bundles": [ { "id": "g:b:1.0", "start-order": 2 }, "g:c:2.0" ],
                  "extensions": { "framework-launching-properties": { "type": "JSON", "kind": "mandatory",
                    "JSON": { "org.osgi.framework.system.packages.extra": "org.slf4j;version=\\"2.0.17\\"", "n": 3 } } } }
                """);
        assertEquals("g:a:osgifeature:1", f.id());
        assertEquals(List.of(new Feature.Entry("g", "b", "1.0", 2), new Feature.Entry("g", "c", "2.0", 1)), f.bundles());
        assertEquals("g.b-1.0.jar", f.bundles().get(0).fileName());
        assertEquals(Map.of("org.osgi.framework.system.packages.extra", "org.slf4j;version=\"2.0.17\"", "n", "3"),
                f.frameworkProperties());
    }

    @Test
    void aBundleMayBeLeftInstalledForWhoeverNeedsItToStartIt() throws IOException {
        Feature f = read("""
                { "id": "g:a:1", "bundles": [ { "id": "g:gate:1.0", "start-order": 3, "mosaic.start": false },
                  { "id": "g:b:1.0", "start-order": 3, "mosaic.start": true } ] }
                """);
        assertEquals(List.of(false, true), f.bundles().stream().map(Feature.Entry::start).toList());
    }

    @Test
    void aFeatureWithoutExtensionsHasNoLaunchingProperties() throws IOException {
        assertTrue(read("{ \"id\": \"g:a:1\", \"bundles\": [\"g:b:1\"] }").frameworkProperties().isEmpty());
    }

    @Test
    void badFeaturesAreRefusedNamingWhatIsWrong() {
        assertTrue(assertThrows(IOException.class, () -> read("{ \"bundles\": [\"g:b:1\"] }")).getMessage().contains("no \"id\""));
        assertTrue(assertThrows(IOException.class, () -> read("{ \"id\": \"x\", \"bundles\": [\"g:b\"] }")).getMessage()
                .contains("'g:b' is not groupId:artifactId:version"));
        assertTrue(assertThrows(IOException.class, () -> read("{ \"id\": \"x\", \"bundles\": [] }")).getMessage()
                .contains("lists no bundles"));
        assertTrue(assertThrows(IOException.class, () -> read("{ \"id\": \"x\", \"bundles\": [\"g:b:1\"],"
                + " \"extensions\": { \"framework-launching-properties\": { \"JSON\": 3 } } }")).getMessage().contains("\"JSON\" object"));
        assertThrows(IOException.class, () -> read("{ \"id\": \"x\", \"bundles\": [\"g:b:1\"]"));
    }
}
