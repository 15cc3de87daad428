package dev.mosaic.deployer.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.deployer.internal.model.Event;

/** The journal survives what a crash can do to its file, and refuses what a crash cannot. */
class JournalTest {

    @TempDir
    Path dir;

    private final ObjectMapper mapper = JsonSupport.mapper();

    private static Event event(long seq, String name) {
        Event e = new Event();
        e.seq = seq;
        e.op = "yank";
        e.env = "prod";
        e.name = name;
        e.version = "1.0.0";
        return e;
    }

    @Test
    void appendedEventsAreReadBackInOrder() throws Exception {
        Path file = dir.resolve("journal.jsonl");
        try (Journal j = new Journal(file, mapper)) {
            assertEquals(List.of(), j.open());
            j.append(event(1, "a"));
            j.append(event(2, "b"));
        }
        try (Journal j = new Journal(file, mapper)) {
            List<Event> events = j.open();
            assertEquals(List.of("a", "b"), events.stream().map(e -> e.name).toList());
            assertEquals(2, events.get(1).seq);
        }
    }

    @Test
    void aTornLastLineIsCutOffAndAppendingGoesOn() throws Exception {
        Path file = dir.resolve("journal.jsonl");
        try (Journal j = new Journal(file, mapper)) {
            j.open();
            j.append(event(1, "a"));
        }
        Files.writeString(file, "{\"seq\":2,\"op\":\"yank\",\"na", StandardOpenOption.APPEND);
        try (Journal j = new Journal(file, mapper)) {
            assertEquals(List.of("a"), j.open().stream().map(e -> e.name).toList());
            j.append(event(2, "c"));
        }
        try (Journal j = new Journal(file, mapper)) {
            assertEquals(List.of("a", "c"), j.open().stream().map(e -> e.name).toList());
        }
        assertTrue(Files.readString(file).endsWith("\n"));
    }

    @Test
    void aCompleteButUnreadableLastLineIsAlsoATornWrite() throws Exception {
        Path file = dir.resolve("journal.jsonl");
        Files.writeString(file, mapper.writeValueAsString(event(1, "a")) + "\n{\"seq\":2,\"op\n", StandardCharsets.UTF_8);
        try (Journal j = new Journal(file, mapper)) {
            assertEquals(1, j.open().size());
        }
    }

    @Test
    void damageFollowedByValidEntriesRefusesToOpen() throws Exception {
        Path file = dir.resolve("journal.jsonl");
        Files.writeString(file, mapper.writeValueAsString(event(1, "a")) + "\ngarbage\n"
                + mapper.writeValueAsString(event(3, "c")) + "\n");
        try (Journal j = new Journal(file, mapper)) {
            IOException e = assertThrows(IOException.class, j::open);
            assertTrue(e.getMessage().contains("damaged at line 2"), e.getMessage());
        }
        assertTrue(Files.readString(file).contains("garbage"), "nothing is dropped");
    }
}
