package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

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

import com.fasterxml.jackson.databind.JsonNode;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.HistoryEntry;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.Move;
import dev.mosaic.deployer.ReleaseReport;
import dev.mosaic.deployer.Stay;
import dev.mosaic.deployer.StayReason;

/**
 * A module release moves only the consumers whose code runs on it, read from both bytecodes:
 * two fixture adapters accept catalog [1.0,3), one calls {@code Catalog.find(String)} (a
 * {@code Title} up to 1.2.0, an {@code Optional} in 2.0.0), the other only what 2.0.0 keeps.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SemverGateIT extends MosaicSupport {

    private static final String CATALOG = "dev.mosaic.examples.catalog";
    private static final String FINDER = "dev.mosaic.fixtures.gate-finder";
    private static final String LISTER = "dev.mosaic.fixtures.gate-lister";

    @Configuration
    public Option[] config() {
        return runtime();
    }

    /** Each test works in environments of its own; whatever it left there goes, adapters first. */
    @After
    public void removeWhatTheTestDeployed() throws Exception {
        for (String env : List.of("gate", "gate-new", "gate-chain", "shelf", "shelf-own")) {
            for (DeploymentInfo d : deployer().list(env)) {
                if (d.kind() == Kind.ADAPTER) {
                    deployer().undeploy(env, d.name(), d.version(), true, "itest");
                }
            }
            // modules in turn: one that another module still needs (gate-middle's catalog) goes after it
            List<DeploymentInfo> left = deployer().list(env);
            while (!left.isEmpty()) {
                for (DeploymentInfo d : left) {
                    try {
                        deployer().undeploy(env, d.name(), d.version(), true, "itest");
                    } catch (DeployException stillNeeded) {
                        // next pass
                    }
                }
                List<DeploymentInfo> now = deployer().list(env);
                assertTrue("cannot clean up " + env + ": " + now, now.size() < left.size());
                left = now;
            }
        }
    }

    @Test
    public void aReleaseMovesOnlyTheConsumersWhoseCodeRunsOnIt() throws Exception {
        deploy(example("catalog-1.2.0.jar"), "gate");
        deploy(fixture("gate-finder"), "gate");
        deploy(fixture("gate-lister"), "gate");
        assertEquals("1.2.0", in("gate", "/fixtures/gate/find").get("moduleVersion").asText());
        assertEquals("1.2.0", in("gate", "/fixtures/gate/list").get("moduleVersion").asText());

        // the dry run says who would stay and why, and changes nothing
        DeployResult dry = deployer().deploy(example("seed/catalog-2.0.0.jar"), new DeployOptions("gate", "itest", null, true, null));
        assertTrue(dry.dryRun());
        assertFinderStaysAndListerMoves(dry);
        assertEquals(List.of("1.2.0"), deployer().list("gate").stream().filter(d -> d.kind() == Kind.MODULE)
                .map(DeploymentInfo::version).toList());

        DeployResult release = deploy(example("seed/catalog-2.0.0.jar"), "gate");
        assertTrue(release.changed());
        assertFinderStaysAndListerMoves(release);
        assertTrue(release.summary(), release.summary().contains(LISTER));
        JsonNode found = in("gate", "/fixtures/gate/find");
        assertEquals("still served, on the version its code runs on", "1.2.0", found.get("moduleVersion").asText());
        assertEquals("Dark", found.get("name").asText());
        assertEquals("2.0.0", in("gate", "/fixtures/gate/list").get("moduleVersion").asText());
        // and the producer's view says the same, later
        dev.mosaic.insight.Dependents on2 = service(dev.mosaic.insight.Insight.class).dependents("gate", CATALOG, "2.0.0").get(0);
        assertEquals(List.of(LISTER), on2.wired().stream().map(dev.mosaic.insight.Consumer::name).toList());
        dev.mosaic.insight.Consumer finder = on2.elsewhere().get(0);
        assertEquals(FINDER, finder.name());
        assertEquals(StayReason.INCOMPATIBLE, finder.why());
        assertEquals("incompatible: uses Catalog.find(String), which 2.0.0 does not have; stays on 1.2.0", finder.reason());
    }

    @Test
    public void aModuleInTheMiddleOfAChainIsCheckedTheSameWayAndItsConsumersStayWithIt() throws Exception {
        deploy(example("catalog-1.2.0.jar"), "gate-chain");
        deploy(fixture("gate-middle"), "gate-chain");
        deploy(fixture("gate-top"), "gate-chain");
        deploy(fixture("gate-lister"), "gate-chain");
        assertEquals("Dark from catalog 1.2.0", in("gate-chain", "/fixtures/gate/top").get("describe").asText());

        DeployResult release = deploy(example("seed/catalog-2.0.0.jar"), "gate-chain");
        // the module whose code does not run on 2.0.0 stays, so its adapter is not re-wired either; the lister moves
        assertEquals(release.toString(), List.of(LISTER), release.moves().stream().map(Move::consumer).toList());
        Stay stay = release.stays().stream().filter(s -> s.consumer().equals("dev.mosaic.fixtures.gate-middle")).findFirst()
                .orElseThrow();
        assertEquals(StayReason.INCOMPATIBLE, stay.why());
        assertTrue(stay.reason(), stay.reason().contains("uses Catalog.find(String), which 2.0.0 does not have"));
        assertEquals("Dark from catalog 1.2.0", in("gate-chain", "/fixtures/gate/top").get("describe").asText());
        assertEquals("2.0.0", in("gate-chain", "/fixtures/gate/list").get("moduleVersion").asText());
    }

    @Test
    public void aDeployBindsToTheNewestVersionItsCodeRunsOnAndIsRefusedWhereThereIsNone() throws Exception {
        deploy(example("seed/catalog-2.0.0.jar"), "gate-new");
        DeployException e = refused(() -> deploy(fixture("gate-finder"), "gate-new"));
        assertEquals(DeployException.UNRESOLVABLE, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("its code does not run on " + CATALOG
                + " 2.0.0: uses Catalog.find(String), which 2.0.0 does not have"));
        // the same deploy path takes what does run on 2.0.0
        assertEquals(Map.of(CATALOG, "2.0.0"), deploy(fixture("gate-lister"), "gate-new").deployment().bindings());
        // with 1.2.0 there as well, the finder binds to it, below the newest its range admits
        deploy(example("catalog-1.2.0.jar"), "gate-new");
        assertEquals(Map.of(CATALOG, "1.2.0"), deploy(fixture("gate-finder"), "gate-new").deployment().bindings());
        assertEquals("1.2.0", in("gate-new", "/fixtures/gate/find").get("moduleVersion").asText());
    }

    @Test
    public void aVersionThatUnderstatesItsApiChangeIsRefusedWithItsReportUnlessAllowed() throws Exception {
        assertEquals("the first version has nothing to compare with", null, deploy(shelf("1.0.0"), "shelf").report());
        DeployResult minor = deploy(shelf("1.1.0"), "shelf");
        ReleaseReport ok = minor.report();
        assertTrue(minor.toString(), ok.annotated() && !ok.mismatch());
        assertEquals("1.0.0", ok.baseline());
        assertEquals(List.of("MINOR"), ok.packages().stream().map(ReleaseReport.PackageChange::delta).toList());
        assertTrue(ok.toString(), ok.packages().get(0).changes().contains("added method Shelf.trending()"));

        // a micro that adds a method, against 1.0.0 below it; a minor that removes one, and one adding an abstract method to
        // a @ConsumerType interface, against 1.1.0
        refusedWith(shelf("1.0.1"), "1.0.0", "1.1.0", "added method Shelves.empty()");
        refusedWith(shelf("1.2.0"), "1.1.0", "2.0.0", "removed method Shelf.count()");
        refusedWith(shelf("1.3.0"), "1.1.0", "2.0.0", "added method Listener.removed(java.lang.String)");

        // the dry run shows the whole report and changes nothing
        long before = deployer().history(1).get(0).sequence();
        DeployResult dry = deployer().deploy(shelf("1.2.0"), new DeployOptions("shelf", "itest", null, true, null));
        assertTrue(dry.summary(), dry.summary().startsWith("dry run: would fail to release"));
        assertTrue(dry.problems().toString(), dry.problems().get(0).contains("removed method Shelf.count()"));
        assertTrue(dry.report().mismatch());
        assertEquals(before, deployer().history(1).get(0).sequence());

        // released anyway when the operator says so, and history keeps the report
        DeployResult forced = deployer().deploy(shelf("1.2.0"), DeployOptions.to("shelf", "itest").withAllowIncompatible(true));
        assertTrue(forced.changed());
        assertTrue(forced.summary(), forced.summary().endsWith("released with --allow-incompatible"));
        HistoryEntry entry = deployer().history(1).get(0);
        assertEquals("1.2.0", entry.version());
        assertTrue(entry.detail(), entry.detail().startsWith("released with --allow-incompatible: ")
                && entry.detail().contains("removed method Shelf.count()"));
    }

    @Test
    public void aConsumerImplementingAProviderTypeStaysWhenAMinorAddsAMethodToIt() throws Exception {
        deploy(shelf("1.0.0"), "shelf-own");
        deploy(fixture("gate-shelver"), "shelf-own");
        assertEquals("1.0.0", in("shelf-own", "/fixtures/gate/shelf").get("moduleVersion").asText());
        DeployResult minor = deploy(shelf("1.1.0"), "shelf-own");
        assertTrue("a correct minor for the module", minor.changed() && !minor.report().mismatch());
        assertEquals(minor.toString(), List.of(), minor.moves());
        Stay stay = minor.stays().get(0);
        assertEquals(StayReason.INCOMPATIBLE, stay.why());
        assertEquals("incompatible: GateShelver.OwnShelf implements Shelf, whose Shelf.trending() it does not implement"
                + " (abstract in 1.1.0); stays on 1.0.0", stay.reason());
        assertEquals(1, in("shelf-own", "/fixtures/gate/shelf").get("count").asInt());
    }

    private void refusedWith(byte[] jar, String baseline, String needed, String change) throws Exception {
        DeployException e = refused(() -> deploy(jar, "shelf"));
        assertEquals(e.getMessage(), DeployException.INCOMPATIBLE_RELEASE, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("against " + baseline) && e.getMessage().contains("it needs at least " + needed)
                && e.getMessage().contains(change) && e.getMessage().contains("--allow-incompatible"));
        assertEquals(baseline, e.report().baseline());
        assertTrue(e.report().mismatch());
    }

    private static byte[] shelf(String version) throws java.io.IOException {
        return java.nio.file.Files.readAllBytes(java.nio.file.Path.of(System.getProperty("mosaic.root"), "itests", "shelf-modules",
                "shelf-" + version, "target", "shelf-" + version + ".jar"));
    }

    private static void assertFinderStaysAndListerMoves(DeployResult r) {
        assertEquals(r.toString(), List.of(LISTER), r.moves().stream().map(Move::consumer).toList());
        assertEquals(Map.of(CATALOG, "2.0.0"), r.moves().get(0).to());
        assertEquals(r.toString(), 1, r.stays().size());
        Stay stay = r.stays().get(0);
        assertEquals(FINDER, stay.consumer());
        assertEquals(StayReason.INCOMPATIBLE, stay.why());
        assertEquals("incompatible: uses Catalog.find(String), which 2.0.0 does not have; stays on 1.2.0", stay.reason());
    }

    private JsonNode in(String env, String path) throws Exception {
        return ok(path, "X-Mosaic-Env", env);
    }
}
