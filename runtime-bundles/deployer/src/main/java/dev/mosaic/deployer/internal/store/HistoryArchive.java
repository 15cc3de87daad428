package dev.mosaic.deployer.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.EventFilter;

/**
 * The history of changes older than the registry's snapshot: the journal's lines, moved here
 * when the journal is truncated, in segments of at most {@code segmentSize} changes
 * ({@code history/<first sequence number>.jsonl}), of which the oldest are deleted once the
 * others hold at least {@code keep} changes. Opening reads only the last line of the last
 * segment; a query reads segments from the newest back, as far as it needs.
 *
 * <p>Sequence numbers are contiguous, so a segment's first number (its name) and the last
 * line say how many changes it holds. Appending skips what is already there: moving the same
 * changes twice (a crash between moving them and truncating the journal) writes them once.
 */
public final class HistoryArchive {

    private final Path dir;
    private final ObjectMapper mapper;
    private final long keep;
    private final long segmentSize;
    /** First sequence numbers of the segments, oldest first. */
    private final List<Long> segments = new ArrayList<>();
    private long lastSeq;

    public HistoryArchive(Path dir, ObjectMapper mapper, long keep, long segmentSize) {
        this.dir = dir;
        this.mapper = mapper;
        this.keep = keep;
        this.segmentSize = segmentSize;
    }

    /**
     * Finds the segments and the last change archived; a torn last line (a crash while
     * appending) is cut off.
     *
     * @return the sequence number of the last change archived, 0 if none
     */
    public long open() throws IOException {
        Files.createDirectories(dir);
        segments.clear();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, "*.jsonl")) {
            for (Path p : found) {
                String n = p.getFileName().toString();
                try {
                    segments.add(Long.parseLong(n.substring(0, n.length() - ".jsonl".length())));
                } catch (NumberFormatException e) {
                    // not a segment of ours
                }
            }
        }
        Collections.sort(segments);
        lastSeq = 0;
        while (!segments.isEmpty()) {
            Path last = segment(segments.get(segments.size() - 1));
            List<Event> events = read(last, true);
            if (!events.isEmpty()) {
                lastSeq = events.get(events.size() - 1).seq;
                break;
            }
            Files.delete(last); // empty: a segment begun and not written
            segments.remove(segments.size() - 1);
        }
        return lastSeq;
    }

    public long lastSeq() {
        return lastSeq;
    }

    /** Appends the changes not archived yet (those after {@link #lastSeq}), forced to disk, then applies the retention. */
    public void append(List<Event> events) throws IOException {
        List<Event> fresh = new ArrayList<>();
        for (Event e : events) {
            if (e.seq > lastSeq) {
                fresh.add(e);
            }
        }
        int i = 0;
        while (i < fresh.size()) {
            long first = segments.isEmpty() ? -1 : segments.get(segments.size() - 1);
            if (first < 0 || lastSeq - first + 1 >= segmentSize) {
                first = fresh.get(i).seq;
                segments.add(first);
            }
            int room = (int) Math.min(fresh.size() - i, segmentSize - (lastSeq >= first ? lastSeq - first + 1 : 0));
            StringBuilder lines = new StringBuilder();
            for (Event e : fresh.subList(i, i + room)) {
                lines.append(mapper.writeValueAsString(e)).append('\n');
            }
            Path file = segment(first);
            boolean created = !Files.exists(file);
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(false);
            }
            if (created) {
                ArtifactStore.forceDirectory(dir);
            }
            lastSeq = fresh.get(i + room - 1).seq;
            i += room;
        }
        retain();
    }

    /** Deletes the oldest segments while the newer ones hold at least {@code keep} changes. */
    private void retain() throws IOException {
        while (segments.size() > 1 && lastSeq - segments.get(1) + 1 >= keep) {
            Files.deleteIfExists(segment(segments.remove(0)));
        }
    }

    /**
     * @return up to {@code n} of the last changes archived before sequence number {@code before} that the filter passes,
     *         oldest first (reading segments, newest first, until it has them; a line without the name asked for is not
     *         parsed)
     */
    public List<Event> last(int n, long before, EventFilter filter) throws IOException {
        List<Event> found = new ArrayList<>();
        byte[] named = filter.name() == null ? null : filter.name().getBytes(StandardCharsets.UTF_8);
        for (int s = segments.size() - 1; s >= 0 && found.size() < n; s--) {
            if (segments.get(s) >= before) {
                continue;
            }
            List<Event> events = read(segment(segments.get(s)), false, named);
            for (int k = events.size() - 1; k >= 0 && found.size() < n; k--) {
                if (events.get(k).seq < before && filter.test(events.get(k))) {
                    found.add(events.get(k));
                }
            }
        }
        Collections.reverse(found);
        return found;
    }

    /** @return the changes of a segment; {@code repair}: a torn last line is cut off the file */
    private List<Event> read(Path file, boolean repair) throws IOException {
        return read(file, repair, null);
    }

    /** @param named the bytes a line must hold to be parsed, or null for every line */
    private List<Event> read(Path file, boolean repair, byte[] named) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<Event> events = new ArrayList<>();
        int start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            if (end == bytes.length) {
                if (repair) {
                    try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        out.truncate(start);
                        out.force(true);
                    }
                }
                break; // a torn last line: it was being appended when the process died; the journal still has it
            }
            if (named == null || holds(bytes, start, end, named)) {
                events.add(mapper.readValue(bytes, start, end - start, Event.class));
            }
            start = end + 1;
        }
        return events;
    }

    /** @return whether bytes[from, to) hold the needle (a name has no character JSON escapes, so it is as written) */
    private static boolean holds(byte[] bytes, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i + needle.length <= to; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (bytes[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private Path segment(long first) {
        return dir.resolve(String.format("%020d.jsonl", first));
    }
}
