package dev.mosaic.deployer.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.deployer.internal.model.Event;

/**
 * The durable record of every committed change: one JSON line per {@link Event}, appended
 * and forced to disk before the change takes effect. The registry is rebuilt by replaying
 * it, so the line is the commit point: a change is fully there or not at all.
 *
 * <p>A crash can leave at most a partial last line; it is cut off when the journal opens. A
 * damaged line with valid lines after it means the file was damaged some other way: opening
 * fails and says where, rather than dropping history silently.
 */
public final class Journal implements ChangeLog {

    private final Path file;
    private final ObjectMapper mapper;
    private FileChannel channel;

    public Journal(Path file, ObjectMapper mapper) {
        this.file = file;
        this.mapper = mapper;
    }

    /** Reads the committed events, repairs a torn tail, and opens the journal for appending. */
    @Override
    public List<Event> open() throws IOException {
        List<Event> events = new ArrayList<>();
        Files.createDirectories(file.getParent());
        if (!Files.exists(file)) {
            Files.createFile(file);
            ArtifactStore.forceDirectory(file.getParent());
        }
        byte[] bytes = Files.readAllBytes(file);
        long good = 0;
        int lineNo = 0;
        int start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            lineNo++;
            boolean complete = end < bytes.length;
            String line = new String(bytes, start, end - start, StandardCharsets.UTF_8);
            Event event = null;
            if (complete && !line.isBlank()) {
                try {
                    event = mapper.readValue(line, Event.class);
                } catch (JsonProcessingException e) {
                    event = null;
                }
            }
            if (event == null && !(complete && line.isBlank())) {
                if (hasContentAfter(bytes, end + 1)) {
                    throw new IOException("journal " + file + " is damaged at line " + lineNo
                            + " and has entries after it; refusing to start rather than lose them."
                            + " Restore the file from a backup, or move it away to start empty");
                }
                break; // a torn last line: the change it was writing never committed
            }
            if (event != null) {
                events.add(event);
            }
            good = end + 1;
            start = end + 1;
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
        if (good < bytes.length) {
            channel.truncate(good);
            channel.force(true);
        }
        channel.position(good);
        return events;
    }

    private static boolean hasContentAfter(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (!Character.isWhitespace(bytes[i])) {
                return true;
            }
        }
        return false;
    }

    /** Appends the event and forces it to disk: when this returns, the change is committed. */
    @Override
    public void append(Event event) throws IOException {
        byte[] line = (mapper.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8);
        long before = channel.position();
        try {
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
        } catch (IOException e) {
            // Leave no partial line behind a later entry (that would read as damage): cut it off.
            try {
                channel.truncate(before);
                channel.position(before);
            } catch (IOException ignored) {
                // the torn tail is repaired when the journal is next opened
            }
            throw e;
        }
    }

    /**
     * Empties the journal, once what it held is in a snapshot and the history archive. The
     * truncation is one system call, forced to disk: a crash leaves the journal whole (the
     * restart skips what the snapshot holds) or empty.
     */
    @Override
    public void reset() throws IOException {
        channel.truncate(0);
        channel.force(true);
        channel.position(0);
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
