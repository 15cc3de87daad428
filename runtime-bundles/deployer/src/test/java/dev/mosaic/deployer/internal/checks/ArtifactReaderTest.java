package dev.mosaic.deployer.internal.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.Kind;

/** What an upload must be to be deployed, and what is said when it is not. */
class ArtifactReaderTest {

    @TempDir
    Path dir;

    private Path jar(Map<String, String> headers) throws Exception {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach((k, v) -> m.getMainAttributes().putValue(k, v));
        Path file = Files.createTempFile(dir, "b", ".jar");
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new ZipEntry("a/A.class"));
            j.closeEntry();
        }
        return file;
    }

    private static Map<String, String> bundle(String... more) {
        Map<String, String> h = new LinkedHashMap<>(Map.of("Bundle-ManifestVersion", "2", "Bundle-SymbolicName",
                "com.example.x;singleton:=true", "Bundle-Version", "1.2"));
        for (int i = 0; i < more.length; i += 2) {
            h.put(more[i], more[i + 1]);
        }
        return h;
    }

    private String refusal(Path file) {
        DeployException e = assertThrows(DeployException.class, () -> ArtifactReader.read(file));
        assertEquals(DeployException.INVALID_BUNDLE, e.code());
        return e.getMessage();
    }

    @Test
    void readsNameVersionKindImportsExportsAndMetadata() throws Exception {
        Artifact a = ArtifactReader.read(jar(bundle("Export-Package", "com.example.x.api;version=\"1.1\",com.example.x.spi;version=1.0",
                "Import-Package", "com.example.y;version=\"[1.0,2)\";resolution:=optional,java.util,org.slf4j;version=\"[2,3)\"",
                "Mosaic-Owner", "team@example.com", "Mosaic-Uptake", "manual")));
        assertEquals("com.example.x", a.name());
        assertEquals("1.2.0", a.version());
        assertEquals(Kind.MODULE, a.kind());
        assertEquals(List.of("com.example.x.api", "com.example.x.spi"), a.exports().stream().map(e -> e.pkg()).toList());
        assertEquals("1.1.0", a.exports().get(0).version().toString());
        assertEquals(2, a.imports().size(), "java.* imports are not recorded");
        assertTrue(a.imports().get(0).optional());
        assertEquals("[1.0.0,2.0.0)", a.imports().get(0).range().toString());
        assertTrue(a.manualUptake());
        assertEquals("team@example.com", a.metadata().get("Mosaic-Owner"));
        assertEquals(64, a.sha256().length());
    }

    @Test
    void refusesWhatIsNotABundleSayingWhatToDo() throws Exception {
        assertTrue(refusal(Files.write(dir.resolve("empty.jar"), new byte[0])).contains("empty"));
        assertTrue(refusal(Files.writeString(dir.resolve("text.jar"), "hello")).contains("not a jar"));
        byte[] real = Files.readAllBytes(jar(bundle()));
        Path cut = Files.write(dir.resolve("cut.jar"), java.util.Arrays.copyOf(real, real.length - 30));
        assertTrue(refusal(cut).contains("truncated"));
        assertTrue(refusal(jar(Map.of("Bundle-ManifestVersion", "2"))).contains("no Bundle-SymbolicName"));
        assertTrue(refusal(jar(bundle("Bundle-ManifestVersion", "1"))).contains("Bundle-ManifestVersion must be 2"));
        assertTrue(refusal(jar(bundle("Bundle-SymbolicName", "bad name!"))).contains("not a valid symbolic name"));
        assertTrue(refusal(jar(bundle("Bundle-Version", "1.x"))).contains("not a version"));
        assertTrue(refusal(jar(bundle("Fragment-Host", "com.example.host"))).contains("is a fragment"));
        assertTrue(refusal(jar(bundle("Require-Bundle", "com.example.other"))).contains("Require-Bundle"));
        assertTrue(refusal(jar(bundle("Mosaic-Kind", "plugin"))).contains("use 'adapter' or 'module'"));
        assertTrue(refusal(jar(bundle("Mosaic-Kind", "module"))).contains("exports no package"));
        assertTrue(refusal(jar(bundle("Mosaic-Kind", "adapter", "Export-Package", "a.b"))).contains("adapters export nothing"));
        assertTrue(refusal(jar(bundle("Mosaic-Uptake", "sometimes"))).contains("'auto' (the default) or 'manual'"));
        assertTrue(refusal(jar(bundle("Import-Package", "a.b;version=\"[1,2\""))).contains("malformed Import-Package"));
    }

    @Test
    void headersParseQuotedValuesListsAndDirectives() {
        List<Headers.Clause> c = Headers.parse("a.b;c.d;version=\"[1.0,2)\";resolution:=optional, e.f;x:Version=1");
        assertEquals(2, c.size());
        assertEquals(List.of("a.b", "c.d"), c.get(0).names());
        assertEquals("[1.0,2)", c.get(0).attributes().get("version"));
        assertEquals("optional", c.get(0).directives().get("resolution"));
        assertEquals("1", c.get(1).attributes().get("x"));
        assertThrows(IllegalArgumentException.class, () -> Headers.parse("a;version=\"1"));
        assertThrows(IllegalArgumentException.class, () -> Headers.parse("a,,b"));
    }
}
