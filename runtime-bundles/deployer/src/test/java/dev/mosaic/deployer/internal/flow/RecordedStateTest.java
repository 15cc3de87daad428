package dev.mosaic.deployer.internal.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.EventFilter;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.store.HistoryArchive;
import dev.mosaic.deployer.internal.store.Journal;
import dev.mosaic.deployer.internal.store.JsonSupport;
import dev.mosaic.deployer.internal.store.SnapshotFile;

/**
 * Snapshots and the history archive, on real files: a restart starts from the snapshot and
 * the journal's few changes after it and gets the very registry a full replay gives; the
 * history stays whole and in order across snapshots; a crash between any two steps of a
 * snapshot (archive, snapshot, empty the journal), or in the middle of one, loses nothing
 * and duplicates nothing. Starts from a journal a runtime of 2026-12-02 wrote, before
 * snapshots existed (17 changes: the README's walk-throughs).
 */
class RecordedStateTest {

    private static final String CATALOG = "dev.mosaic.examples.catalog";
    private final ObjectMapper json = JsonSupport.mapper();

    @TempDir
    Path dir;

    private void journalOfBefore() throws Exception {
        try (InputStream in = Journal.class.getResourceAsStream("journal-2026-12-02.jsonl")) {
            Files.copy(in, dir.resolve("journal.jsonl"));
        }
    }

    private Journal journal;

    private RecordedState open(int snapshotEvery, long keep) throws Exception {
        if (journal != null) {
            journal.close();
        }
        journal = new Journal(dir.resolve("journal.jsonl"), json);
        return RecordedState.open(journal, new SnapshotFile(dir.resolve("snapshot.json"), json),
                new HistoryArchive(dir.resolve("history"), json, keep, 4), snapshotEvery);
    }

    /** The registry a full replay of the fixture gives, as a snapshot reads in JSON. */
    private String replayed(int extraYanks) throws Exception {
        Registry r = new Registry();
        try (InputStream in = Journal.class.getResourceAsStream("journal-2026-12-02.jsonl")) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    r.apply(json.readValue(line, Event.class));
                }
            }
        }
        for (int i = 0; i < extraYanks; i++) {
            r.apply(yank(i, r.sequence() + 1));
        }
        return json.writeValueAsString(r.snapshot());
    }

    private static Event yank(int i, long seq) {
        Event e = Event.about(i % 2 == 0 ? Operation.YANK : Operation.UNYANK, new UnitKey("prod", CATALOG, "1.0.0"), "test");
        e.time = "2026-12-02T20:00:00Z";
        e.seq = seq;
        return e;
    }

    private static String state(RecordedState s, ObjectMapper json) throws Exception {
        return json.writeValueAsString(s.read(Registry::snapshot));
    }

    private static List<Long> seqs(RecordedState s, int limit) throws Exception {
        return s.history(limit, EventFilter.ALL).stream().map(e -> e.seq).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private long journalLines() throws Exception {
        try (Stream<String> lines = Files.lines(dir.resolve("journal.jsonl"))) {
            return lines.filter(l -> !l.isBlank()).count();
        }
    }

    @Test
    void aDataDirectoryFromBeforeSnapshotsIsConvertedAndRestartsToTheSameRegistry() throws Exception {
        journalOfBefore();
        RecordedState converted = open(5, 1000);
        assertEquals(replayed(0), state(converted, json));
        assertEquals(0, journalLines(), "the journal's 17 changes are in the snapshot and the history now");
        assertTrue(Files.exists(dir.resolve("snapshot.json")));
        assertEquals(range(1, 17), seqs(converted, 100));

        RecordedState restarted = open(5, 1000);
        assertEquals(replayed(0), state(restarted, json));
        assertEquals(range(1, 17), seqs(restarted, 100));
        assertEquals(range(13, 17), seqs(restarted, 5), "the last five, oldest first");
    }

    private static List<Long> seqs(RecordedState s, int limit, String env, String name) throws Exception {
        return s.history(limit, new EventFilter(env, name)).stream().map(e -> e.seq).toList();
    }

    @Test
    void theHistoryOfOneNameOrEnvironmentIsFoundInTheArchiveAndTheJournalAlike() throws Exception {
        journalOfBefore();
        RecordedState s = open(10, 1000); // the fixture's 17 changes go to the archive
        for (int i = 0; i < 5; i++) {
            s.record(yank(i, 0)); // 18-22: catalog's, in prod, in the journal; each moves no one
        }
        String tv = "dev.mosaic.examples.tv-home";
        // tv-home's own changes, and the catalog release, yank and unyank that moved it (7-9)
        assertEquals(List.of(6L, 7L, 8L, 9L, 10L, 11L, 13L, 14L, 15L), seqs(s, 100, null, tv));
        assertEquals(List.of(13L, 14L), seqs(s, 100, "test", tv));
        assertEquals(List.of(14L, 15L), seqs(s, 2, null, tv), "the newest two, oldest first, from before the journal's");
        assertEquals(List.of(12L, 13L, 14L), seqs(s, 100, "test", null));
        assertEquals(range(16, 22), seqs(s, 7, "prod", null), "across the archive and the journal's changes");
        assertEquals(List.of(), seqs(s, 100, "qa", tv));
        assertEquals(List.of(), seqs(s, 100, null, "tv-home"), "a name is a symbolic name, whole");
        assertEquals(range(1, 22), seqs(s, 100), "and without a filter, everything");
    }

    @Test
    void changesPastTheThresholdSnapshotAndTheHistoryStaysWholeAndInOrder() throws Exception {
        journalOfBefore();
        RecordedState s = open(10, 1000);
        for (int i = 0; i < 25; i++) {
            s.record(yank(i, 0));
            assertTrue(journalLines() < 10, "the journal is emptied every 10 changes");
        }
        assertEquals(replayed(25), state(s, json));
        assertEquals(range(1, 42), seqs(s, 1000));
        assertEquals(range(33, 42), seqs(s, 10), "across the archive and the journal's changes");
        RecordedState restarted = open(10, 1000);
        assertEquals(replayed(25), state(restarted, json));
        assertEquals(range(1, 42), seqs(restarted, 1000));
    }

    @Test
    void aCrashAfterArchivingBeforeTheSnapshotLosesAndRepeatsNothing() throws Exception {
        journalOfBefore();
        HistoryArchive archive = new HistoryArchive(dir.resolve("history"), json, 1000, 4);
        archive.open();
        try (Journal j = new Journal(dir.resolve("journal.jsonl"), json)) {
            archive.append(j.open()); // step 1 done; the process dies before the snapshot
        }
        RecordedState s = open(1000, 1000);
        assertEquals(replayed(0), state(s, json));
        assertEquals(range(1, 17), seqs(s, 100));
    }

    @Test
    void aCrashAfterTheSnapshotBeforeTheJournalIsEmptiedLosesAndRepeatsNothing() throws Exception {
        journalOfBefore();
        RecordedState first = open(1000, 1000);
        new HistoryArchive(dir.resolve("history"), json, 1000, 4).open();
        // steps 1 and 2 done (archive, snapshot); the process dies before emptying the journal
        HistoryArchive archive = new HistoryArchive(dir.resolve("history"), json, 1000, 4);
        archive.open();
        archive.append(first.read(Registry::events));
        new SnapshotFile(dir.resolve("snapshot.json"), json).write(first.read(Registry::snapshot));
        assertEquals(17, journalLines());

        RecordedState s = open(1000, 1000);
        assertEquals(replayed(0), state(s, json), "the journal's changes are in the snapshot: not applied twice");
        assertEquals(range(1, 17), seqs(s, 100));
        s.record(yank(0, 0));
        assertEquals(replayed(1), state(s, json));
        assertEquals(range(1, 18), seqs(s, 100));
        assertEquals(replayed(1), state(open(1000, 1000), json));
    }

    @Test
    void aTornHistoryLineAndAHalfWrittenSnapshotAreRepairedFromTheJournal() throws Exception {
        journalOfBefore();
        HistoryArchive archive = new HistoryArchive(dir.resolve("history"), json, 1000, 100);
        archive.open();
        try (Journal j = new Journal(dir.resolve("journal.jsonl"), json)) {
            archive.append(j.open());
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir.resolve("history"))) {
            segment = files.findFirst().orElseThrow();
        }
        byte[] whole = Files.readAllBytes(segment);
        Files.write(segment, java.util.Arrays.copyOf(whole, whole.length - 40)); // the last append was cut short
        Files.writeString(dir.resolve("snapshot.json.tmp"), "{\"format\":1,\"seq\":17,\"artif"); // and so was a snapshot

        RecordedState s = open(1000, 1000);
        assertEquals(replayed(0), state(s, json));
        assertEquals(range(1, 17), seqs(s, 100));
        assertFalse(Files.exists(dir.resolve("snapshot.json.tmp")));
    }

    @Test
    void theHistoryKeepsAtLeastWhatItIsToldAndDropsOlderSegments() throws Exception {
        journalOfBefore();
        RecordedState s = open(3, 10); // segments of 4 changes, keep at least 10
        for (int i = 0; i < 30; i++) {
            s.record(yank(i, 0));
        }
        List<Long> kept = seqs(s, 1000);
        assertTrue(kept.size() >= 10 && kept.size() <= 14, "kept " + kept);
        assertEquals(range(47 - kept.size() + 1, 47), kept, "the newest, contiguous");
        try (Stream<Path> files = Files.list(dir.resolve("history"))) {
            assertTrue(files.count() <= 4, "older segments deleted");
        }
    }

    @Test
    void backendDeclarationsAreReplayedFromTheJournalAndKeptInTheSnapshot() throws Exception {
        journalOfBefore();
        RecordedState state = open(1000, 1000);
        Event set = Event.about(Operation.BACKEND_SET, new UnitKey("test", "recommendations", null), "test");
        set.time = "2026-12-02T21:00:00Z";
        set.backend = dev.mosaic.backends.BackendSpec.parse("recommendations", java.util.Map.of("url",
                List.of("http://10.0.0.7:8080", "http://10.0.0.8:8080"), "timeout", List.of("300ms"), "secret-header",
                List.of("X-Api-Key=env:RECS_KEY")));
        state.record(set);
        Event other = Event.about(Operation.BACKEND_SET, new UnitKey("prod", "bookmarks", null), "test");
        other.time = set.time;
        other.backend = dev.mosaic.backends.BackendSpec.parse("bookmarks", java.util.Map.of("url", List.of("http://10.0.0.9")));
        state.record(other);
        Event removed = Event.about(Operation.BACKEND_REMOVE, new UnitKey("prod", "bookmarks", null), "test");
        removed.time = set.time;
        state.record(removed);
        String before = state(state, json);
        assertEquals(List.of(set.backend), state.read(r -> r.backends("test")));
        assertEquals(List.of(), state.read(r -> r.backends("prod")));

        // replayed from the journal
        RecordedState replayed = open(1000, 1000);
        assertEquals(before, state(replayed, json));
        // and from a snapshot: every change from now on snapshots
        RecordedState snapshotting = open(1, 1000);
        snapshotting.record(yank(0, 0));
        RecordedState fromSnapshot = open(1, 1000);
        assertEquals(0, journalLines());
        assertEquals(List.of(set.backend), fromSnapshot.read(r -> r.backends("test")));
        assertEquals("env:RECS_KEY", fromSnapshot.read(r -> r.backend("test", "recommendations")).secretHeaders().get("X-Api-Key"));
    }
}
