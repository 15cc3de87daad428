package dev.mosaic.gateway.internal;

import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one JSON line per request an adapter answered, on the logger {@code mosaic.access} (the launcher
 * writes its lines to {@code <data>/logs/access.log}, rotated). A request only queues what it was (one small object);
 * a thread of its own writes the line, so that a request never waits for a disk, and a full queue drops lines (counted,
 * and said in the log) rather than slow requests down. With that logger off (the default; {@code -Dmosaic.access.log=on}
 * turns it on) a request pays one level check.
 */
final class AccessLog {

    static final Logger LOG = LoggerFactory.getLogger("mosaic.access");
    private static final Logger SELF = LoggerFactory.getLogger(AccessLog.class);

    /** What a request was; written as a line by the writer thread. */
    private record Entry(long time, String requestId, String traceId, String environment, String method, String path,
            Target target, int status, long nanos, int backendCalls) {
    }

    private static final BlockingQueue<Entry> QUEUE = new ArrayBlockingQueue<>(65_536);
    private static final LongAdder DROPPED = new LongAdder();
    private static volatile Thread writer;

    private AccessLog() {
    }

    static void served(Target t, RequestView v, int status, long nanos) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        if (writer == null) {
            startWriter();
        }
        if (!QUEUE.offer(new Entry(System.currentTimeMillis(), v.requestId(), v.traceId(), v.environment(),
                v.method(), v.pathAndQuery(), t, status, nanos, v.backendCallCount()))) {
            DROPPED.increment();
        }
    }

    private static synchronized void startWriter() {
        if (writer != null) {
            return;
        }
        Thread w = new Thread(AccessLog::write, "mosaic-access-log");
        w.setDaemon(true);
        w.start();
        writer = w;
    }

    /**
     * Writes what the requests queued, many lines to one log event (one write to the file); when there is nothing, it
     * sleeps rather than waits on the queue, so that a request queuing a line never has a thread to wake.
     */
    private static void write() {
        StringBuilder lines = new StringBuilder(64 * 1024);
        java.util.List<Entry> batch = new java.util.ArrayList<>(1024);
        while (true) {
            QUEUE.drainTo(batch, 1024);
            long dropped = DROPPED.sumThenReset();
            if (dropped > 0) {
                SELF.warn("the access log dropped {} line(s): requests came faster than lines could be written", dropped);
            }
            if (batch.isEmpty()) {
                try {
                    TimeUnit.MILLISECONDS.sleep(20);
                } catch (InterruptedException x) {
                    return;
                }
                continue;
            }
            lines.setLength(0);
            for (Entry e : batch) {
                if (lines.length() > 0) {
                    lines.append('\n');
                }
                append(lines, e);
            }
            batch.clear();
            try {
                LOG.info(lines.toString());
            } catch (RuntimeException x) {
                SELF.warn("access log lines could not be written: {}", x.toString());
            }
        }
    }

    /** @return the entry as one flat JSON object */
    static String line(StringBuilder b, Entry e) {
        b.setLength(0);
        append(b, e);
        return b.toString();
    }

    /** The second the cached time prefix is for, and the prefix ({@code 2026-12-03T10:00:14.}); the writer's alone. */
    private static long second = Long.MIN_VALUE;
    private static String secondText = "";

    /** Appends the entry as one flat JSON object: built by hand, as this runs once per request served. */
    private static void append(StringBuilder b, Entry e) {
        long s = Math.floorDiv(e.time(), 1000);
        if (s != second) {
            String t = Instant.ofEpochSecond(s).toString(); // 2026-12-03T10:00:14Z
            secondText = t.substring(0, t.length() - 1) + ".";
            second = s;
        }
        int ms = (int) Math.floorMod(e.time(), 1000);
        b.append("{\"time\":\"").append(secondText).append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10))
                .append((char) ('0' + ms % 10)).append("Z\"");
        field(b, "request_id", e.requestId());
        field(b, "trace_id", e.traceId());
        field(b, "environment", e.environment());
        field(b, "method", e.method());
        field(b, "path", e.path());
        Target t = e.target();
        String fixed = t.accessLogFields;
        if (fixed == null) {
            // what every line of this route of this adapter version says alike, made once
            StringBuilder f = new StringBuilder(160);
            field(f, "route", t.template.toString());
            field(f, "adapter", t.tenant.adapter);
            field(f, "version", t.tenant.version);
            field(f, "modules", t.tenant.modules);
            fixed = f.toString();
            t.accessLogFields = fixed;
        }
        b.append(fixed);
        b.append(",\"status\":").append(e.status());
        long hundredths = e.nanos() / 10_000; // milliseconds with two decimals
        b.append(",\"millis\":").append(hundredths / 100).append('.').append((char) ('0' + hundredths / 10 % 10))
                .append((char) ('0' + hundredths % 10));
        b.append(",\"backend_calls\":").append(e.backendCalls()).append('}');
    }

    /** @return whether the text needs no escaping in JSON (most do not: names, versions, paths) */
    private static boolean plain(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append(",\"").append(name).append("\":");
        if (value == null) {
            b.append("null");
            return;
        }
        b.append('"');
        if (plain(value)) {
            b.append(value).append('"');
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
