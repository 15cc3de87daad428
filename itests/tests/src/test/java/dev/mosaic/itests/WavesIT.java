package dev.mosaic.itests;

import static dev.mosaic.itests.Fleets.assertDeployed;
import static dev.mosaic.itests.Fleets.await;
import static dev.mosaic.itests.Fleets.closeAll;
import static dev.mosaic.itests.Fleets.deploy;
import static dev.mosaic.itests.Fleets.instance;
import static dev.mosaic.itests.Fleets.instances;
import static dev.mosaic.itests.Fleets.newStore;
import static dev.mosaic.itests.Fleets.tvHome;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Rollouts in waves over a fleet's groups, on a throwaway PostgreSQL: an adapter version reaches the next group only
 * once the groups before passed their judgement, and a failing one never reaches it; a shared-module release moves
 * its consumers group by group, its abort puts their bindings back everywhere, and a release that breaks its
 * consumers is taken back by its judgement before the next group.
 */
public class WavesIT {

    private static final String FLAKY = "dev.mosaic.fixtures.flaky";

    @BeforeClass
    public static void startPostgres() throws Exception {
        Fleets.startPostgres();
    }

    @AfterClass
    public static void stopPostgres() throws Exception {
        Fleets.stopPostgres();
    }

    /** @return the history's operations after the given sequence, each with who did it (judge, or an operator) */
    private static List<String> stepsAfter(LaunchedRuntime rt, long after) throws Exception {
        List<String> steps = new ArrayList<>();
        LaunchedRuntime.JSON.readTree(rt.api("GET", "/history?limit=50", null).body()).forEach(h -> {
            if (h.get("sequence").asLong() > after) {
                steps.add(h.get("operation").asText() + (h.get("actor").asText().equals("judge") ? " by judge" : ""));
            }
        });
        return steps;
    }

    private static long lastSequence(LaunchedRuntime rt) throws Exception {
        long last = 0;
        for (JsonNode h : LaunchedRuntime.JSON.readTree(rt.api("GET", "/history?limit=1", null).body())) {
            last = Math.max(last, h.get("sequence").asLong());
        }
        return last;
    }

    @Test
    public void aRolloutInWavesReachesTheNextGroupOnlyAfterTheFirstPassedAndAFailingOneNeverReachesIt() throws Exception {
        String store = newStore();
        List<LaunchedRuntime> fleet = instances(store, "east", "west");
        LaunchedRuntime east = fleet.get(0);
        LaunchedRuntime west = fleet.get(1);
        try {
            assertDeployed(east.cli("deploy", LaunchedRuntime.fixture("flaky-1.0.0").toString()), 2);
            // refused: a group with no instance; a single runtime has no groups at all (RolloutIT); then accepted
            LaunchedRuntime.CliResult nowhere = east.cli("deploy", LaunchedRuntime.fixture("flaky-1.1.0").toString(), "--waves",
                    "east,north");
            assertEquals(1, nowhere.exit());
            assertTrue(nowhere.err(), nowhere.err().contains("group north has no live instance; the fleet's groups now: [east, west]"));
            // refused too while a live instance runs a runtime too old to apply a rollout in waves (an upgrade under
            // way: as an instance of the release before, it says nothing of what it applies), and the listing says so
            try (java.sql.Connection c = Fleets.connect(store); java.sql.Statement s = c.createStatement()) {
                s.execute("INSERT INTO mosaic_instances (id, grp, applied, health, heartbeat) VALUES ('west-old', 'west', 1,"
                        + " 'ok', now() + interval '1 hour')");
            }
            LaunchedRuntime.CliResult outdated = east.cli("deploy", LaunchedRuntime.fixture("flaky-1.1.0").toString(), "--waves",
                    "east,west");
            assertEquals(1, outdated.exit());
            assertTrue(outdated.err(), outdated.err().contains("outdated_instance") && outdated.err().contains("live instance(s)"
                    + " west-old (group west, a runtime from before instances said their version, applies revision format 1)"
                    + " cannot apply this change (canary in waves: revision format 2"));
            // its dry run says the same
            LaunchedRuntime.CliResult dryRun = east.cli("deploy", LaunchedRuntime.fixture("flaky-1.1.0").toString(), "--waves",
                    "east,west", "--dry-run");
            assertEquals(dryRun.out() + dryRun.err(), 1, dryRun.exit());
            assertTrue(dryRun.out() + dryRun.err(), (dryRun.out() + dryRun.err()).contains("would fail to")
                    && (dryRun.out() + dryRun.err()).contains("west-old (group west"));
            String listing = east.cli("fleet").out();
            assertTrue(listing, listing.contains("the live instances run 2 versions:") && listing.contains("(older), revision"
                    + " format 1 (west-old)") && listing.contains("RUNTIME"));
            assertEquals("nothing changed", List.of("1.0.0"), east.versions("prod", FLAKY));
            try (java.sql.Connection c = Fleets.connect(store); java.sql.Statement s = c.createStatement()) {
                s.execute("UPDATE mosaic_instances SET health = 'stopped' WHERE id = 'west-old'"); // it was stopped for good
            }
            try (DeviceLoad load = new DeviceLoad(fleet, "/fixtures/flaky", "adapterVersion")) {
                load.awaitAnswers(200);
                long before = lastSequence(east);
                LaunchedRuntime.CliResult healthy = east.cli("deploy", LaunchedRuntime.fixture("flaky-1.1.0").toString(),
                        "--waves", "east,west", "--bake", "2s", "--min-requests", "100");
                assertDeployed(healthy, 2);
                assertTrue(healthy.out(), healthy.out().contains("group east serves it now, the others 1.0.0"));
                // the first wave: east answers with the new version, west still with the one before
                await(() -> east.json("/fixtures/flaky").get("adapterVersion").asText(), v -> v.equals("1.1.0"));
                assertEquals("1.0.0", west.json("/fixtures/flaky").get("adapterVersion").asText());
                JsonNode status = LaunchedRuntime.JSON.readTree(west.api("GET", "/rollouts", null).body()).get(0);
                assertEquals(status.toString(), 1, status.get("wave").asInt());
                // then west, then promoted: the version before is gone everywhere
                await(() -> west.versions("prod", FLAKY), v -> v.equals(List.of("1.1.0")));
                await(() -> east.versions("prod", FLAKY), v -> v.equals(List.of("1.1.0")));
                assertEquals(List.of("canary", "rollout-wave by judge", "canary-promote by judge"), stepsAfter(west, before));
                load.awaitAnswers(200);
                assertEquals(load.failures.toString(), 0, load.failed.get());
                assertEquals(List.of("1.0.0", "1.1.0"), load.versions.get(0));
                assertEquals(List.of("1.0.0", "1.1.0"), load.versions.get(1));

                // a version answering 500s: east gets it, fails its judgement against west's 1.1.0, and goes back
                before = lastSequence(east);
                assertDeployed(east.cli("deploy", LaunchedRuntime.fixture("flaky-1.2.0").toString(), "--waves", "east,west",
                        "--bake", "1m"), 2);
                await(() -> west.versions("prod", FLAKY), v -> v.equals(List.of("1.1.0")));
                load.awaitAnswers(300);
                load.stop();
                assertEquals(List.of("canary", "canary-abort by judge"), stepsAfter(east, before));
                assertTrue("east served the bad version before its verdict", load.failedAt.get(0).get() > 0);
                assertEquals("west never got the bad version: " + load.failures, 0, load.failedAt.get(1).get());
                assertFalse(load.versions.get(1).contains("1.2.0"));
                for (String f : load.failures) {
                    assertTrue(f, f.startsWith("500 ") && f.contains("1.2.0"));
                }
                assertEquals("1.1.0", east.json("/fixtures/flaky").get("adapterVersion").asText());
            }
        } finally {
            closeAll(fleet);
        }
    }

    @Test
    public void aModuleReleaseInWavesMovesConsumersGroupByGroupAndItsAbortPutsTheirBindingsBack() throws Exception {
        String store = newStore();
        List<LaunchedRuntime> fleet = instances(store, "east", "west");
        LaunchedRuntime east = fleet.get(0);
        try {
            assertDeployed(deploy(east, "seed/catalog-1.1.0.jar"), 2);
            assertDeployed(deploy(east, "seed/tv-home-1.0.0.jar"), 2);
            try (DeviceLoad load = new DeviceLoad(fleet, "/tv/home")) {
                load.awaitAnswers(100);
                // the first wave: tv-home moves to catalog 1.2.0 on east's instances only
                LaunchedRuntime.CliResult first = deploy(east, "catalog-1.2.0.jar", "--waves", "east,west", "--bake", "10m");
                assertDeployed(first, 2);
                assertTrue(first.out(), first.out().contains("they move in group east now"));
                assertEquals("1.2.0", tvHome(east).get("moduleVersion").asText());
                assertEquals("1.1.0", tvHome(fleet.get(1)).get("moduleVersion").asText());
                // an instance of the group not reached, restarted, comes back with the bindings of before
                LaunchedRuntime west = fleet.get(1);
                west.kill();
                west = instance(store, "west", west.data);
                fleet.set(1, west);
                assertEquals("1.1.0", tvHome(west).get("moduleVersion").asText());
                JsonNode status = LaunchedRuntime.JSON.readTree(west.api("GET", "/rollouts", null).body()).get(0);
                assertEquals(status.toString(), "1.1.0", status.get("baseline").asText());
                assertEquals(status.toString(), "1.2.0", status.get("canary").asText());
                // aborted: east's consumers back on 1.1.0, and 1.2.0 gone everywhere
                LaunchedRuntime.CliResult dry = west.cli("rollout", "abort", "dev.mosaic.examples.catalog", "--dry-run");
                assertEquals(dry.out() + dry.err(), 0, dry.exit());
                assertTrue(dry.out(), dry.out().contains("1 consumer(s) back to their bindings before"));
                assertEquals("1.2.0", tvHome(east).get("moduleVersion").asText());
                assertDeployed(west.cli("rollout", "abort", "dev.mosaic.examples.catalog"), 2);
                assertEquals("1.1.0", tvHome(east).get("moduleVersion").asText());
                assertFalse(east.api("GET", "/deployments?env=prod", null).body().contains("\"1.2.0\""));
            }
            try (DeviceLoad load = new DeviceLoad(fleet, "/tv/home")) {
                load.awaitAnswers(100);
                long before = lastSequence(east);
                // healthy: east, judged against west's requests, then west, then promoted
                assertDeployed(deploy(east, "catalog-1.2.0.jar", "--waves", "east,west", "--bake", "2s", "--min-requests", "50"), 2);
                await(() -> tvHome(fleet.get(1)).get("moduleVersion").asText(), v -> v.equals("1.2.0"));
                await(() -> stepsAfter(east, before), s -> s.size() == 3);
                assertEquals(List.of("release", "rollout-wave by judge", "canary-promote by judge"), stepsAfter(east, before));
                assertEquals("1.2.0", tvHome(east).get("moduleVersion").asText());
                load.awaitAnswers(100);
                load.stop();
                assertEquals(load.failures.toString(), 0, load.failed.get());
                assertEquals(List.of("1.1.0", "1.2.0"), load.versions.get(1));
            }
        } finally {
            closeAll(fleet);
        }
    }

    @Test
    public void aModuleReleaseInWavesThatBreaksItsConsumersIsTakenBackByItsJudgementBeforeTheNextGroup() throws Exception {
        String store = newStore();
        List<LaunchedRuntime> fleet = instances(store, "east", "west");
        LaunchedRuntime east = fleet.get(0);
        try {
            assertDeployed(east.cli("deploy", LaunchedRuntime.fixture("flaky-lib-1.0.0").toString()), 2);
            assertDeployed(east.cli("deploy", LaunchedRuntime.fixture("flaky-lib-user").toString()), 2);
            try (DeviceLoad load = new DeviceLoad(fleet, "/fixtures/flaky-lib")) {
                load.awaitAnswers(200);
                long before = lastSequence(east);
                // 1.1.0 throws: east's consumer moves to it and fails, is judged against west's, and moves back
                assertDeployed(east.cli("deploy", LaunchedRuntime.fixture("flaky-lib-1.1.0").toString(), "--waves", "east,west",
                        "--bake", "1m"), 2);
                await(() -> stepsAfter(east, before), s -> s.size() == 2);
                assertEquals(List.of("release", "canary-abort by judge"), stepsAfter(east, before));
                // (the instance that acted may be west: east applies the abort a moment later)
                await(() -> {
                    java.net.http.HttpResponse<String> r = east.get("/fixtures/flaky-lib");
                    return r.statusCode() == 200 ? LaunchedRuntime.JSON.readTree(r.body()).get("moduleVersion").asText()
                            : Integer.toString(r.statusCode());
                }, v -> v.equals("1.0.0"));
                load.awaitAnswers(300);
                load.stop();
                assertTrue("east's consumer failed on the bad release before its verdict", load.failedAt.get(0).get() > 0);
                assertEquals("west's consumer never moved: " + load.failures, 0, load.failedAt.get(1).get());
                assertEquals(List.of("1.0.0"), load.versions.get(1));
                for (String f : load.failures) {
                    assertTrue(f, f.startsWith("500 "));
                }
                assertFalse(east.api("GET", "/deployments?env=prod", null).body().contains("\"1.1.0\""));
            }
        } finally {
            closeAll(fleet);
        }
    }
}
