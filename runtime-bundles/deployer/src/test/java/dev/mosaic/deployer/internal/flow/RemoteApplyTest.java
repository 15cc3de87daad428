package dev.mosaic.deployer.internal.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model.Rollout;
import dev.mosaic.deployer.internal.model.Event.MoveRecord;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.TestEvents;

/**
 * What an instance does with a revision another instance committed: the plan that takes its
 * registry to the one the revision leads to — the same new generations and retirements the
 * committing instance's own plan had.
 */
class RemoteApplyTest {

    private final Registry registry = new Registry();
    /** The group of the instance applying the changes (a release in waves binds by it); null: outside a fleet. */
    private String group;
    private final TestEvents events = new TestEvents();

    private Event event(String op, String env, String name, String version, Kind kind, Map<String, String> bindings) {
        return events.event(op, env, name, version, kind, bindings);
    }

    /** @return the plan for the event in prod, the registry then taking it in as the instance would */
    private Plan planned(Event e) {
        Registry target = registry.copy();
        target.apply(e);
        Plan p = RemoteApply.plan(e, "prod", registry, target, group);
        registry.apply(e);
        return p;
    }

    private static UnitKey key(String name, String version) {
        return new UnitKey("prod", name, version);
    }

    @Test
    void aNewAdapterIsInstalledAndAReplacedOneRetired() {
        planned(event("release", "prod", "catalog", "1.0.0", Kind.MODULE, Map.of()));
        Plan first = planned(event("deploy", "prod", "tv", "1.0.0", Kind.ADAPTER, Map.of("catalog", "1.0.0")));
        assertEquals(Map.of(key("tv", "1.0.0"), Map.of("catalog", "1.0.0")), first.install());
        assertEquals(Set.of(), first.retire());

        Event replace = event("deploy", "prod", "tv", "1.1.0", Kind.ADAPTER, Map.of("catalog", "1.0.0"));
        replace.replaced = "1.0.0";
        Plan second = planned(replace);
        assertEquals(Set.of(key("tv", "1.1.0")), second.install().keySet());
        assertEquals(Set.of(key("tv", "1.0.0")), second.retire());
        assertEquals(replace, second.event());
    }

    @Test
    void aReleaseMovesTheConsumersWhoseBindingsChangedAndEverythingBoundToThemModulesFirst() {
        planned(event("release", "prod", "base", "1.0.0", Kind.MODULE, Map.of()));
        planned(event("release", "prod", "mid", "1.0.0", Kind.MODULE, Map.of("base", "1.0.0")));
        planned(event("deploy", "prod", "tv", "1.0.0", Kind.ADAPTER, Map.of("mid", "1.0.0")));
        planned(event("deploy", "prod", "other", "1.0.0", Kind.ADAPTER, Map.of()));

        Event release = event("release", "prod", "base", "1.1.0", Kind.MODULE, Map.of());
        release.moves = List.of(new MoveRecord("mid", "1.0.0", Map.of("base", "1.0.0"), Map.of("base", "1.1.0"), "uptake"));
        Plan p = planned(release);
        // the new version, the consumer that moved (new bindings), the adapter bound to it (a chain moves together);
        // the adapter that uses none of them is left alone
        assertEquals(List.of(key("base", "1.1.0"), key("mid", "1.0.0"), key("tv", "1.0.0")), new ArrayList<>(p.install().keySet()));
        assertEquals(Map.of("base", "1.1.0"), p.install().get(key("mid", "1.0.0")));
        assertEquals(Set.of(key("mid", "1.0.0"), key("tv", "1.0.0")), p.retire());
    }

    @Test
    void aChangeThatMovesNoUnitAndAnotherEnvironmentNeedNoPlan() {
        planned(event("release", "prod", "catalog", "1.0.0", Kind.MODULE, Map.of()));
        planned(event("deploy", "prod", "tv", "1.0.0", Kind.ADAPTER, Map.of("catalog", "1.0.0")));
        Event ttl = event("ttl", "prod", "tv", "1.0.0", Kind.ADAPTER, null);
        ttl.artifact = null;
        ttl.expiresAt = "2027-01-01T00:00:00Z";
        assertNull(planned(ttl));

        Event elsewhere = event("release", "test", "catalog", "1.0.0", Kind.MODULE, Map.of());
        Registry target = registry.copy();
        target.apply(elsewhere);
        assertNull(RemoteApply.plan(elsewhere, "prod", registry, target, null));
        assertEquals(Set.of(new UnitKey("test", "catalog", "1.0.0")),
                RemoteApply.plan(elsewhere, "test", registry, target, null).install().keySet());
    }

    @Test
    void aCanaryJoinsItsSharesChangeAndItsPromotionGivesItANewGenerationInPlaceOfTheVersionBefore() {
        planned(event("release", "prod", "catalog", "1.0.0", Kind.MODULE, Map.of()));
        planned(event("deploy", "prod", "tv", "1.0.0", Kind.ADAPTER, Map.of("catalog", "1.0.0")));
        Event canary = event("canary", "prod", "tv", "1.1.0", Kind.ADAPTER, Map.of("catalog", "1.0.0"));
        canary.weights = Map.of("1.0.0", 90, "1.1.0", 10);
        canary.sticky = "header:X-User";
        Plan joined = planned(canary);
        assertEquals(Set.of(key("tv", "1.1.0")), joined.install().keySet());
        assertEquals(Set.of(), joined.retire(), "the serving version stays");
        assertEquals(Integer.valueOf(10), registry.unit(key("tv", "1.1.0")).weight);
        assertEquals("header:X-User", registry.adapter("prod", "tv").sticky);
        assertEquals("1.0.0", registry.adapter("prod", "tv").key.version(), "the serving version is the adapter's");

        Event split = event("split", "prod", "tv", "1.0.0", Kind.ADAPTER, null);
        split.artifact = null;
        split.weights = Map.of("1.0.0", 50, "1.1.0", 50);
        Plan reshared = planned(split);
        assertEquals(Map.of(), reshared.install(), "new shares alone: nothing to install, yet a plan (the gateway is told)");
        assertEquals(Set.of(), reshared.retire());

        Event promote = event("canary-promote", "prod", "tv", "1.1.0", Kind.ADAPTER, null);
        promote.artifact = null;
        Plan promoted = planned(promote);
        assertEquals(Set.of(key("tv", "1.1.0")), promoted.install().keySet(), "a new generation takes the table's routes");
        assertEquals(Set.of(key("tv", "1.0.0"), key("tv", "1.1.0")), promoted.retire());
        assertEquals("1.1.0", registry.adapter("prod", "tv").key.version());
        assertNull(registry.adapter("prod", "tv").weight);
        assertEquals(List.of("1.0.0"), registry.previousVersions("prod", "tv"), "what rollback goes back to");
    }

    @Test
    void aRolloutInWavesServesItsNewVersionOnlyInTheGroupsItHasReachedAndItsNextWaveResharesEverywhere() {
        planned(event("release", "prod", "catalog", "1.0.0", Kind.MODULE, Map.of()));
        planned(event("deploy", "prod", "tv", "1.0.0", Kind.ADAPTER, Map.of("catalog", "1.0.0")));
        Event start = event("canary", "prod", "tv", "1.1.0", Kind.ADAPTER, Map.of("catalog", "1.0.0"));
        start.weights = Map.of("1.0.0", 100, "1.1.0", 0);
        start.groups = Set.of("east");
        start.rollout = new Rollout(Rollout.JUDGING, "2026-12-03T00:00:00Z", 1000, 2000, 200, true, null,
                List.of("east", "west"), 0, "2026-12-03T00:00:00Z");
        planned(start);
        List<Registry.Unit> versions = registry.versions("prod", "tv");
        Registry.Unit old = registry.adapter("prod", "tv");
        Registry.Unit wave = registry.unit(key("tv", "1.1.0"));
        assertEquals(100, ChangeProtocol.share(wave, versions, "east"), "the first wave's group: every request");
        assertEquals(0, ChangeProtocol.share(old, versions, "east"));
        assertEquals(0, ChangeProtocol.share(wave, versions, "west"), "the next group: none yet");
        assertEquals(100, ChangeProtocol.share(old, versions, "west"));
        assertEquals(0, ChangeProtocol.share(wave, versions, null), "outside a fleet: the recorded shares");

        Event next = event("rollout-wave", "prod", "tv", "1.1.0", Kind.ADAPTER, null);
        next.artifact = null;
        next.groups = Set.of("east", "west");
        next.rollout = start.rollout.nextWave("2026-12-03T00:00:05Z");
        Plan reshared = planned(next);
        assertEquals(Map.of(), reshared.install(), "the next group's turn installs nothing, yet is a plan (the gateway is told)");
        versions = registry.versions("prod", "tv");
        assertEquals(100, ChangeProtocol.share(registry.unit(key("tv", "1.1.0")), versions, "west"));
        assertEquals(1, registry.unit(key("tv", "1.1.0")).rollout.wave());
    }

    @Test
    void aReleaseInWavesMovesItsConsumersOnlyInTheGroupsItReachedAndItsAbortPutsThemBack() {
        planned(event("release", "prod", "catalog", "1.0.0", Kind.MODULE, Map.of()));
        planned(event("deploy", "prod", "tv", "1.0.0", Kind.ADAPTER, Map.of("catalog", "1.0.0")));
        Event release = event("release", "prod", "catalog", "1.1.0", Kind.MODULE, Map.of());
        release.moves = List.of(new MoveRecord("tv", "1.0.0", Map.of("catalog", "1.0.0"), Map.of("catalog", "1.1.0"), "uptake"));
        release.groups = Set.of("east");
        release.rollout = new Rollout(Rollout.JUDGING, "2026-12-03T00:00:00Z", 1000, 2000, 200, true, null,
                List.of("east", "west"), 0, "2026-12-03T00:00:00Z");
        Registry before = registry.copy();
        group = "west";
        Plan west = planned(release);
        assertEquals(Set.of(key("catalog", "1.1.0")), west.install().keySet(), "west: the version is there, nobody moves");
        assertEquals(Set.of(), west.retire());
        Registry after = registry;
        assertEquals(Map.of("catalog", "1.0.0"), after.bindingsIn(after.unit(key("tv", "1.0.0")), "west"));
        assertEquals(Map.of("catalog", "1.1.0"), after.bindingsIn(after.unit(key("tv", "1.0.0")), "east"));
        assertEquals(Map.of("catalog", "1.1.0"), after.unit(key("tv", "1.0.0")).bindings, "what the release says");
        Registry eastTarget = before.copy();
        eastTarget.apply(release);
        Plan east = RemoteApply.plan(release, "prod", before, eastTarget, "east");
        assertEquals(Map.of("catalog", "1.1.0"), east.install().get(key("tv", "1.0.0")), "east: the consumer moves");

        // the next wave reaches west: its consumer moves now
        Event wave = event("rollout-wave", "prod", "catalog", "1.1.0", Kind.MODULE, null);
        wave.artifact = null;
        wave.groups = Set.of("east", "west");
        wave.rollout = release.rollout.nextWave("2026-12-03T00:00:05Z");
        Plan reached = planned(wave);
        assertEquals(Map.of("catalog", "1.1.0"), reached.install().get(key("tv", "1.0.0")));
        assertEquals(Set.of(key("tv", "1.0.0")), reached.retire());

        // aborted: back to the bindings before everywhere, the version gone
        Event abort = event("canary-abort", "prod", "catalog", "1.1.0", Kind.MODULE, null);
        abort.artifact = null;
        abort.moves = List.of(new MoveRecord("tv", "1.0.0", Map.of("catalog", "1.1.0"), Map.of("catalog", "1.0.0"), "undeploy"));
        Plan back = planned(abort);
        assertEquals(Map.of("catalog", "1.0.0"), back.install().get(key("tv", "1.0.0")));
        assertTrue(back.retire().contains(key("catalog", "1.1.0")));
        assertNull(registry.unit(key("catalog", "1.1.0")));
        assertNull(registry.unit(key("tv", "1.0.0")).staged);
    }

    @Test
    void anAbortedCanaryIsRetiredAndTheServingVersionSharesNoMore() {
        planned(event("release", "prod", "catalog", "1.0.0", Kind.MODULE, Map.of()));
        planned(event("deploy", "prod", "tv", "1.0.0", Kind.ADAPTER, Map.of("catalog", "1.0.0")));
        Event canary = event("canary", "prod", "tv", "1.1.0", Kind.ADAPTER, Map.of("catalog", "1.0.0"));
        canary.weights = Map.of("1.0.0", 80, "1.1.0", 20);
        planned(canary);
        Event abort = event("canary-abort", "prod", "tv", "1.0.0", Kind.ADAPTER, null);
        abort.artifact = null;
        Plan p = planned(abort);
        assertEquals(Map.of(), p.install());
        assertEquals(Set.of(key("tv", "1.1.0")), p.retire());
        assertNull(registry.unit(key("tv", "1.1.0")));
        assertNull(registry.adapter("prod", "tv").weight);
    }

    @Test
    void anUndeployRetiresWhatWentAndInstallsNothing() {
        planned(event("release", "prod", "catalog", "1.0.0", Kind.MODULE, Map.of()));
        planned(event("deploy", "prod", "tv", "1.0.0", Kind.ADAPTER, Map.of("catalog", "1.0.0")));
        Event undeploy = event("undeploy", "prod", "tv", "1.0.0", Kind.ADAPTER, null);
        undeploy.artifact = null;
        Plan p = planned(undeploy);
        assertEquals(Map.of(), p.install());
        assertEquals(Set.of(key("tv", "1.0.0")), p.retire());
    }
}
