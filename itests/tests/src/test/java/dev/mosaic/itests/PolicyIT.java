package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;

/**
 * What tenant bundles may not do, refused at deploy with the reason named and nothing
 * installed: imports of platform internals, forbidden JDK APIs, and hostile archives built
 * here by the test.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PolicyIT extends MosaicSupport {

    @Configuration
    public Option[] config() {
        return runtime(frameworkProperty("mosaic.deploy.maxEntries").value("200"),
                frameworkProperty("mosaic.deploy.maxBytes").value(Integer.toString(2 << 20)));
    }

    @After
    public void theExamplesStillServeAndNothingIsLeftBehind() throws Exception {
        assertEquals("1.1.0", moduleVersion("/tv/home"));
        Set<String> tenants = new TreeSet<>();
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().startsWith("mosaic:") && !b.getSymbolicName().startsWith("dev.mosaic.examples.")) {
                tenants.add(b.getSymbolicName());
            }
        }
        assertEquals(Set.of(), tenants);
        Files.deleteIfExists(policyFile());
    }

    @Test
    public void forbiddenApisAreRefusedNamingTheClassAndMethod() throws Exception {
        Map<String, String> expected = Map.of(
                "forbidden-socket", "network: dev.mosaic.fixtures.forbidden.socket.RawSocket.handle creates java.net.Socket",
                "forbidden-httpclient", "network: dev.mosaic.fixtures.forbidden.httpclient.JdkHttpClient.handle calls java.net.http.HttpClient.newHttpClient",
                "forbidden-url", "network: dev.mosaic.fixtures.forbidden.url.UrlFetch.handle calls java.net.URL.openStream",
                "forbidden-process", "process: dev.mosaic.fixtures.forbidden.process.RunsProcess.handle creates java.lang.ProcessBuilder",
                "forbidden-exit", "exit: dev.mosaic.fixtures.forbidden.exit.Exits.handle refers to java.lang.System.exit",
                "forbidden-reflection", "reflection: dev.mosaic.fixtures.forbidden.reflection.DeepReflection.handle calls java.lang.reflect.Field.setAccessible");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            DeployException refused = refusedAndNothingChanged(fixture(e.getKey()));
            assertEquals(e.getKey() + ": " + refused.getMessage(), DeployException.POLICY_VIOLATION, refused.code());
            assertEquals(403, refused.httpStatus());
            assertTrue(e.getKey() + ": " + refused.getMessage(), refused.getMessage().contains(e.getValue()));
        }
    }

    @Test
    public void importsOfPlatformInternalsAreRefusedNamingTheImport() throws Exception {
        DeployException refused = refusedAndNothingChanged(fixture("forbidden-framework"));
        assertEquals(DeployException.POLICY_VIOLATION, refused.code());
        assertTrue(refused.getMessage(), refused.getMessage().contains("imports org.osgi.framework [1.10.0,2.0.0) from the platform"));

        DeployOptions dry = DeployOptions.to("prod", "itest").withDryRun(true);
        DeployResult r = deployer().deploy(fixture("forbidden-framework"), dry);
        assertTrue(r.summary(), r.summary().startsWith("dry run: would fail to deploy"));
        assertTrue(r.problems().toString(), r.problems().get(0).contains("org.osgi.framework"));
    }

    @Test
    public void anOperatorCanExemptABundleInThePolicyFile() throws Exception {
        Files.writeString(policyFile(), """
                {
                  "allowedImports": ["dev.mosaic.api"],
                  "forbidden": [ { "category": "network", "classes": ["java.net.Socket"] } ],
                  "exemptions": { "dev.mosaic.fixtures.forbidden-socket": ["network"],
                                  "dev.mosaic.fixtures.forbidden-framework": ["import:org.osgi.framework"] }
                }
                """);
        deploy(fixture("forbidden-socket"));
        deploy(fixture("forbidden-framework"));
        deployer().undeploy("prod", "dev.mosaic.fixtures.forbidden-socket", null, false, "itest");
        deployer().undeploy("prod", "dev.mosaic.fixtures.forbidden-framework", null, false, "itest");

        Files.writeString(policyFile(), "{ not json");
        DeployException unreadable = refused(() -> deploy(fixture("failing")));
        assertEquals(DeployException.INTERNAL, unreadable.code());
        assertTrue(unreadable.getMessage(), unreadable.getMessage().contains("cannot be read"));
    }

    @Test
    public void hostileArchivesAreRefusedSayingWhatIsWrong() throws Exception {
        byte[] zeros = new byte[20 << 20];
        assertHostile(jar(Map.of("bomb/zeros.bin", zeros)), "zip bomb");
        assertHostile(jar(Map.of("../evil.txt", "x".getBytes())), "'../evil.txt', which is not a relative path");
        assertHostile(jar(Map.of("a/../../evil.txt", "x".getBytes())), "not a relative path");
        assertHostile(jar(Map.of("/etc/passwd", "x".getBytes())), "'/etc/passwd', which is not a relative path");
        assertHostile(duplicateEntries(), "two entries named 'a/one.txt'");
        assertHostile(jar(Map.of("lib/helper.jar", new byte[] { 'P', 'K', 3, 4 })), "embeds the archive 'lib/helper.jar'");
        assertHostile(jar(Map.of(), "Bundle-ClassPath", ".,lib/helper.jar"), "Bundle-ClassPath");
        assertHostile(jar(Map.of(), "Bundle-NativeCode", "lib/x.so"), "native code");
        assertHostile(jar(Map.of(), "DynamicImport-Package", "*"), "DynamicImport-Package");
        Map<String, byte[]> many = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 250; i++) {
            many.put("many/f" + i + ".txt", new byte[] { 1 });
        }
        assertHostile(jar(many), "more than 200 entries");
        byte[] noise = new byte[3 << 20];
        new Random(1).nextBytes(noise);
        assertHostile(jar(Map.of("big/noise.bin", noise)), "the limit is " + (2 << 20));
        assertHostile(jar(Map.of("META-INF/EVIL.SF", "Signature-Version: 1.0\r\n\r\n".getBytes(),
                "META-INF/EVIL.RSA", new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }, "x/Content.txt", "c".getBytes())), "signature");
    }

    @Test
    public void signedJarsMustBeSignedAllThroughAndUntampered() throws Exception {
        Path dir = Files.createTempDirectory("signing");
        Path unsigned = Files.write(dir.resolve("failing.jar"), fixture("failing"));
        Path keystore = dir.resolve("ks.p12");
        run(dir, tool("keytool"), "-genkeypair", "-alias", "t", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=mosaic-test",
                "-validity", "2", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "secret", "-keypass", "secret");
        Path signed = dir.resolve("signed.jar");
        run(dir, tool("jarsigner"), "-keystore", keystore.toString(), "-storepass", "secret", "-signedjar", signed.toString(),
                unsigned.toString(), "t");
        byte[] signedBytes = Files.readAllBytes(signed);

        // properly signed: fine
        deploy(signedBytes);
        deployer().undeploy("prod", "dev.mosaic.fixtures.failing", null, false, "itest");

        // an entry added after signing is not covered by the signature
        assertHostile(rewrite(signedBytes, Map.of("x/Added.txt", "sneaked in".getBytes()), null), "does not cover");
        // a signed class changed after signing no longer matches its digest
        assertHostile(rewrite(signedBytes, Map.of(), "dev/mosaic/fixtures/failing/Failing$Boom.class"), "signature does not match");
    }

    // ------------------------------------------------------------------ helpers

    private DeployException refusedAndNothingChanged(byte[] jar) throws Exception {
        long seq = deployer().history(1).get(0).sequence();
        DeployException e = refused(() -> deploy(jar));
        assertEquals("nothing recorded", seq, deployer().history(1).get(0).sequence());
        assertEquals("1.1.0", moduleVersion("/tv/home"));
        return e;
    }

    private void assertHostile(byte[] jar, String message) throws Exception {
        DeployException e = refusedAndNothingChanged(jar);
        assertEquals(e.getMessage(), DeployException.INVALID_BUNDLE, e.code());
        assertTrue("'" + e.getMessage() + "' should say '" + message + "'", e.getMessage().contains(message));
    }

    private Path policyFile() {
        return Path.of(context.getProperty("mosaic.data"), "policy.json");
    }

    /** A well-formed adapter manifest, extra headers, and the given entries. */
    private static byte[] jar(Map<String, byte[]> entries, String... headers) throws Exception {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "dev.mosaic.hostile");
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Mosaic-Kind", "adapter");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            a.putValue(headers[i], headers[i + 1]);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream j = new JarOutputStream(bytes, m)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                j.putNextEntry(new ZipEntry(e.getKey()));
                j.write(e.getValue());
                j.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** A jar with two entries of the same name: written with different names, then patched. */
    private static byte[] duplicateEntries() throws Exception {
        byte[] jar = jar(new java.util.LinkedHashMap<>(Map.of("a/one.txt", "1".getBytes(), "a/two.txt", "2".getBytes())));
        String text = new String(jar, StandardCharsets.ISO_8859_1).replace("a/two.txt", "a/one.txt");
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Copies a jar entry by entry, adding entries and flipping a byte of one, without re-signing. */
    private static byte[] rewrite(byte[] jar, Map<String, byte[]> added, String tamper) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar), false);
                JarOutputStream out = new JarOutputStream(bytes, in.getManifest())) {
            for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                byte[] content = in.readAllBytes();
                if (e.getName().equals(tamper)) {
                    content[content.length / 2] ^= 1;
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(content);
                out.closeEntry();
            }
            for (Map.Entry<String, byte[]> e : added.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(String.join(" ", command) + " did not finish", p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(List.of(command) + ": " + output, 0, p.exitValue());
    }
}
