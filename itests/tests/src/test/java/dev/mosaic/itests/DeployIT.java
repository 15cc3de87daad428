package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.HistoryEntry;
import dev.mosaic.deployer.Move;
import dev.mosaic.deployer.UptakePolicy;
import dev.mosaic.deployer.MoveReason;
import dev.mosaic.deployer.Operation;

/**
 * Deploys, releases and their live uptake, yanks, rollbacks and undeploys against the real
 * runtime, and every bad input: each refused with its own code and message, nothing that
 * was serving stops, nothing is left installed. Every test ends with the seeded state.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeployIT extends MosaicSupport {

    private static final String CATALOG = "dev.mosaic.examples.catalog";
    private static final String TV = "dev.mosaic.examples.tv-home";

    @Configuration
    public Option[] config() {
        return runtime();
    }

    /** Whatever a test did, the seeded examples serve as they did at start. */
    @After
    public void examplesServeAsSeeded() throws Exception {
        assertEquals("1.1.0", moduleVersion("/tv/home"));
        assertEquals("1.0.0", ok("/tv/home").get("adapterVersion").asText());
        assertEquals("1.0.0", moduleVersion("/mobile/home"));
        assertEquals("2.0.0", moduleVersion("/glasses/play/42"));
        Set<String> tenants = tenantBundles();
        assertEquals("tenant bundles left behind: " + tenants, Set.of(CATALOG + " 1.0.0", CATALOG + " 1.1.0",
                CATALOG + " 2.0.0", TV + " 1.0.0", "dev.mosaic.examples.mobile-home 1.0.0",
                "dev.mosaic.examples.glasses-play 1.0.0"), tenants);
    }

    @Test
    public void newAdapterVersionReplacesTheRunningOneAndRollbackPutsItBack() throws Exception {
        DeployResult r = deploy(example("tv-home-1.1.0.jar"));
        assertTrue(r.changed());
        assertEquals("1.0.0", r.replacedVersion());
        JsonNode page = ok("/tv/home");
        assertEquals("1.1.0", page.get("adapterVersion").asText());
        assertEquals("Trending now", page.get("rows").get(0).get("name").asText());
        assertEquals(Map.of(CATALOG, "1.1.0"), wiredModules(live(TV, "1.1.0")));
        assertFalse("the old version is retired", tenantBundles().contains(TV + " 1.0.0"));

        DeployResult back = deployer().rollback("prod", TV, "itest");
        assertEquals("1.1.0", back.replacedVersion());
        assertEquals("1.0.0", back.deployment().version());
        List<HistoryEntry> history = deployer().history(2);
        assertEquals(List.of("deploy", "rollback"), history.stream().map(h -> h.operation().toString()).toList());
        assertEquals("itest", history.get(1).actor());
        assertEquals("1.1.0", history.get(1).replacedVersion());
    }

    @Test
    public void sameBytesAgainChangeNothingAndSameVersionWithOtherBytesIsRefused() throws Exception {
        long before = deployer().history(1).get(0).sequence();
        DeployResult again = deploy(example("seed/tv-home-1.0.0.jar"));
        assertFalse(again.changed());
        assertEquals(before, deployer().history(1).get(0).sequence());

        DeployException e = refused(() -> deploy(fixture("imposter")));
        assertEquals(DeployException.ARTIFACT_CONFLICT, e.code());
        assertEquals(409, e.httpStatus());
        assertTrue(e.getMessage(), e.getMessage().contains(TV + " 1.0.0 was deployed before with different content"));
    }

    @Test
    public void releaseMovesRangeConsumersLiveAndLeavesPinsAndOtherMajorsAlone() throws Exception {
        Bundle mobile = live("dev.mosaic.examples.mobile-home", "1.0.0");
        Bundle glasses = live("dev.mosaic.examples.glasses-play", "1.0.0");
        DeployResult r = deploy(example("catalog-1.2.0.jar"));
        try {
            assertEquals(Operation.RELEASE, r.operation());
            assertEquals(1, r.moves().size());
            Move m = r.moves().get(0);
            assertEquals(TV, m.consumer());
            assertEquals(Map.of(CATALOG, "1.1.0"), m.from());
            assertEquals(Map.of(CATALOG, "1.2.0"), m.to());
            assertEquals(MoveReason.UPTAKE, m.reason());

            assertEquals("1.2.0", moduleVersion("/tv/home"));
            assertEquals(Map.of(CATALOG, "1.2.0"), wiredModules(live(TV, "1.0.0")));
            // the pinned and the 2.x consumer were not even re-wired: same bundle, same wiring
            assertEquals("1.0.0", moduleVersion("/mobile/home"));
            assertEquals(mobile, live("dev.mosaic.examples.mobile-home", "1.0.0"));
            assertEquals(glasses, live("dev.mosaic.examples.glasses-play", "1.0.0"));
            assertEquals("2.0.0", moduleVersion("/glasses/play/42"));
            for (String v : List.of("1.0.0", "1.1.0", "1.2.0", "2.0.0")) {
                live(CATALOG, v);
            }
        } finally {
            withdraw("1.2.0");
        }
    }

    @Test
    public void manualUptakeConsumerStaysUntilItAdopts() throws Exception {
        deploy(fixture("manual"));
        try {
            assertEquals("1.1.0", moduleVersion("/fixtures/manual"));
            DeployResult release = deploy(example("catalog-1.2.0.jar"));
            assertEquals(List.of(TV), release.moves().stream().map(x -> x.consumer()).toList());
            assertEquals("1.2.0", moduleVersion("/tv/home"));
            assertEquals("1.1.0", moduleVersion("/fixtures/manual"));
            DeploymentInfo manual = info("dev.mosaic.fixtures.manual");
            assertEquals(UptakePolicy.MANUAL, manual.uptake());

            DeployResult adopt = deployer().adopt("prod", "dev.mosaic.fixtures.manual", "itest");
            assertEquals(1, adopt.moves().size());
            assertEquals(Map.of(CATALOG, "1.2.0"), adopt.moves().get(0).to());
            assertEquals(MoveReason.ADOPT, adopt.moves().get(0).reason());
            assertEquals("1.2.0", moduleVersion("/fixtures/manual"));
            assertFalse(deployer().adopt("prod", "dev.mosaic.fixtures.manual", "itest").changed());
        } finally {
            withdraw("1.2.0");
            deployer().undeploy("prod", "dev.mosaic.fixtures.manual", null, false, "itest");
        }
    }

    @Test
    public void yankMovesConsumersBackAndNothingNewBindsToTheYankedVersion() throws Exception {
        deploy(example("catalog-1.2.0.jar"));
        try {
            assertEquals("1.2.0", moduleVersion("/tv/home"));
            DeployResult yank = deployer().yank("prod", CATALOG, "1.2.0", "itest");
            assertEquals(Map.of(CATALOG, "1.1.0"), yank.moves().get(0).to());
            assertEquals(MoveReason.YANK, yank.moves().get(0).reason());
            assertEquals("1.1.0", moduleVersion("/tv/home"));
            assertTrue(info(CATALOG, "1.2.0").yanked());

            deploy(fixture("manual"));
            try {
                assertEquals("a new consumer does not bind to a yanked version", "1.1.0", moduleVersion("/fixtures/manual"));
                DeployResult unyank = deployer().unyank("prod", CATALOG, "1.2.0", "itest");
                assertEquals("only the automatic consumer moves back", List.of(TV),
                        unyank.moves().stream().map(x -> x.consumer()).toList());
                assertEquals("1.2.0", moduleVersion("/tv/home"));
                assertEquals("1.1.0", moduleVersion("/fixtures/manual"));
            } finally {
                deployer().undeploy("prod", "dev.mosaic.fixtures.manual", null, false, "itest");
            }
        } finally {
            withdraw("1.2.0");
        }
    }

    @Test
    public void yankThatWouldLeaveAConsumerWithoutAVersionIsRefused() throws Exception {
        DeployException e = refused(() -> deployer().yank("prod", CATALOG, "1.0.0", "itest"));
        assertEquals(DeployException.IN_USE, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("dev.mosaic.examples.mobile-home"));
        assertTrue(e.getMessage(), e.getMessage().contains("[1.0.0,1.0.0]"));
        assertFalse(info(CATALOG, "1.0.0").yanked());
    }

    @Test
    public void moduleVersionInUseIsUndeployedOnlyWithForceWhichMovesItsConsumersFirst() throws Exception {
        DeployException e = refused(() -> deployer().undeploy("prod", CATALOG, "1.1.0", false, "itest"));
        assertEquals(DeployException.IN_USE, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains(TV + " 1.0.0"));

        DeployResult forced = deployer().undeploy("prod", CATALOG, "1.1.0", true, "itest");
        assertEquals(Map.of(CATALOG, "1.0.0"), forced.moves().get(0).to());
        assertEquals("prod", forced.moves().get(0).environment());
        assertEquals(null, forced.deployment());
        assertEquals("1.0.0", moduleVersion("/tv/home"));
        assertFalse(tenantBundles().contains(CATALOG + " 1.1.0"));

        DeployException pinnedLastOne = refused(() -> deployer().undeploy("prod", CATALOG, "1.0.0", true, "itest"));
        assertEquals(DeployException.IN_USE, pinnedLastOne.code());

        DeployResult back = deploy(example("seed/catalog-1.1.0.jar"));
        assertEquals(TV, back.moves().get(0).consumer());
    }

    /**
     * In dev a module's version may take new bytes, and its consumers are wired to them: bytes without what a consumer
     * uses (a build caught halfway, a class not written yet) are refused, and the consumers serve on; whole ones serve.
     */
    @Test
    public void aDevelopmentBuildOfAModuleLackingWhatItsConsumersUseIsRefused() throws Exception {
        byte[] module = fixture("chain-module-1.0.0");
        deploy(example("seed/catalog-1.1.0.jar"), "dev");
        deploy(module, "dev");
        deploy(fixture("chain-adapter"), "dev");
        try {
            assertEquals("4", ok("/fixtures/chain", "X-Mosaic-Env", "dev").get("titles").asText());

            byte[] halfway = rewritten(module, entry -> !entry.endsWith("/ChainModule.class"), null);
            DeployException refused = refused(() -> deploy(halfway, "dev"));
            assertEquals(DeployException.IN_USE, refused.code());
            assertTrue(refused.getMessage(), refused.getMessage().contains("lack what its consumers in dev use")
                    && refused.getMessage().contains("dev.mosaic.fixtures.chain-adapter 1.0.0: uses ChainModule"));
            assertEquals("the consumer serves on", "4", ok("/fixtures/chain", "X-Mosaic-Env", "dev").get("titles").asText());
            DeployResult dry = deployer().deploy(halfway, dev.mosaic.deployer.DeployOptions.to("dev", "itest").withDryRun(true));
            assertTrue(dry.problems().toString(), dry.problems().stream().anyMatch(p -> p.contains("uses ChainModule")));

            // the same version whole, with other bytes (a resource more): released, and its consumer wired to it
            byte[] whole = rewritten(module, entry -> true, "notes.txt");
            DeployResult replaced = deploy(whole, "dev");
            assertTrue(replaced.summary(), replaced.summary().contains("released dev.mosaic.fixtures.chain-module 1.0.0 in dev,"
                    + " replacing its earlier bytes") && replaced.summary().contains("wired to the new bytes:"
                            + " dev.mosaic.fixtures.chain-adapter 1.0.0"));
            assertEquals("4", ok("/fixtures/chain", "X-Mosaic-Env", "dev").get("titles").asText());
        } finally {
            deployer().undeploy("dev", "dev.mosaic.fixtures.chain-adapter", null, false, "itest");
            deployer().undeploy("dev", "dev.mosaic.fixtures.chain-module", "1.0.0", false, "itest");
            deployer().undeploy("dev", CATALOG, "1.1.0", false, "itest");
        }
    }

    /** A SNAPSHOT is a development build: prod takes release versions only; test takes it. */
    @Test
    public void prodTakesReleaseVersionsOnly() throws Exception {
        byte[] snapshot = withHeaders(example("tv-home-1.1.0.jar"), Map.of("Bundle-Version", "1.1.1.SNAPSHOT"));
        DeployException refused = refused(() -> deploy(snapshot, "prod"));
        assertEquals(DeployException.CONFLICT, refused.code());
        assertTrue(refused.getMessage(), refused.getMessage().contains("dev.mosaic.examples.tv-home 1.1.1.SNAPSHOT is a"
                + " development build (a SNAPSHOT version), and prod takes release versions only"));
        assertFalse(deployer().list("prod").stream().anyMatch(d -> d.version().equals("1.1.1.SNAPSHOT")));
        DeployResult dry = deployer().deploy(snapshot, dev.mosaic.deployer.DeployOptions.to("prod", "itest").withDryRun(true));
        assertTrue(dry.problems().toString(), dry.problems().stream().anyMatch(p -> p.contains("release versions only")));
        deploy(example("seed/catalog-1.1.0.jar"), "test");
        try {
            assertTrue(deploy(snapshot, "test").changed());
            assertEquals("1.1.1.SNAPSHOT", ok("/tv/home?profile=kids", "X-Mosaic-Env", "test").get("adapterVersion").asText());
        } finally {
            deployer().undeploy("test", TV, null, false, "itest");
            deployer().undeploy("test", CATALOG, "1.1.0", false, "itest");
        }
    }

    /** @return the jar with only the entries kept, and one more of that name if given */
    private static byte[] rewritten(byte[] jar, java.util.function.Predicate<String> keep, String more) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(jar));
                ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                if (keep.test(e.getName())) {
                    out.putNextEntry(new ZipEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
            if (more != null) {
                out.putNextEntry(new ZipEntry(more));
                out.write("built again".getBytes());
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    public void aChainOfAdapterModuleAndModuleMovesTogether() throws Exception {
        deploy(fixture("chain-module-1.0.0"));
        deploy(fixture("chain-adapter"));
        try {
            JsonNode before = ok("/fixtures/chain");
            assertEquals("1.1.0", before.get("catalogVersion").asText());
            assertEquals("4", before.get("titles").asText());

            DeployResult release = deploy(example("catalog-1.2.0.jar"));
            Map<String, String> reasons = release.moves().stream().collect(Collectors.toMap(x -> x.consumer(), x -> x.reason().toString()));
            assertEquals(Map.of(TV, "uptake", "dev.mosaic.fixtures.chain-module", "uptake",
                    "dev.mosaic.fixtures.chain-adapter", "transitive"), reasons);

            JsonNode after = ok("/fixtures/chain");
            assertEquals("1.2.0", after.get("catalogVersion").asText());
            assertEquals("5", after.get("titles").asText());
            Bundle module = live("dev.mosaic.fixtures.chain-module", "1.0.0");
            assertEquals(Map.of(CATALOG, "1.2.0"), wiredModules(module));
            Bundle adapter = live("dev.mosaic.fixtures.chain-adapter", "1.0.0");
            assertEquals(Map.of("dev.mosaic.fixtures.chain-module", "1.0.0"), wiredModules(adapter));
            assertTrue("the adapter is wired to the serving generation of the module",
                    adapter.adapt(org.osgi.framework.wiring.BundleWiring.class)
                            .getRequiredWires(org.osgi.framework.namespace.PackageNamespace.PACKAGE_NAMESPACE).stream()
                            .anyMatch(w -> w.getProvider().getBundle().equals(module)));
        } finally {
            withdraw("1.2.0");
            deployer().undeploy("prod", "dev.mosaic.fixtures.chain-adapter", null, false, "itest");
            deployer().undeploy("prod", "dev.mosaic.fixtures.chain-module", "1.0.0", false, "itest");
        }
    }

    @Test
    public void environmentsHaveTheirOwnRoutes() throws Exception {
        deploy(fixture("failing"), "test");
        try {
            assertEquals(202, get("/fixtures/echo/x", "X-Mosaic-Env", "test").statusCode());
            assertEquals("test", json(get("/fixtures/echo/x", "X-Mosaic-Env", "test")).get("environment").asText());
            assertEquals(404, get("/fixtures/echo/x").statusCode());
            DeploymentInfo d = deployer().list("test").get(0);
            assertEquals("test", d.environment());
            assertEquals("dev.mosaic.fixtures.failing", d.name());
            assertEquals("fixtures@example.com", d.owner());
        } finally {
            deployer().undeploy("test", "dev.mosaic.fixtures.failing", null, false, "itest");
        }
        assertEquals(404, get("/fixtures/echo/x", "X-Mosaic-Env", "test").statusCode());
    }

    @Test
    public void undeployedAdapterRoutesAnswer404() throws Exception {
        deploy(fixture("failing"));
        assertEquals(202, get("/fixtures/echo/x").statusCode());
        DeployResult r = deployer().undeploy("prod", "dev.mosaic.fixtures.failing", null, false, "itest");
        assertTrue(r.summary(), r.summary().contains("routes answer 404"));
        assertEquals(404, get("/fixtures/echo/x").statusCode());
    }

    // ------------------------------------------------------------------ bad input

    @Test
    public void uploadsThatAreNotBundlesAreRefusedSaying() throws Exception {
        assertRefused(new byte[0], DeployException.INVALID_BUNDLE, "empty");
        assertRefused("this is not a jar".getBytes(), DeployException.INVALID_BUNDLE, "not a jar");
        assertRefused(zip("readme.txt", "hello"), DeployException.INVALID_BUNDLE, "no META-INF/MANIFEST.MF");
        assertRefused(jar(Map.of("Bundle-ManifestVersion", "2", "Bundle-Version", "1.0.0")), DeployException.INVALID_BUNDLE,
                "no Bundle-SymbolicName");
        assertRefused(jar(Map.of("Bundle-ManifestVersion", "2", "Bundle-SymbolicName", "x.y", "Bundle-Version", "1.0.x.y")),
                DeployException.INVALID_BUNDLE, "'1.0.x.y', which is not a version");
        byte[] real = example("tv-home-1.1.0.jar");
        assertRefused(Arrays.copyOf(real, real.length / 2), DeployException.INVALID_BUNDLE, "truncated");
        // a class its own code uses left out (a build caught halfway): refused before it could fail requests; whole, it would go
        DeployException halfway = assertRefused(rewritten(real, entry -> !entry.endsWith("TvHome$Row.class"), null),
                DeployException.INVALID_BUNDLE, "does not hold classes its own code uses");
        assertTrue(halfway.getMessage(), halfway.getMessage().contains("dev.mosaic.examples.tvhome.TvHome$Row (used in"));
        assertTrue(deployer().deploy(real, dev.mosaic.deployer.DeployOptions.to("prod", "itest").withDryRun(true)).problems()
                .isEmpty());
        assertRefused(fixture("fragment"), DeployException.INVALID_BUNDLE, "is a fragment");
        assertRefused(fixture("no-handler"), DeployException.INVALID_BUNDLE, "provides no route handler");
    }

    @Test
    public void bundlesThatCannotRunAreRefusedSayingWhy() throws Exception {
        DeployException unresolvable = assertRefused(fixture("unresolvable"), DeployException.UNRESOLVABLE,
                "imports package com.acme.missing [1.0.0,2.0.0)");
        assertEquals(422, unresolvable.httpStatus());
        assertRefused(fixture("activation-fails"), DeployException.START_FAILED, "cannot connect to the recommendations service");
        assertRefused(fixture("conflict"), DeployException.ROUTE_CONFLICT,
                "route GET /tv/home of dev.mosaic.fixtures.conflict 1.0.0 is already served by " + TV + " 1.0.0");
        // a module needing a catalog version that does not exist in the environment
        assertRefused(fixture("chain-adapter"), DeployException.UNRESOLVABLE, "dev.mosaic.fixtures.chainmodule");
    }

    @Test
    public void unknownNamesVersionsAndEnvironmentsAreRefusedSaying() throws Exception {
        Deployer d = deployer();
        assertEquals(DeployException.NOT_FOUND, refused(() -> d.yank("prod", CATALOG, "9.9.9", "itest")).code());
        assertEquals(DeployException.NOT_FOUND, refused(() -> d.yank("prod", "no.such.module", "1.0.0", "itest")).code());
        assertEquals(DeployException.NOT_FOUND, refused(() -> d.rollback("prod", "no.such.adapter", "itest")).code());
        assertEquals(DeployException.NOT_FOUND, refused(() -> d.adopt("prod", "no.such.adapter", "itest")).code());
        assertEquals(DeployException.NOT_FOUND, refused(() -> d.undeploy("prod", "no.such.adapter", null, false, "itest")).code());
        assertEquals(DeployException.NOT_FOUND, refused(() -> d.undeploy("staging", TV, null, false, "itest")).code());
        assertEquals(DeployException.INVALID_ARGUMENT, refused(() -> d.yank("prod", CATALOG, "one.two", "itest")).code());
        assertEquals(DeployException.INVALID_ARGUMENT, refused(() -> d.yank("Prod!", CATALOG, "1.0.0", "itest")).code());
        assertEquals(DeployException.INVALID_ARGUMENT, refused(() -> d.rollback("prod", "../../etc", "itest")).code());
        assertEquals(DeployException.INVALID_ARGUMENT, refused(() -> d.yank("prod", TV, "1.0.0", "itest")).code());
        assertEquals(DeployException.INVALID_ARGUMENT, refused(() -> d.undeploy("prod", CATALOG, null, false, "itest")).code());
        DeployException first = refused(() -> d.rollback("prod", "dev.mosaic.examples.mobile-home", "itest"));
        assertEquals(DeployException.CONFLICT, first.code());
        assertTrue(first.getMessage(), first.getMessage().contains("no previous version"));
    }

    // ------------------------------------------------------------------ helpers

    private DeployException assertRefused(byte[] jar, String code, String message) throws Exception {
        Set<String> before = tenantBundles();
        long seq = deployer().history(1).get(0).sequence();
        DeployException e = refused(() -> deploy(jar));
        assertEquals(e.getMessage(), code, e.code());
        assertTrue("'" + e.getMessage() + "' should say '" + message + "'", e.getMessage().contains(message));
        assertEquals("nothing left installed", before, tenantBundles());
        assertEquals("nothing recorded", seq, deployer().history(1).get(0).sequence());
        assertEquals("1.1.0", moduleVersion("/tv/home"));
        return e;
    }

    /** Takes a released catalog version away again: yank (consumers move off), then undeploy. */
    private void withdraw(String version) throws Exception {
        Deployer d = deployer();
        if (d.list("prod").stream().noneMatch(i -> i.name().equals(CATALOG) && i.version().equals(version))) {
            return;
        }
        d.yank("prod", CATALOG, version, "itest");
        d.undeploy("prod", CATALOG, version, false, "itest");
    }

    private DeploymentInfo info(String name) throws Exception {
        return deployer().list("prod").stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
    }

    private DeploymentInfo info(String name, String version) throws Exception {
        return deployer().list("prod").stream().filter(i -> i.name().equals(name) && i.version().equals(version)).findFirst()
                .orElseThrow();
    }

    private Set<String> tenantBundles() {
        Set<String> names = new TreeSet<>();
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().startsWith("mosaic:")) {
                names.add(b.getSymbolicName() + " " + b.getVersion());
            }
        }
        return names;
    }

    private static byte[] zip(String entry, String content) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry(entry));
            z.write(content.getBytes());
            z.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static byte[] jar(Map<String, String> headers) throws Exception {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach((k, v) -> m.getMainAttributes().putValue(k, v));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream j = new JarOutputStream(bytes, m)) {
            j.putNextEntry(new ZipEntry("x/Empty.txt"));
            j.closeEntry();
        }
        return bytes.toByteArray();
    }
}
