package dev.mosaic.deployer.internal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mosaic.deployer.internal.model.Event.MoveRecord;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.plan.Planner;

/** The registry's state as events add up, and copies that share units without sharing changes. */
class RegistryTest {

    private final Registry registry = new Registry();
    private final TestEvents events = new TestEvents();

    private Event event(String op, String name, String version, Kind kind, Map<String, String> bindings) {
        return events.event(op, "prod", name, version, kind, bindings);
    }

    private void release(String module, String version) {
        registry.apply(event("release", module, version, Kind.MODULE, Map.of()));
    }

    private void deploy(String adapter, String version, Map<String, String> bindings) {
        registry.apply(event("deploy", adapter, version, Kind.ADAPTER, bindings));
    }

    private Registry.Unit unit(Registry r, String name, String version) {
        return r.unit(new UnitKey("prod", name, version));
    }

    @Test
    void aCopyChangedDoesNotChangeTheOriginalNorTheOtherWayRound() {
        release("catalog", "1.0.0");
        release("catalog", "1.1.0");
        deploy("tv", "1.0.0", Map.of("catalog", "1.1.0"));
        Registry copy = registry.copy();

        copy.writable(new UnitKey("prod", "catalog", "1.1.0")).yanked = true;
        copy.applyMoves("prod", List.of(new MoveRecord("tv", "1.0.0", Map.of("catalog", "1.1.0"), Map.of("catalog", "1.0.0"), "yank")));
        copy.remove(new UnitKey("prod", "catalog", "1.0.0"));
        assertTrue(unit(copy, "catalog", "1.1.0").yanked);
        assertEquals(Map.of("catalog", "1.0.0"), unit(copy, "tv", "1.0.0").bindings);
        assertFalse(unit(registry, "catalog", "1.1.0").yanked);
        assertEquals(Map.of("catalog", "1.1.0"), unit(registry, "tv", "1.0.0").bindings);
        assertNotNull(unit(registry, "catalog", "1.0.0"));

        // the original changing after the copy was made leaves the copy alone too
        Event ttl = event("ttl", "tv", "1.0.0", Kind.ADAPTER, null);
        ttl.expiresAt = "2027-01-01T00:00:00Z";
        registry.apply(ttl);
        assertEquals("2027-01-01T00:00:00Z", unit(registry, "tv", "1.0.0").expiresAt);
        assertNull(unit(copy, "tv", "1.0.0").expiresAt);
    }

    @Test
    void aChangePlannedOnACopyStaysOutOfTheOriginalsIndexesAndTheOriginalsOutOfTheCopys() {
        release("catalog", "1.0.0");
        deploy("tv", "1.0.0", Map.of("catalog", "1.0.0"));
        Registry copy = registry.copy();

        // planned on the copy: a new module version, an adapter bound to it, the adapter's artifact
        Event planned = event("release", "catalog", "2.0.0", Kind.MODULE, Map.of());
        copy.apply(planned);
        Event mobile = event("deploy", "mobile", "1.0.0", Kind.ADAPTER, Map.of("catalog", "2.0.0"));
        copy.apply(mobile);
        copy.apply(event("undeploy", "tv", "1.0.0", Kind.ADAPTER, null));
        assertTrue(copy.isBound("prod", "catalog", "2.0.0"));
        assertFalse(copy.isBound("prod", "catalog", "1.0.0"));
        assertNotNull(copy.artifact("mobile", "1.0.0"));
        assertEquals(List.of("1.0.0", "2.0.0"), copy.modules("prod").stream().map(u -> u.key.version()).toList());

        assertFalse(registry.isBound("prod", "catalog", "2.0.0"));
        assertTrue(registry.isBound("prod", "catalog", "1.0.0"));
        assertNull(registry.artifact("mobile", "1.0.0"));
        assertNull(registry.adapter("prod", "mobile"));
        assertNotNull(registry.adapter("prod", "tv"));
        assertEquals(List.of("1.0.0"), registry.modules("prod").stream().map(u -> u.key.version()).toList());
        assertEquals(2, registry.units("prod").size());
        assertEquals(2, registry.size());
        assertEquals(copy.units(null).size(), copy.size());

        // and the original moving on afterwards does not show in the copy
        deploy("tv", "1.1.0", Map.of("catalog", "1.0.0"));
        registry.apply(event("release", "artwork", "1.0.0", Kind.MODULE, Map.of()));
        assertEquals(List.of("1.0.0"), registry.previousVersions("prod", "tv"));
        assertEquals(List.of(), copy.previousVersions("prod", "tv"));
        assertNull(copy.adapter("prod", "tv"));
        assertNull(copy.artifact("artwork", "1.0.0"));
        assertEquals(List.of("catalog", "catalog"), copy.modules("prod").stream().map(u -> u.key.name()).toList());
        assertEquals(java.util.Set.of("catalog@1.0.0", "catalog@2.0.0", "mobile@1.0.0", "tv@1.0.0"), copy.artifactKeys());
    }

    @Test
    void theModulesOfAnEnvironmentAreListedAsAllItsUnitsListThemWithoutTheAdapters() {
        release("catalog", "1.1.0");
        deploy("tv", "1.0.0", Map.of("catalog", "1.1.0"));
        release("artwork", "2.0.0");
        release("catalog", "1.0.0");
        Event elsewhere = event("release", "catalog", "9.0.0", Kind.MODULE, Map.of());
        elsewhere.env = "test";
        registry.apply(elsewhere);

        List<Registry.Unit> expected = registry.units("prod").stream().filter(u -> u.kind == Kind.MODULE).toList();
        assertEquals(3, expected.size());
        assertEquals(expected, registry.modules("prod"));
        assertEquals(List.of("9.0.0"), registry.modules("test").stream().map(u -> u.key.version()).toList());
        assertEquals(registry.units(null).stream().filter(u -> u.kind == Kind.MODULE).toList(), registry.modules(null));
        assertEquals(4, registry.modules(null).size());
        assertEquals(Map.of("com.example.artwork", "artwork", "com.example.catalog", "catalog"), Planner.owners(registry, "prod"));

        registry.apply(event("undeploy", "artwork", "2.0.0", Kind.MODULE, null));
        assertEquals(List.of("catalog", "catalog"), registry.modules("prod").stream().map(u -> u.key.name()).toList());
        assertTrue(registry.modules("staging").isEmpty());
    }

    @Test
    void whoIsBoundToAModuleVersionFollowsDeploysMovesAndUndeploys() {
        release("catalog", "1.0.0");
        release("catalog", "1.1.0");
        deploy("tv", "1.0.0", Map.of("catalog", "1.1.0"));
        deploy("mobile", "1.0.0", Map.of("catalog", "1.0.0"));
        assertTrue(registry.isBound("prod", "catalog", "1.1.0"));
        assertEquals(List.of("tv"), registry.consumersOf("prod", "catalog", "1.1.0").stream().map(u -> u.key.name()).toList());
        assertNull(unit(registry, "catalog", "1.1.0").unusedSince);

        Event adopt = event("adopt", "tv", "1.0.0", Kind.ADAPTER, null);
        adopt.moves = List.of(new MoveRecord("tv", "1.0.0", Map.of("catalog", "1.1.0"), Map.of("catalog", "1.0.0"), "adopt"));
        registry.apply(adopt);
        assertFalse(registry.isBound("prod", "catalog", "1.1.0"));
        assertEquals(adopt.time, unit(registry, "catalog", "1.1.0").unusedSince, "unused since the move");
        assertEquals(2, registry.consumersOf("prod", "catalog", "1.0.0").size());

        registry.apply(event("undeploy", "tv", "1.0.0", Kind.ADAPTER, null));
        registry.apply(event("undeploy", "mobile", "1.0.0", Kind.ADAPTER, null));
        assertFalse(registry.isBound("prod", "catalog", "1.0.0"));
        assertNotNull(unit(registry, "catalog", "1.0.0").unusedSince);
        assertTrue(registry.consumersOf("prod", "catalog", "1.0.0").isEmpty());
    }

    @Test
    void redeploysRememberWhatTheyReplacedAndRollbacksForgetIt() {
        deploy("tv", "1.0.0", Map.of());
        deploy("tv", "1.1.0", Map.of());
        deploy("tv", "1.2.0", Map.of());
        assertEquals(List.of("1.0.0", "1.1.0"), registry.previousVersions("prod", "tv"));
        Registry copy = registry.copy();
        registry.apply(event("rollback", "tv", "1.1.0", Kind.ADAPTER, Map.of()));
        assertEquals(List.of("1.0.0"), registry.previousVersions("prod", "tv"));
        assertEquals(List.of("1.0.0", "1.1.0"), copy.previousVersions("prod", "tv"));
        assertEquals(List.of("1.1.0"), registry.named("prod", "tv").stream().map(u -> u.key.version()).toList());
        assertEquals(java.util.Set.of("prod"), registry.environments());
    }
}
