package dev.mosaic.gateway.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The access log's line, made and written outside a runtime, for bench/'s {@code accessline} benchmark: what the
 * writer thread does for each request, on one thread and nothing else. Each request is what the observability
 * benchmark's route is ({@code GET /bench/inline}, no query, no backend calls, a trace id) with ids of its own, as the
 * runtime notes it ({@link AccessLog.Entry}); lines are made into a buffer of {@value #CHUNK} bytes, written (when
 * writing) at the end of a file, as the runtime's access log file does through the page cache, at that size.
 */
public final class AccessLines {

    /** The most bytes made before they are written (the runtime writes some 20 ms of lines at once). */
    public static final int CHUNK = 64 << 10;
    /** Where a file written to is cut back to nothing, so that a run does not fill the disk. */
    private static final long MAX_FILE = 256L << 20;

    private final AccessLog.Entry[] entries;
    private final byte[] made;
    private final AccessLog.Buffer buffer = new AccessLog.Buffer();
    private final FileChannel file;
    private long size;
    private int next;

    /**
     * @param requests how many requests' notes to cycle through: few stay in the core's caches, many do not (as in a
     *        runtime, where a request's note is read some 20 ms and thousands of requests after it was made)
     * @param file where lines are written, or null to only make them
     */
    public AccessLines(int requests, FileChannel file) {
        this.file = file;
        buffer.bytes = new byte[CHUNK];
        Tenant tenant = new Tenant(1, "dev.mosaic.fixtures.bench", "1.0.0", 1000, 64, Set.of());
        Target target = new Target(null, r -> "pong", tenant, "GET", RouteTemplate.parse("/bench/inline"), true);
        byte[] client = AccessLog.clientField(java.net.InetAddress.getLoopbackAddress());
        entries = new AccessLog.Entry[requests];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long now = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            // strings of their own for each request, as the runtime's are (its ids, its path as the device sent it)
            String path = new String("/bench/inline".toCharArray());
            entries[i] = new AccessLog.Entry(now + i * 13_000L, hex(random.nextLong(), 16), hex(random.nextLong(), 16)
                    + hex(random.nextLong(), 16), "prod", "GET", path, null, target, 200, 4, client, null, null,
                    40_000 + random.nextInt(60_000), 0, List.of());
        }
        AccessLog.Buffer one = new AccessLog.Buffer();
        AccessLog.append(one, entries[0]);
        made = java.util.Arrays.copyOf(one.bytes, one.length);
    }

    private static String hex(long v, int digits) {
        String s = Long.toHexString(v);
        return "0".repeat(Math.max(0, digits - s.length())) + s;
    }

    /** @return how long a line is, in bytes */
    public int lineLength() {
        return made.length;
    }

    /** @return the first line, as text */
    public String line() {
        return new String(made, StandardCharsets.ISO_8859_1);
    }

    /** Makes the next request's line (and writes what was made, when a file is given and a chunk is full). */
    public int make() throws IOException {
        AccessLog.Entry e = entries[next];
        next = next + 1 == entries.length ? 0 : next + 1;
        AccessLog.append(buffer, e);
        return full();
    }

    /** The yardstick: puts a line made beforehand in the buffer, as if making one cost nothing. */
    public int copy() throws IOException {
        AccessLog.Buffer b = buffer;
        System.arraycopy(made, 0, b.bytes, b.length, made.length);
        b.length += made.length;
        return full();
    }

    private int full() throws IOException {
        AccessLog.Buffer b = buffer;
        int length = b.length;
        if (length + 1024 > CHUNK) {
            if (file != null) {
                ByteBuffer lines = ByteBuffer.wrap(b.bytes, 0, length).asReadOnlyBuffer();
                if (size > MAX_FILE) {
                    file.truncate(0);
                    size = 0;
                }
                while (lines.hasRemaining()) {
                    size += file.write(lines, size);
                }
            }
            b.length = 0;
        }
        return length;
    }
}
