package dev.mosaic.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.Move;
import dev.mosaic.deployer.MoveReason;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.State;
import dev.mosaic.deployer.Stay;
import dev.mosaic.deployer.StayReason;
import dev.mosaic.deployer.UptakePolicy;

/** What the console and the CLI's tables show of the results. */
class FormatsTest {

    @Test
    void aReleaseSaysWhoMovedAndWhoStaysAndWhy() {
        DeployResult r = new DeployResult(Operation.RELEASE, true, "released cat 1.2.0 in prod", null, null,
                List.of(new Move("prod", "tv", "1.0.0", Map.of("cat", "1.1.0"), Map.of("cat", "1.2.0"), MoveReason.UPTAKE),
                        new Move("prod", "shelf", "1.0.0", Map.of("cat", "1.2.0"), Map.of("cat", "1.2.0"), MoveReason.TRANSITIVE)),
                List.of(new Stay("prod", "mobile", "1.0.0", Map.of("cat", "1.0.0"), StayReason.PINNED, "pinned: cat.api [1.0.0,1.0.0]")),
                List.of(), false, List.of(), 42, 7);
        assertEquals("""
                released cat 1.2.0 in prod (42 ms, history #7)
                  tv 1.0.0: cat 1.1.0 -> 1.2.0 (uptake)
                  shelf 1.0.0 re-wired (a module it uses moved)
                  stays mobile 1.0.0: pinned: cat.api [1.0.0,1.0.0]""", Formats.format(r));
    }

    @Test
    void aDryRunSaysWhatWouldHappenAndWhatWouldFail() {
        DeployResult r = new DeployResult(Operation.DEPLOY, false, "dry run: would fail to deploy tv 1.1.0 to prod",
                DeploymentInfo.planned("prod", "tv", "1.1.0", Kind.ADAPTER, "abc", Map.of("cat", "1.1.0")), null, List.of(),
                List.of(), List.of("tv 1.1.0 imports java.net.http"), true, List.of(), 3, 0);
        String shown = Formats.format(r);
        assertTrue(shown.contains("\n  problem: tv 1.1.0 imports java.net.http"), shown);
        assertTrue(shown.contains("\n  would bind to cat 1.1.0"), shown);
        assertTrue(!shown.contains("history #"), "a dry run records nothing: " + shown);
    }

    @Test
    void deploymentsAreATableWithEnumsInLowerCase() {
        DeploymentInfo d = new DeploymentInfo("prod", "cat", "1.2.0", Kind.MODULE, "0123456789abcdef", 1, "team",
                "d6c9cbe47ff76916df3445cab34dbf0f6513cb36", "2026-12-02T02:34:54+00:00",
                "2026-12-02T00:00:00Z", "seed", UptakePolicy.AUTO, true, Map.of(), State.RUNNING, null, Map.of(), null, null, 3,
                Map.of(), List.of(), List.of("reflection: com.example.Cat.copy calls java.lang.reflect.Field.setAccessible"));
        String shown = Formats.format(List.of(d));
        assertTrue(shown.startsWith("ENV   KIND    NAME"), shown);
        assertTrue(shown.contains("prod  module  cat   1.2.0    running,yanked  auto"), shown);
        assertTrue(shown.contains("(policy, reported) reflection: com.example.Cat.copy"), shown);
        assertFalse(shown.contains("SHA256") || shown.contains("0123456789ab") || shown.contains("d6c9cbe47ff7"),
                "the common columns only, for a terminal: " + shown);

        String wide = Formats.format(new Formats.Wide(List.of(d)));
        assertTrue(wide.startsWith("ENV   KIND    NAME"), wide);
        assertTrue(wide.contains("prod  module  cat   1.2.0    running,yanked  auto"), wide);
        assertTrue(wide.contains("0123456789ab"), "the SHA-256 shortened: " + wide);
        assertTrue(wide.contains("d6c9cbe47ff7  2026-12-02T02:34:54+00:00"), "provenance, the commit shortened: " + wide);
        assertTrue(wide.contains("(policy, reported) reflection: com.example.Cat.copy"), wide);
        assertEquals(wide, Formats.format(List.of(d), true), "the API's ?wide=true is the console's -w");
    }

    @Test
    void aCheckThePolicyAllowsSaysWhatElseADeployChecks() {
        String allowed = Formats.policy(new dev.mosaic.deployer.PolicyReport("prod", "dev.mosaic.examples.catalog", "1.3.0",
                Kind.MODULE, true, List.of(), List.of(), List.of(), null, "default"));
        assertTrue(allowed.startsWith("dev.mosaic.examples.catalog 1.3.0 (module) in prod: the policy allows it\n"), allowed);
        assertTrue(allowed.contains("deploy --dry-run also resolves it"), allowed);
        String refused = Formats.policy(new dev.mosaic.deployer.PolicyReport("prod", "org.apache.commons.text", "1.15.0",
                Kind.MODULE, false, List.of("network: ..."), List.of(), List.of(), null, "default"));
        assertTrue(refused.contains("the policy refuses it\n  refused:  network: ..."), refused);
        assertFalse(refused.contains("--dry-run"), refused);
    }

    @Test
    void historyListsTheConsumersAChangeMovedOneALineUnderIt() {
        List<Move> moves = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            moves.add(new Move("prod", "adapter-" + i, "1.0.0", Map.of("cat", "1.1.0"), Map.of("cat", "1.2.0"), MoveReason.UPTAKE));
        }
        String text = Formats.history(List.of(
                new dev.mosaic.deployer.HistoryEntry(7, "2026-12-05T19:07:02Z", "alice", dev.mosaic.deployer.Operation.RELEASE,
                        "prod", "cat", "1.2.0", "ab", null, moves, null),
                new dev.mosaic.deployer.HistoryEntry(8, "2026-12-05T19:08:00Z", "bob", dev.mosaic.deployer.Operation.DEPLOY,
                        "prod", "tv", "1.1.0", "cd", "1.0.0", List.of(), null)));
        List<String> lines = text.lines().toList();
        assertEquals(1 + 1 + 50 + 1, lines.size(), text);
        assertTrue(lines.get(1).startsWith("7 ") && lines.get(1).endsWith("  50 moved"), lines.get(1));
        assertEquals("    moved adapter-0 1.0.0: cat 1.1.0 -> 1.2.0 (uptake)", lines.get(2));
        assertTrue(lines.get(52).startsWith("8 ") && lines.get(52).endsWith("  replaced 1.0.0"), lines.get(52));
        assertTrue(lines.stream().allMatch(l -> l.length() < 120), "no line as long as its moves together: " + text);
    }
}
