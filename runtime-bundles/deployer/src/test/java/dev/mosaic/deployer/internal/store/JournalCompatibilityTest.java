package dev.mosaic.deployer.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Registry.Unit;

/**
 * A data directory written by an earlier runtime is read as it is: the journal a runtime of
 * 2026-12-02 (before the deployer was split by flow) wrote while the README's walk-throughs
 * ran — the seed, a release, a yank and an unyank, a deploy and a rollback, a test
 * environment with TTLs, a promote, a deploy and an undeploy — replays to the state that
 * runtime served.
 */
class JournalCompatibilityTest {

    private static final String CATALOG = "dev.mosaic.examples.catalog";
    private static final String TV = "dev.mosaic.examples.tv-home";

    @TempDir
    Path dir;

    @Test
    void aJournalOfTheRuntimeBeforeReplaysToWhatItServed() throws Exception {
        Path file = dir.resolve("journal.jsonl");
        try (InputStream in = getClass().getResourceAsStream("journal-2026-12-02.jsonl")) {
            Files.copy(in, file);
        }
        Registry registry = new Registry();
        try (Journal journal = new Journal(file, JsonSupport.mapper())) {
            List<Event> events = journal.open();
            assertEquals(17, events.size());
            assertEquals(List.of(Operation.RELEASE, Operation.RELEASE, Operation.RELEASE, Operation.DEPLOY, Operation.DEPLOY,
                    Operation.DEPLOY, Operation.RELEASE, Operation.YANK, Operation.UNYANK, Operation.DEPLOY, Operation.ROLLBACK,
                    Operation.RELEASE, Operation.DEPLOY, Operation.TTL, Operation.PROMOTE, Operation.DEPLOY, Operation.UNDEPLOY),
                    events.stream().map(e -> Operation.parse(e.op)).toList());
            events.forEach(registry::apply);
        }
        assertEquals(17, registry.sequence());
        assertEquals(List.of("1.0.0", "1.1.0", "1.2.0", "2.0.0"),
                registry.named("prod", CATALOG).stream().map(u -> u.key.version()).toList());
        Unit tv = registry.adapter("prod", TV);
        assertEquals("1.1.0", tv.key.version(), "promoted from test");
        assertEquals(Map.of(CATALOG, "1.2.0"), tv.bindings);
        assertEquals(Kind.ADAPTER, tv.kind);
        assertEquals(Map.of(CATALOG, "1.0.0"), registry.adapter("prod", "dev.mosaic.examples.mobile-home").bindings, "pinned");
        assertEquals(Map.of(CATALOG, "2.0.0"), registry.adapter("prod", "dev.mosaic.examples.glasses-play").bindings);
        assertNull(registry.adapter("prod", "dev.mosaic.examples.show-page"), "undeployed");
        assertEquals(List.of("1.0.0"), registry.previousVersions("prod", TV), "what a rollback would put back");

        Unit testTv = registry.adapter("test", TV);
        assertEquals("2026-12-03T16:00:36.491Z", testTv.expiresAt, "the TTL set after the deploy");
        assertTrue(registry.unit(new UnitKey("test", CATALOG, "1.2.0")).expiresAt.startsWith("2026-12-09"), "test's 7-day default");
        assertEquals(9, registry.size());
    }
}
