package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.PolicyReport;
import dev.mosaic.insight.Dependents;
import dev.mosaic.insight.Insight;

/**
 * Widely used libraries from Maven Central, deployed as shared modules as they come: the
 * default policy's module profile takes commons-lang3 and gson (their reflection is reported,
 * gson's optional import of sun.misc stays unwired); commons-text is refused for a URL lookup
 * and a javax.script import, naming the one exemption that allows it; adapters of this test's
 * own use them with a range, a pin, and through commons-text; a newer commons-lang3 released
 * live moves the ranged consumer and commons-text (and, with it, its consumer), not the pin.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RealLibrariesIT extends MosaicSupport {

    private static final String LANG = "org.apache.commons.lang3";
    private static final String TEXT = "org.apache.commons.text";
    private static final String GSON = "com.google.gson";

    @Configuration
    public Option[] config() {
        return runtime();
    }

    @After
    public void cleanUp() throws Exception {
        for (String adapter : List.of("dev.mosaic.fixtures.lang-ranged", "dev.mosaic.fixtures.lang-pinned",
                "dev.mosaic.fixtures.lang-text")) {
            if (deployer().list("prod").stream().anyMatch(d -> d.name().equals(adapter))) {
                deployer().undeploy("prod", adapter, null, false, "itest");
            }
        }
        for (String module : List.of(TEXT, LANG, GSON)) {
            for (DeploymentInfo d : deployer().list("prod").stream().filter(x -> x.name().equals(module)).toList()) {
                deployer().undeploy("prod", module, d.version(), true, "itest");
            }
        }
        Files.deleteIfExists(policyFile());
    }

    private Insight insight() throws InterruptedException {
        return service(Insight.class);
    }

    private Path policyFile() {
        return Path.of(context.getProperty("mosaic.data"), "policy.json");
    }

    private static byte[] library(String file) throws Exception {
        return Files.readAllBytes(Path.of(System.getProperty("mosaic.fixtures"), "libraries", file));
    }

    @Test
    public void realLibrariesDeployAsModulesAndMoveTheirConsumersLive() throws Exception {
        // commons-lang3 and gson as they come: the module profile reports their reflection, refuses nothing
        DeployResult lang = deploy(library("commons-lang3-3.21.0.jar"));
        assertTrue(lang.summary(), lang.changed());
        DeploymentInfo langInfo = lang.deployment();
        assertTrue(langInfo.findings().toString(), langInfo.findings().stream().allMatch(f -> f.startsWith("reflection: ")));
        assertFalse("lang3's setAccessible is reported", langInfo.findings().isEmpty());
        // gson names no owner: one can be given at deploy; a bundle that names its own keeps it
        DeployResult gson = deployer().deploy(library("gson-2.15.0.jar"), DeployOptions.to("prod", "itest")
                .withOwner("json-team@example.com"));
        assertEquals("json-team@example.com", gson.deployment().owner());
        DeployException notTheirs = refused(() -> deployer().deploy(fixture("lang-ranged"), DeployOptions.to("prod", "itest")
                .withOwner("someone-else@example.com")));
        assertTrue(notTheirs.getMessage(), notTheirs.getMessage().contains("names its owner (Mosaic-Owner: fixtures@example.com)"));
        assertTrue(gson.deployment().findings().toString(), gson.deployment().findings().stream()
                .anyMatch(f -> f.contains("optionally imports sun.misc") && f.endsWith("it stays unwired")));
        assertTrue("the unwired optional import really is unwired",
                !importsFromSystem(live(GSON, "2.15.0"), "sun.misc"));

        // commons-text: refused for what a library may not do, all of it in one answer, naming the exemption
        PolicyReport check = deployer().check(library("commons-text-1.15.0.jar"), "prod");
        assertFalse(check.allowed());
        assertEquals("\"" + TEXT + "\": [\"import:javax.script\", \"network\"]", check.exemption());
        DeployException refused = refused(() -> deploy(library("commons-text-1.15.0.jar")));
        assertEquals(DeployException.POLICY_VIOLATION, refused.code());
        assertTrue(refused.getMessage(), refused.getMessage().contains("(a shared module)")
                && refused.getMessage().contains("imports javax.script (any version) from the JDK")
                && refused.getMessage().contains("network: org.apache.commons.text.lookup.UrlStringLookup.lookup calls java.net.URL.openStream")
                && refused.getMessage().contains(check.exemption()));
        // the operator writes just that exemption: the rest of the policy stays the default
        Files.writeString(policyFile(), "{ \"exemptions\": { " + check.exemption() + " } }");
        assertTrue(deploy(library("commons-text-1.15.0.jar")).changed());

        // adapters of our own: a range, a pin, and one through commons-text
        deploy(fixture("lang-ranged"));
        deploy(fixture("lang-pinned"));
        deploy(fixture("lang-text"));
        assertEquals("Mosaic", ok("/fixtures/lang/ranged").get("text").asText());
        assertEquals("moasic", ok("/fixtures/lang/pinned").get("text").asText());
        assertEquals("Shared Modules", ok("/fixtures/lang/text").get("text").asText());
        assertEquals(Map.of(LANG, "3.21.0"), wiredModules(live("dev.mosaic.fixtures.lang-ranged", "1.0.0")));
        assertEquals(Map.of(LANG, "3.21.0"), wiredModules(live(TEXT, "1.15.0")));
        // who depends on lang3: directly, and (transitive) the adapter using it through commons-text
        Dependents direct = insight().dependents("prod", LANG, "3.21.0").get(0);
        assertFalse(direct.wired().stream().anyMatch(c -> c.name().equals("dev.mosaic.fixtures.lang-text")));
        Dependents all = insight().dependents("prod", LANG, "3.21.0", true).get(0);
        assertTrue(all.wired().toString(), all.wired().stream().anyMatch(c -> c.name().equals("dev.mosaic.fixtures.lang-text")
                && (TEXT + " 1.15.0").equals(c.via())));

        // a newer commons-lang3, live: the range and commons-text move, the pin stays
        DeployResult release = deploy(library("commons-lang3-3.22.0.jar"));
        assertTrue(release.summary(), release.summary().contains("dev.mosaic.fixtures.lang-ranged 1.0.0 (" + LANG
                + " 3.21.0 -> 3.22.0)"));
        // through the gate: bnd's report of a library whose API is not annotated, and the consumers' own code decided
        assertEquals("3.21.0", release.report().baseline());
        assertFalse(release.report().toString(), release.report().annotated());
        assertEquals(Map.of(LANG, "3.22.0"), wiredModules(live("dev.mosaic.fixtures.lang-ranged", "1.0.0")));
        assertEquals(Map.of(LANG, "3.22.0"), wiredModules(live(TEXT, "1.15.0")));
        assertEquals(Map.of(LANG, "3.21.0"), wiredModules(live("dev.mosaic.fixtures.lang-pinned", "1.0.0")));
        assertTrue(release.stays().toString(), release.stays().stream().anyMatch(s -> s.consumer().equals(
                "dev.mosaic.fixtures.lang-pinned") && s.reason().startsWith("pinned: " + LANG + " [3.21.0,3.21.0]")));
        assertEquals("Mosaic", ok("/fixtures/lang/ranged").get("text").asText());
        assertEquals("moasic", ok("/fixtures/lang/pinned").get("text").asText());
        assertEquals("Shared Modules", ok("/fixtures/lang/text").get("text").asText());
        String ranged = ok("/fixtures/lang/ranged").get("lang3").asText();
        assertTrue("the ranged adapter runs on 3.22.0's classes: " + ranged, ranged.equals("3.22.0") || ranged.equals("null"));
    }

    /** @return whether the bundle's wiring has the package from the framework itself */
    private static boolean importsFromSystem(Bundle b, String pkg) {
        org.osgi.framework.wiring.BundleWiring w = b.adapt(org.osgi.framework.wiring.BundleWiring.class);
        return w.getRequiredWires(org.osgi.framework.namespace.PackageNamespace.PACKAGE_NAMESPACE).stream()
                .anyMatch(wire -> pkg.equals(wire.getCapability().getAttributes()
                        .get(org.osgi.framework.namespace.PackageNamespace.PACKAGE_NAMESPACE)));
    }
}
