package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A canary judged against the version serving next to it, in a runtime started as {@code bin/mosaic run}
 * does: a new version answering 500s taken away by its judgement, under load, with no request outside its
 * share failing; a healthy one promoted by itself after its bake; with too few requests, the judgement
 * waits, then halts at its deadline; pause keeps a failing canary in place, resume judges it again.
 */
public class RolloutIT {

    private static final String FLAKY = "dev.mosaic.fixtures.flaky";

    private static String fixture(String classifier) throws Exception {
        return LaunchedRuntime.fixture(classifier).toString();
    }

    private static void ok(LaunchedRuntime.CliResult r) {
        assertEquals(r.out() + r.err(), 0, r.exit());
    }

    private static JsonNode rollout(LaunchedRuntime rt) throws Exception {
        JsonNode all = LaunchedRuntime.JSON.readTree(rt.api("GET", "/rollouts?env=prod&name=" + FLAKY, null).body());
        return all.size() == 0 ? null : all.get(0);
    }

    private static JsonNode lastHistory(LaunchedRuntime rt, String operation) throws Exception {
        JsonNode history = LaunchedRuntime.JSON.readTree(rt.api("GET", "/history?limit=50", null).body());
        JsonNode found = null;
        for (JsonNode h : history) {
            if (h.get("operation").asText().equals(operation)) {
                found = h;
            }
        }
        return found;
    }

    @Test
    public void aCanaryAnsweringFiveHundredsIsRolledBackByItsJudgementAndNoOtherRequestFails() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            ok(rt.cli("deploy", fixture("flaky-1.0.0")));
            try (DeviceLoad load = new DeviceLoad(List.of(rt, rt), "/fixtures/flaky", "adapterVersion")) {
                load.awaitAnswers(200);
                long start = System.nanoTime();
                LaunchedRuntime.CliResult canary = rt.cli("deploy", fixture("flaky-1.2.0"), "--canary", "20%", "--bake", "10m");
                ok(canary);
                assertTrue(canary.out(), canary.out().contains("judged against 1.0.0"));
                Fleets.await(() -> rt.versions("prod", FLAKY), v -> v.equals(List.of("1.0.0")));
                long millis = (System.nanoTime() - start) / 1_000_000;
                load.awaitAnswers(300);
                load.stop();
                // only the canary's requests failed, and it did answer some before it went
                assertTrue("the canary answered no request before its verdict", load.failed.get() > 0);
                for (String f : load.failures) {
                    assertTrue("a request outside the canary's share failed: " + f, f.startsWith("500 ") && f.contains("1.2.0"));
                }
                assertTrue(load.counts.toString(), load.counts.getOrDefault("1.0.0", 0L) >= 500);
                JsonNode abort = lastHistory(rt, "canary-abort");
                assertEquals(abort.toString(), "judge", abort.get("actor").asText());
                assertTrue(abort.toString(), abort.get("detail").asText().startsWith("5xx: canary 100.00% vs baseline 0.00%"));
                assertTrue("rolled back in " + millis + " ms", millis < 60_000);
                // the status has nothing left to judge; history says what happened
                assertEquals(null, rollout(rt));
                LaunchedRuntime.CliResult history = rt.cli("history", "-n", "5");
                assertTrue(history.out(), history.out().contains("judge") && history.out().contains("canary-abort"));
            }
        }
    }

    @Test
    public void aHealthyCanaryIsPromotedByItselfAfterItsBake() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            ok(rt.cli("deploy", fixture("flaky-1.0.0")));
            // refused: settings that cannot be judged; then the same deploy with settings that can
            LaunchedRuntime.CliResult tooShort = rt.cli("deploy", fixture("flaky-1.1.0"), "--canary", "50%", "--bake", "1m",
                    "--deadline", "30s");
            assertEquals(1, tooShort.exit());
            assertTrue(tooShort.err(), tooShort.err().contains("deadline is from its bake"));
            LaunchedRuntime.CliResult alone = rt.cli("deploy", fixture("flaky-1.1.0"), "--bake", "2s");
            assertEquals(2, alone.exit());
            assertTrue(alone.err(), alone.err().contains("go with --canary PCT"));
            LaunchedRuntime.CliResult waves = rt.cli("deploy", fixture("flaky-1.1.0"), "--waves", "east,west");
            assertEquals(1, waves.exit());
            assertTrue(waves.err(), waves.err().contains("not part of a fleet"));
            assertEquals(List.of("1.0.0"), rt.versions("prod", FLAKY));
            try (DeviceLoad load = new DeviceLoad(List.of(rt, rt), "/fixtures/flaky", "adapterVersion")) {
                load.awaitAnswers(100);
                ok(rt.cli("deploy", fixture("flaky-1.1.0"), "--canary", "50%", "--bake", "3s", "--promote"));
                JsonNode judging = rollout(rt);
                assertEquals(judging.toString(), "1.0.0", judging.get("baseline").asText());
                assertEquals(judging.toString(), "1.1.0", judging.get("canary").asText());
                assertEquals(judging.toString(), "judging", judging.get("state").asText());
                Fleets.await(() -> rt.versions("prod", FLAKY), v -> v.equals(List.of("1.1.0")));
                load.awaitAnswers(200);
                load.stop();
                assertEquals(load.failures.toString(), 0, load.failed.get());
                JsonNode promote = lastHistory(rt, "canary-promote");
                assertEquals(promote.toString(), "judge", promote.get("actor").asText());
                assertTrue(promote.toString(), promote.get("detail").asText().startsWith("pass: 5xx: canary 0.00%"));
            }
        }
    }

    @Test
    public void notEnoughRequestsWaitsThenHaltsAndPauseHoldsTheVerdictUntilResumed() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            ok(rt.cli("deploy", fixture("flaky-1.0.0")));
            // no traffic: the failing canary cannot be told from its baseline
            ok(rt.cli("deploy", fixture("flaky-1.2.0"), "--canary", "10%", "--bake", "1s", "--deadline", "3s"));
            JsonNode waiting = Fleets.await(() -> rollout(rt), r -> r != null && r.hasNonNull("verdict"));
            assertEquals(waiting.toString(), "not-enough-data", waiting.get("verdict").get("outcome").asText());
            assertEquals(waiting.toString(), "judging", waiting.get("state").asText());
            JsonNode halted = Fleets.await(() -> rollout(rt), r -> r.get("state").asText().equals("halted"));
            assertTrue(halted.toString(), halted.get("reason").asText().startsWith("not enough requests by the deadline"));
            assertEquals("1.0.0 serves on, with the canary at its share", List.of("1.0.0", "1.2.0"), rt.versions("prod", FLAKY));
            assertEquals("judge", lastHistory(rt, "rollout-halt").get("actor").asText());
            LaunchedRuntime.CliResult status = rt.cli("rollout", "status");
            ok(status);
            assertTrue(status.out(), status.out().contains("halted") && status.out().contains("each needs 200"));

            // pausing what is halted is refused; a dry run of resume changes nothing; resume then pause does
            LaunchedRuntime.CliResult pauseHalted = rt.cli("rollout", "pause", FLAKY);
            assertEquals(1, pauseHalted.exit());
            assertTrue(pauseHalted.err(), pauseHalted.err().contains("is halted already"));
            LaunchedRuntime.CliResult dry = rt.cli("rollout", "resume", FLAKY, "--dry-run");
            ok(dry);
            assertTrue(dry.out(), dry.out().contains("would resume"));
            assertEquals("halted", rollout(rt).get("state").asText());
            ok(rt.cli("rollout", "resume", FLAKY));
            ok(rt.cli("rollout", "pause", FLAKY));
            assertEquals("paused", rollout(rt).get("state").asText());

            try (DeviceLoad load = new DeviceLoad(List.of(rt, rt), "/fixtures/flaky", "adapterVersion")) {
                // paused: a canary failing plenty of requests stays
                load.awaitAnswers(2000);
                assertTrue(load.failed.get() > 100);
                assertEquals(List.of("1.0.0", "1.2.0"), rt.versions("prod", FLAKY));
                assertEquals("paused", rollout(rt).get("state").asText());
                // resumed: judged on the requests from now, and taken away
                ok(rt.cli("rollout", "resume", FLAKY));
                Fleets.await(() -> rt.versions("prod", FLAKY), v -> v.equals(List.of("1.0.0")));
            }
            List<String> steps = new java.util.ArrayList<>();
            LaunchedRuntime.JSON.readTree(rt.api("GET", "/history?limit=8", null).body())
                    .forEach(h -> steps.add(h.get("operation").asText() + " by "
                            + (h.get("actor").asText().equals("judge") ? "judge" : "operator")));
            assertTrue(steps.toString(), steps.toString().endsWith("canary by operator, rollout-halt by judge, rollout-resume by"
                    + " operator, rollout-pause by operator, rollout-resume by operator, canary-abort by judge]"));
            LaunchedRuntime.CliResult abortNone = rt.cli("rollout", "pause", FLAKY);
            assertEquals(1, abortNone.exit());
            assertTrue(abortNone.err(), abortNone.err().contains("no judged canary"));
            assertFalse(rt.log().contains("judging the canaries failed"));
        }
    }
}
