package dev.mosaic.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/**
 * The access log's file, {@code access.log}, rolled over when it reaches its size into {@code access.1.log},
 * {@code access.2.log} ... (the oldest deleted). Each event (the lines of some milliseconds) is one write at the file's
 * end; a file cut short by another program (logrotate's {@code copytruncate}) is written on at its new end, and a write
 * that fails is said once in the runtime's log.
 * <p>
 * With {@code -Dmosaic.access.log.direct=on}, where the file system takes it ({@code O_DIRECT}: ext4, xfs, ...), whole
 * blocks go from an aligned buffer of this writer's straight to the disk. The last, partial block of a write waits here
 * for the next one, which writes it whole with what follows; when no next one comes within {@value #TAIL_MILLIS} to
 * twice that many ms (a quiet runtime), it is written through the page cache, so that a reader of the file has every
 * line soon after it was served, busy or not. A busy runtime's log then costs no page allocation and copy for every
 * 4 KB of it, nor the kernel's writeback, and does not fill the page cache with lines nobody reads again; but the writer
 * waits for the disk (bench/RESULTS.md). A file system that refuses direct I/O (tmpfs, some network file systems) gets
 * plain writes. {@link #stop} writes what it holds.
 */
final class AccessLogFile extends AppenderBase<ILoggingEvent> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AccessLogFile.class);

    /** The most bytes written directly in one call: the aligned buffer's size. */
    private static final int CHUNK = 1 << 20;
    /** How often held lines are looked at: those held since the last look are written through the page cache. */
    static final int TAIL_MILLIS = 50;

    private final Path dir;
    private final long maxSize;
    /** The highest index of a rolled file ({@code access.N.log}). */
    private final int maxIndex;
    private final boolean tryDirect;

    /** The file through the page cache: its last partial block, and everything when direct I/O is not taken. */
    private FileChannel plain;
    /** The file opened for direct I/O, or null. */
    private FileChannel direct;
    /** Aligned to {@link #block}: the file's bytes from {@link #base} on, of which {@link #fill} are held. */
    private ByteBuffer buffer;
    private int block;
    private long base;
    private int fill;
    /** The file's size: what has been written, one way or the other. */
    private long size;
    /** Where the lines held at the last look ended. */
    private long heldAtLastLook;
    /** Writes the lines held too long; while started with direct I/O. */
    private Thread looker;

    /**
     * @param files how many files are kept, {@code access.log} included (at least two)
     * @param direct whether to try direct I/O
     */
    AccessLogFile(Path dir, long maxSize, int files, boolean direct) {
        this.dir = dir;
        this.maxSize = maxSize;
        this.maxIndex = Math.max(1, files - 1);
        this.tryDirect = direct;
    }

    /** Whether the last write failed (said once in the runtime's log, and again when it works again). */
    private boolean failing;

    /** Says in the runtime's log, once until it works again, that the access log cannot be written: its lines are lost. */
    private void failed(String what, IOException e) {
        addError("the access log " + file() + " " + what, e);
        if (!failing) {
            failing = true;
            LOG.warn("the access log {} {}: {}; its lines are lost until it can be", file(), what, e.toString());
        }
    }

    /** @return the file written now */
    Path file() {
        return dir.resolve("access.log");
    }

    /** @return whether the file is written with direct I/O */
    synchronized boolean direct() {
        return direct != null;
    }

    @Override
    public void start() {
        try {
            Files.createDirectories(dir);
            open();
        } catch (IOException e) {
            failed("cannot be opened", e);
            return;
        }
        super.start();
        if (direct != null) {
            Thread t = new Thread(this::look, "mosaic-access-log-tail");
            t.setDaemon(true);
            t.start();
            looker = t;
        }
    }

    @Override
    public void stop() {
        Thread t = looker;
        if (t != null) {
            t.interrupt();
        }
        synchronized (this) {
            close();
        }
        super.stop();
    }

    /** Every {@link #TAIL_MILLIS} ms: lines held since the last look, which no write has taken since, go in the file. */
    private void look() {
        while (true) {
            try {
                Thread.sleep(TAIL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (direct == null) {
                    continue;
                }
                try {
                    if (size < heldAtLastLook) {
                        writeHeld();
                    }
                } catch (IOException e) {
                    failed("cannot be written", e);
                    close();
                }
                heldAtLastLook = base + fill;
            }
        }
    }

    @Override
    protected void append(ILoggingEvent event) {
        Object[] args = event.getArgumentArray();
        try {
            if (plain == null) {
                open(); // a failed roll-over left none open: try again
            }
            long now = plain.size();
            if (now < size) {
                truncated();
            } else if (direct == null) {
                size = now; // what another program appended stays (with direct I/O, nothing should be)
            }
            if (size >= maxSize) {
                roll();
            }
            if (args != null && args.length == 1 && args[0] instanceof ByteBuffer lines) {
                write(lines.duplicate());
            } else {
                write(ByteBuffer.wrap((event.getFormattedMessage() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            if (failing) {
                failing = false;
                LOG.info("the access log {} is written again", file());
            }
        } catch (IOException e) {
            failed("cannot be written", e);
            close(); // opened again, where it ends, by the next event
        }
    }

    private void open() throws IOException {
        Path f = file();
        plain = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        size = plain.size();
        direct = null;
        if (!tryDirect) {
            return;
        }
        FileChannel d = null;
        try {
            int b = (int) Files.getFileStore(f).getBlockSize();
            if (b <= 0 || Integer.bitCount(b) != 1 || b > 64 * 1024) {
                return;
            }
            d = FileChannel.open(f, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
            block = b;
            if (buffer == null || buffer.alignmentOffset(0, b) != 0) {
                buffer = ByteBuffer.allocateDirect(CHUNK + b).alignedSlice(b);
            }
            // the file's last partial block, which the next direct write writes again with what follows it
            base = size - size % b;
            fill = (int) (size - base);
            buffer.clear().limit(fill);
            while (buffer.hasRemaining()) {
                if (plain.read(buffer, base + buffer.position()) < 0) {
                    throw new IOException("the access log became shorter while it was read");
                }
            }
            direct = d;
        } catch (IOException | UnsupportedOperationException e) {
            // this file system does not take direct I/O: plain writes
            addInfo("the access log is written through the page cache: " + e);
            if (d != null) {
                try {
                    d.close();
                } catch (IOException x) {
                    e.addSuppressed(x);
                }
            }
        }
    }

    private void close() {
        if (direct != null && plain != null) {
            try {
                writeHeld();
            } catch (IOException e) {
                failed("cannot be written", e);
            }
        }
        for (FileChannel c : new FileChannel[] {direct, plain}) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException e) {
                    addWarn("closing the access log: " + e.getMessage());
                }
            }
        }
        direct = null;
        plain = null;
    }

    /**
     * The file was cut short by another program (logrotate's {@code copytruncate}, say): the lines go on at its new end,
     * those held here first, rather than after a hole where it used to end.
     */
    private void truncated() throws IOException {
        byte[] held = new byte[0];
        if (direct != null && base + fill > size) {
            buffer.limit(fill).position((int) (size - base));
            held = new byte[buffer.remaining()];
            buffer.get(held);
        }
        base = 0;
        fill = 0;
        size = 0;
        close();
        open();
        write(ByteBuffer.wrap(held));
    }

    /** access.log becomes access.1.log, access.1.log access.2.log, ..., the last one deleted, and a new access.log. */
    private void roll() throws IOException {
        close();
        Files.deleteIfExists(dir.resolve("access." + maxIndex + ".log"));
        for (int i = maxIndex - 1; i >= 1; i--) {
            Path from = dir.resolve("access." + i + ".log");
            if (Files.exists(from)) {
                Files.move(from, dir.resolve("access." + (i + 1) + ".log"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file(), dir.resolve("access.1.log"), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private void write(ByteBuffer lines) throws IOException {
        if (direct == null) {
            while (lines.hasRemaining()) {
                size += plain.write(lines, size);
            }
            return;
        }
        try {
            while (lines.hasRemaining()) {
                int n = Math.min(lines.remaining(), CHUNK - fill);
                buffer.limit(fill + n).position(fill);
                buffer.put(lines.slice().limit(n));
                lines.position(lines.position() + n);
                fill += n;
                int whole = fill - fill % block;
                if (whole > 0) {
                    buffer.limit(whole).position(0);
                    while (buffer.hasRemaining()) {
                        direct.write(buffer, base + buffer.position());
                    }
                    int rest = fill - whole;
                    buffer.limit(fill).position(whole);
                    ByteBuffer tail = buffer.slice();
                    buffer.clear();
                    buffer.put(tail);
                    base += whole;
                    fill = rest;
                    size = Math.max(size, base);
                }
            }
        } catch (IOException e) {
            // a file system that opened the file for direct I/O but refuses its writes: what is held goes through the
            // page cache, as does all that follows
            addInfo("the access log is written through the page cache from now on: " + e);
            direct.close();
            direct = null;
            writeHeld();
            write(lines);
            return;
        }
        // the last partial block waits for the next write, or the next look
    }

    /** Writes the lines held (the last partial block) through the page cache; the next direct write writes them again. */
    private void writeHeld() throws IOException {
        if (base + fill > size) {
            buffer.limit(fill).position((int) (size - base));
            while (buffer.hasRemaining()) {
                plain.write(buffer, base + buffer.position());
            }
            size = base + fill;
        }
    }
}
