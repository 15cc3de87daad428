package dev.mosaic.deployer.internal.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

import dev.mosaic.deployer.internal.model.Event.MoveRecord;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.Export;
import dev.mosaic.deployer.internal.model.Model.Import;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.MoveReason;

/** Binding and moving decisions, on registries built from journal events: no framework. */
class PlannerTest {

    private static final String CAT = "catalog";
    private static final String PKG = "com.example.catalog";

    private final Registry registry = new Registry();
    private long seq;

    private static Artifact module(String name, String version, String pkg, String pkgVersion, Import... imports) {
        return new Artifact(name, version, Kind.MODULE, "sha-" + name + version, 1, false,
                List.of(new Export(pkg, Version.parseVersion(pkgVersion))), List.of(imports), Map.of());
    }

    private static Artifact adapter(String name, boolean manual, Import... imports) {
        return new Artifact(name, "1.0.0", Kind.ADAPTER, "sha-" + name, 1, manual, List.of(), List.of(imports), Map.of());
    }

    private static Import imports(String pkg, String range) {
        return new Import(pkg, new VersionRange(range), false);
    }

    /** Deploys as the deployer would: bind, then (for a module) move consumers, then record. */
    private List<MoveRecord> deploy(Artifact a) throws Planner.Unresolvable {
        Registry target = registry.copy();
        target.putArtifact(a);
        Map<String, String> bindings = Planner.bind(target, "prod", a, Map.of(), false, null);
        UnitKey key = new UnitKey("prod", a.name(), a.version());
        target.put(new Registry.Unit(key, a.kind(), a.sha256(), "now", "test", bindings));
        List<MoveRecord> moves = a.kind() == Kind.MODULE
                ? Planner.rebind(target, "prod", Set.of(a.name()), Set.of(), MoveReason.UPTAKE, key)
                : List.of();
        Event e = new Event();
        e.seq = ++seq;
        e.op = a.kind() == Kind.MODULE ? "release" : "deploy";
        e.env = "prod";
        e.name = a.name();
        e.version = a.version();
        e.artifact = a;
        e.bindings = bindings;
        e.moves = moves.isEmpty() ? null : moves;
        registry.apply(e);
        return moves;
    }

    private Map<String, String> bindings(String name) {
        return registry.named("prod", name).get(0).bindings;
    }

    private void threeCatalogVersions() throws Exception {
        deploy(module(CAT, "1.0.0", PKG, "1.0.0"));
        deploy(module(CAT, "1.1.0", PKG, "1.1.0"));
        deploy(module(CAT, "2.0.0", PKG, "2.0.0"));
    }

    @Test
    void rangeConsumersGetTheNewestVersionInRangeAndPinsTheirPin() throws Exception {
        threeCatalogVersions();
        deploy(adapter("tv", false, imports(PKG, "[1.0,2)")));
        deploy(adapter("mobile", false, imports(PKG, "[1.0.0,1.0.0]")));
        deploy(adapter("glasses", false, imports(PKG, "[2.0,3)")));
        assertEquals(Map.of(CAT, "1.1.0"), bindings("tv"));
        assertEquals(Map.of(CAT, "1.0.0"), bindings("mobile"));
        assertEquals(Map.of(CAT, "2.0.0"), bindings("glasses"));
    }

    @Test
    void aReleaseMovesAutomaticRangeConsumersOnly() throws Exception {
        threeCatalogVersions();
        deploy(adapter("tv", false, imports(PKG, "[1.0,2)")));
        deploy(adapter("mobile", false, imports(PKG, "[1.0.0,1.0.0]")));
        deploy(adapter("glasses", false, imports(PKG, "[2.0,3)")));
        deploy(adapter("manual", true, imports(PKG, "[1.0,2)")));
        List<MoveRecord> moves = deploy(module(CAT, "1.2.0", PKG, "1.2.0"));
        assertEquals(List.of(new MoveRecord("tv", "1.0.0", Map.of(CAT, "1.1.0"), Map.of(CAT, "1.2.0"), "uptake")), moves);
        assertEquals(Map.of(CAT, "1.2.0"), bindings("tv"));
        assertEquals(Map.of(CAT, "1.1.0"), bindings("manual"));
    }

    @Test
    void adoptMovesAManualConsumerToTheNewestInRange() throws Exception {
        threeCatalogVersions();
        deploy(adapter("manual", true, imports(PKG, "[1.0,2)")));
        deploy(module(CAT, "1.2.0", PKG, "1.2.0"));
        Registry target = registry.copy();
        UnitKey manual = new UnitKey("prod", "manual", "1.0.0");
        List<MoveRecord> moves = Planner.rebind(target, "prod", Set.of(), Set.of(manual), MoveReason.ADOPT, null);
        assertEquals(1, moves.size());
        assertEquals(Map.of(CAT, "1.2.0"), moves.get(0).to());
        assertEquals("adopt", moves.get(0).reason());
    }

    @Test
    void yankMovesConsumersToTheBestRemainingVersionAndManualOnesToo() throws Exception {
        threeCatalogVersions();
        deploy(adapter("tv", false, imports(PKG, "[1.0,2)")));
        deploy(adapter("manual", true, imports(PKG, "[1.1,2)")));
        deploy(module(CAT, "1.2.0", PKG, "1.2.0"));
        Registry target = registry.copy();
        target.unit(new UnitKey("prod", CAT, "1.1.0")).yanked = true;
        List<MoveRecord> moves = Planner.rebind(target, "prod", Set.of(CAT), Set.of(), MoveReason.YANK, null);
        assertEquals(List.of(new MoveRecord("manual", "1.0.0", Map.of(CAT, "1.1.0"), Map.of(CAT, "1.2.0"), "yank")), moves);
    }

    @Test
    void aVersionThatFitsInAnotherEnvironmentIsNamedWithHowToGetIt() throws Exception {
        deploy(module(CAT, "1.0.0", PKG, "1.0.0"));
        Event test = event("release", "test", CAT, "2.0.0");
        test.artifact = module(CAT, "2.0.0", PKG, "2.0.0");
        test.bindings = Map.of();
        registry.apply(test);
        Planner.Unresolvable u = assertThrows(Planner.Unresolvable.class,
                () -> deploy(adapter("next", false, imports(PKG, "[2.0.0,3.0.0)"))));
        assertTrue(u.getMessage().endsWith("fits: 1.0.0 is out of range (it exports " + PKG + " 1.0.0). Versions that would"
                + " fit are deployed elsewhere: 2.0.0 in test (promote one to prod)"), u.getMessage());
    }

    @Test
    void removingTheLastVersionOfAModuleAConsumerRequiresIsUnresolvableNamingIt() throws Exception {
        deploy(module(CAT, "1.0.0", PKG, "1.0.0"));
        deploy(adapter("tv", false, imports(PKG, "[1.0.0,2.0.0)")));
        deploy(adapter("optional", false, new Import(PKG, new VersionRange("[1.0.0,2.0.0)"), true)));
        Registry target = registry.copy();
        target.remove(new UnitKey("prod", CAT, "1.0.0"));
        Planner.Unresolvable u = assertThrows(Planner.Unresolvable.class,
                () -> Planner.rebind(target, "prod", Set.of(CAT), Set.of(), MoveReason.UNDEPLOY, null));
        assertEquals("tv", u.consumer);
        assertEquals("tv 1.0.0 imports " + PKG + " [1.0.0,2.0.0) from module catalog, and no version of it would be left"
                + " in environment prod", u.getMessage());

        // a consumer that imports it only optionally is left without it
        registry.apply(undeploy("tv"));
        Registry without = registry.copy();
        without.remove(new UnitKey("prod", CAT, "1.0.0"));
        List<MoveRecord> moves = Planner.rebind(without, "prod", Set.of(CAT), Set.of(), MoveReason.UNDEPLOY, null);
        assertEquals(List.of(new MoveRecord("optional", "1.0.0", Map.of(CAT, "1.0.0"), Map.of(), "undeploy")), moves);
    }

    private Event undeploy(String adapter) {
        return event("undeploy", "prod", adapter, "1.0.0");
    }

    private Event event(String op, String env, String name, String version) {
        Event e = new Event();
        e.seq = ++seq;
        e.op = op;
        e.env = env;
        e.name = name;
        e.version = version;
        return e;
    }

    @Test
    void yankLeavingAConsumerWithNothingInRangeIsUnresolvableNamingIt() throws Exception {
        threeCatalogVersions();
        deploy(adapter("mobile", false, imports(PKG, "[1.0.0,1.0.0]")));
        Registry target = registry.copy();
        target.unit(new UnitKey("prod", CAT, "1.0.0")).yanked = true;
        Planner.Unresolvable u = assertThrows(Planner.Unresolvable.class,
                () -> Planner.rebind(target, "prod", Set.of(CAT), Set.of(), MoveReason.YANK, null));
        assertEquals("mobile", u.consumer);
        assertTrue(u.getMessage().endsWith("fits: 2.0.0 is out of range (it exports " + PKG + " 2.0.0); 1.1.0 is out of range"
                + " (it exports " + PKG + " 1.1.0); 1.0.0 is yanked"), "each version and why it does not fit: " + u.getMessage());
        assertTrue(u.getMessage().contains("[1.0.0,1.0.0]"), u.getMessage());
    }

    @Test
    void nothingInRangeNamesTheImportAndTheVersionsThereAre() throws Exception {
        threeCatalogVersions();
        Planner.Unresolvable u = assertThrows(Planner.Unresolvable.class,
                () -> deploy(adapter("future", false, imports(PKG, "[3.0,4)"))));
        assertTrue(u.getMessage().contains(PKG + " [3.0.0,4.0.0)"), u.getMessage());
        assertTrue(u.getMessage().contains("1.1.0 is out of range (it exports " + PKG + " 1.1.0); 1.0.0 is out of range"),
                u.getMessage());
    }

    @Test
    void importsOfOneModuleAreServedByOneVersionThatSatisfiesAllOfThem() throws Exception {
        Artifact v1 = new Artifact("media", "1.0.0", Kind.MODULE, "s1", 1, false,
                List.of(new Export("a", Version.parseVersion("1.0")), new Export("b", Version.parseVersion("1.0"))), List.of(), Map.of());
        Artifact v2 = new Artifact("media", "2.0.0", Kind.MODULE, "s2", 1, false,
                List.of(new Export("a", Version.parseVersion("1.5")), new Export("b", Version.parseVersion("2.0"))), List.of(), Map.of());
        deploy(v1);
        deploy(v2);
        deploy(adapter("x", false, imports("a", "[1.0,2)"), imports("b", "[1.0,2)")));
        assertEquals(Map.of("media", "1.0.0"), bindings("x"), "2.0.0 satisfies a but not b");
    }

    @Test
    void aChainMovesTogether() throws Exception {
        threeCatalogVersions();
        deploy(module("middle", "1.0.0", "com.example.middle", "1.0.0", imports(PKG, "[1.0,2)")));
        deploy(adapter("top", false, imports("com.example.middle", "[1.0,2)")));
        deploy(adapter("pinnedTop", true, imports("com.example.middle", "[1.0,2)")));
        List<MoveRecord> moves = deploy(module(CAT, "1.2.0", PKG, "1.2.0"));
        List<String> reasons = new ArrayList<>();
        for (MoveRecord m : moves) {
            reasons.add(m.name() + ":" + m.reason());
        }
        assertEquals(List.of("middle:uptake", "pinnedTop:transitive", "top:transitive"), reasons.stream().sorted().toList());
        assertEquals(Map.of(CAT, "1.2.0"), bindings("middle"));
        assertEquals(Map.of("middle", "1.0.0"), bindings("top"), "a transitive move keeps the consumer's own bindings");
    }

    @Test
    void optionalImportsWithoutAProviderAreLeftUnbound() throws Exception {
        threeCatalogVersions();
        deploy(adapter("x", false, new Import(PKG, new VersionRange("[3.0,4)"), true)));
        assertEquals(Map.of(), bindings("x"));
    }
}
