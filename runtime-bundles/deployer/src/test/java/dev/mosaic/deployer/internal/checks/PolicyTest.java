package dev.mosaic.deployer.internal.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.ImportInfo;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.internal.checks.Policy.Action;
import dev.mosaic.deployer.internal.store.JsonSupport;

/** The policy's profiles per kind, the JDK's packages, and an operator's file over the default. */
class PolicyTest {

    @TempDir
    Path dir;

    private Policy load(String json) throws DeployException, java.io.IOException {
        Path file = dir.resolve("policy.json");
        if (json == null) {
            Files.deleteIfExists(file);
        } else {
            Files.writeString(file, json);
        }
        return Policy.load(file, JsonSupport.mapper());
    }

    @Test
    void byDefaultModulesReportReflectionAndAdaptersRefuseItWhileNetworkIsRefusedForBoth() throws Exception {
        Policy p = load(null);
        assertTrue(p.source.startsWith("the built-in default policy (write " + dir.resolve("policy.json")), p.source);
        assertEquals(Action.REPORT, p.action(Kind.MODULE, "lib", "reflection"));
        assertEquals(Action.REFUSE, p.action(Kind.ADAPTER, "tv", "reflection"));
        for (String always : new String[] { "network", "process", "exit" }) {
            assertEquals(Action.REFUSE, p.action(Kind.MODULE, "lib", always));
        }
    }

    @Test
    void theJdksPackagesAreImportableButTheDenyListAndThePlatformsOnlyOnTheAllowList() throws Exception {
        Policy p = load(null);
        assertTrue(p.allowsPlatformImport("lib", "javax.xml.parsers"));
        assertTrue(p.allowsPlatformImport("lib", "org.w3c.dom"));
        assertTrue(p.allowsPlatformImport("lib", "dev.mosaic.api"));
        assertFalse(p.allowsPlatformImport("lib", "javax.script"));
        assertFalse(p.allowsPlatformImport("lib", "javax.naming.directory"));
        assertFalse(p.allowsPlatformImport("lib", "sun.misc"));
        assertFalse(p.allowsPlatformImport("lib", "org.osgi.framework"), "the framework is the platform's, not the JDK's");
    }

    @Test
    void anOperatorsFileReplacesWhatItNamesKeepsTheRestAndCanOnlyTighten() throws Exception {
        Policy p = load("""
                { "exemptions": { "lib": ["import:javax.script", "network"] },
                  "actions": { "module": { "reflection": "refuse" } },
                  "bundleActions": { "strict.adapter": { "custom": "refuse" } } }""");
        assertTrue(p.allowsPlatformImport("lib", "javax.script"), "exempted by name");
        assertFalse(p.allowsPlatformImport("other", "javax.script"));
        assertTrue(p.exempt("lib", "network"));
        assertTrue(p.allowsPlatformImport("lib", "dev.mosaic.api"), "the default's allow-list stays");
        assertFalse(p.forbidden.isEmpty(), "the default's rules stay");
        assertEquals(Action.REFUSE, p.action(Kind.MODULE, "lib", "reflection"), "tightened for modules");
        DeployException loosening = assertThrows(DeployException.class,
                () -> load("{ \"actions\": { \"module\": { \"network\": \"report\" } } }"));
        assertTrue(loosening.getMessage().contains("actions.module.network cannot be report"), loosening.getMessage());
        // a file written for the runtime before profiles: every field it had, none of the new ones
        Policy old = load("""
                { "allowedImports": ["dev.mosaic.api"], "forbidden": [ { "category": "network", "classes": ["java.net.Socket"] } ],
                  "exemptions": {} }""");
        assertEquals(Action.REPORT, old.action(Kind.MODULE, "lib", "reflection"));
        assertFalse(old.allowsPlatformImport("lib", "org.slf4j"), "its own allow-list replaces the default's");
    }

    @Test
    void rangesReadAsIntervalsAndAnUnversionedImportAsAnyVersion() {
        assertEquals("[3.17.0,\u221e)", ImportInfo.describe("3.17.0"));
        assertEquals("(any version)", ImportInfo.describe("0.0.0"));
        assertEquals("[1.0.0,2.0.0)", ImportInfo.describe("[1.0,2)"));
        assertEquals("[1.0.0,1.0.0]", ImportInfo.describe("[1.0.0,1.0.0]"));
    }
}
