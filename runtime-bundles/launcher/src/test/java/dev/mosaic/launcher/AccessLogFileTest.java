package dev.mosaic.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;

/** The access log's file: every line in it, in order, soon after its event, whichever way it is written; rolled over. */
class AccessLogFileTest {

    /** File systems known to take direct I/O: there, the file must be written so. */
    private static final Set<String> DIRECT = Set.of("ext4", "xfs", "btrfs");

    @TempDir
    Path dir;

    private final LoggerContext context = new LoggerContext();
    private final Logger log = context.getLogger("mosaic.access");
    private AccessLogFile file;

    @AfterEach
    void stop() {
        if (file != null) {
            file.stop();
        }
        context.stop();
    }

    private AccessLogFile start(long maxSize, int files, boolean direct) {
        AccessLogFile f = new AccessLogFile(dir, maxSize, files, direct);
        f.setContext(context);
        f.start();
        assertTrue(f.isStarted(), context.getStatusManager().getCopyOfStatusList().toString());
        log.detachAndStopAllAppenders();
        log.addAppender(f);
        log.setLevel(Level.INFO);
        file = f;
        return f;
    }

    /** @return the lines of one event, as the gateway hands them over: ASCII bytes, each line ending with a newline */
    private static byte[] event(int first, int lines) {
        StringBuilder b = new StringBuilder();
        for (int i = first; i < first + lines; i++) {
            // lines of changing lengths, so that events end anywhere in a block
            b.append("{\"request_id\":\"").append(i).append("\",\"path\":\"/tv/home/").append("x".repeat(i % 97)).append("\"}\n");
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private void write(byte[] lines) {
        log.info("{}", ByteBuffer.wrap(lines));
    }

    /** Waits until the file holds exactly what was written (a reader sees the lines held at the latest in some 100 ms). */
    private static void awaitFile(Path file, byte[] expected) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        byte[] read = new byte[0];
        while (System.nanoTime() < deadline) {
            read = Files.readAllBytes(file);
            if (java.util.Arrays.equals(expected, read)) {
                return;
            }
            assertTrue(read.length <= expected.length, "more in the file than was written: " + read.length);
            Thread.sleep(5);
        }
        assertEquals(new String(expected, StandardCharsets.US_ASCII), new String(read, StandardCharsets.US_ASCII));
    }

    @Test
    void everyLineIsInTheFileSoonAfterItsEventWithDirectIoWhereTheFileSystemTakesIt() throws Exception {
        AccessLogFile f = start(1L << 30, 10, true);
        String type = Files.getFileStore(dir).type();
        if (DIRECT.contains(type)) {
            assertTrue(f.direct(), "written with direct I/O on " + type);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int n = 0;
        // single lines, then events of thousands of lines (more than the writer's buffer of 1 MB at once)
        for (int lines : new int[] {1, 1, 3, 40, 1, 700, 12_000, 5, 25_000, 1}) {
            byte[] e = event(n, lines);
            n += lines;
            write(e);
            all.write(e);
            // what a reader of the file sees: every line so far, and nothing else; whole blocks at once
            long now = Files.size(f.file());
            assertTrue(now > all.size() - 4096 * 2 && now <= all.size(), "after " + n + " lines: " + now + " of " + all.size());
            awaitFile(f.file(), all.toByteArray());
        }
        // a message of another logger's kind: its text and a newline
        log.info("a line of {}", "text");
        all.write("a line of text\n".getBytes(StandardCharsets.US_ASCII));
        awaitFile(f.file(), all.toByteArray());
    }

    @Test
    void aStopWritesTheLinesItHolds() throws Exception {
        AccessLogFile f = start(1L << 30, 10, true);
        byte[] e = event(0, 100);
        write(e);
        f.stop();
        assertEquals(new String(e, StandardCharsets.US_ASCII), Files.readString(f.file()));
    }

    @Test
    void aRestartGoesOnAtTheEndOfTheFileItFound() throws Exception {
        start(1L << 30, 10, true);
        byte[] first = event(0, 33);
        write(first);
        file.stop();
        assertEquals(first.length, Files.size(file.file()));
        start(1L << 30, 10, true);
        byte[] second = event(33, 1000);
        write(second);
        String expected = new String(first, StandardCharsets.US_ASCII) + new String(second, StandardCharsets.US_ASCII);
        awaitFile(file.file(), expected.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aFileCutShortByAnotherProgramGoesOnAtItsNewEndWithoutAHole() throws Exception {
        for (boolean direct : new boolean[] {true, false}) {
            AccessLogFile f = start(1L << 30, 10, direct);
            write(event(0, 2000));
            // as logrotate's copytruncate does: the file copied elsewhere, then cut to nothing
            awaitFile(f.file(), event(0, 2000));
            try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(f.file(), java.nio.file.StandardOpenOption.WRITE)) {
                c.truncate(0);
            }
            byte[] after = event(2000, 10);
            write(after);
            awaitFile(f.file(), after);
            f.stop();
            Files.delete(f.file());
        }
    }

    @Test
    void withoutDirectIoTheSameLinesGoThroughThePageCache() throws Exception {
        AccessLogFile f = start(1L << 30, 10, false);
        assertFalse(f.direct());
        byte[] e = event(0, 3000);
        write(e);
        // a line another program appends is kept (as Logback's appender, which appended, kept it)
        Files.writeString(f.file(), "appended by hand\n", java.nio.file.StandardOpenOption.APPEND);
        write(event(3000, 1));
        assertEquals(new String(e, StandardCharsets.US_ASCII) + "appended by hand\n"
                + new String(event(3000, 1), StandardCharsets.US_ASCII), Files.readString(f.file()));
    }

    @Test
    void itRollsOverAtItsSizeKeepingAsManyFilesAsAskedInOrder() throws Exception {
        start(16 * 1024, 3, true);
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            byte[] e = event(i * 30, 30);
            write(e);
            all.append(new String(e, StandardCharsets.US_ASCII));
        }
        file.stop();
        List<Path> files = List.of(dir.resolve("access.2.log"), dir.resolve("access.1.log"), dir.resolve("access.log"));
        StringBuilder kept = new StringBuilder();
        for (Path p : files) {
            assertTrue(Files.exists(p), p + " exists");
            long size = Files.size(p);
            // rolled before the event that finds it at its size: at most the size and one event over it
            assertTrue(size < 16 * 1024 + 8 * 1024, p + ": " + size);
            kept.append(Files.readString(p));
        }
        assertFalse(Files.exists(dir.resolve("access.3.log")), "three files in all");
        // the newest lines, whole and in order, across the files
        assertTrue(all.toString().endsWith(kept.toString()), "the kept files are the end of what was written");
        assertTrue(kept.toString().startsWith("{\"request_id\":"), "a file starts with a whole line");
    }
}
