package dev.mosaic.gateway.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.backends.BackendTrace;

/**
 * The access log: one JSON line per request an adapter answered (who asked: the address of its connection, its
 * User-Agent and X-Forwarded-For; what it was; how it was answered, in how many bytes and how long), with each backend
 * call it made (which backend, what, how it ended, when and how long), on the logger {@code mosaic.access} (the launcher
 * writes its lines to {@code <data>/logs/access.log}, rotated). A request only notes what it was (one small object, put
 * in a list of the thread serving it: a lock no other request takes); a thread of its own takes the lists every few
 * milliseconds, makes the lines (ASCII bytes) and writes them as one log event, so that a request neither waits for a
 * disk nor spends its thread on JSON (under load the thread that reads and answers requests is the one busy CPU).
 * Lines of different threads may be out of order by those few milliseconds (each line has its time). A thread whose
 * list is full drops lines (counted, and said in the log) rather than grow without end or slow requests down. With that
 * logger off (the default; {@code -Dmosaic.access.log=on} turns it on) a request pays one level check;
 * {@code -Dmosaic.access.log.sample} logs a share of the requests answered below 500, and every 5xx, every request
 * whose trace is kept and every one that asked to be traced ({@code X-Mosaic-Trace}), so that what a collector or
 * {@code Server-Timing} shows has its line.
 */
final class AccessLog {

    static final Logger LOG = LoggerFactory.getLogger("mosaic.access");
    private static final Logger SELF = LoggerFactory.getLogger(AccessLog.class);

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

    // the constant parts of a line, in ASCII
    private static final byte[] TIME = "{\"time\":\"".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] TIME_END = "Z\"".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] REQUEST_ID = name("request_id");
    private static final byte[] TRACE_ID = name("trace_id");
    private static final byte[] ENVIRONMENT = name("environment");
    private static final byte[] METHOD = name("method");
    private static final byte[] PATH = ",\"path\":\"".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] STATUS = name("status");
    private static final byte[] BYTES_SENT = name("bytes");
    private static final byte[] CLIENT = name("client");
    private static final byte[] USER_AGENT = name("user_agent");
    private static final byte[] FORWARDED_FOR = name("forwarded_for");
    private static final byte[] MILLIS = name("millis");
    private static final byte[] BACKEND_CALLS = name("backend_calls");
    private static final byte[] BACKENDS = ",\"backends\":[".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CALL_NAME = "{\"name\":".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CALL_TARGET = name("target");
    private static final byte[] CALL_OUTCOME = name("outcome");
    private static final byte[] CALL_START = name("start_millis");
    private static final byte[] CALL_ATTEMPTS = name("attempts");
    private static final byte[] NULL = "null".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] END = "}\n".getBytes(StandardCharsets.ISO_8859_1);

    /** How many requests a thread may note before the writer takes them: some 80 ms at 200,000 a second. */
    private static final int MAX_PENDING = 16384;

    /** The most characters of a device's User-Agent or X-Forwarded-For written: the rest is left out. */
    static final int MAX_HEADER_CHARS = 256;

    /** What one request was: its line is made by the writer. */
    record Entry(long endNanos, String requestId, String traceId, String environment, String method, String path,
            String query, Target target, int status, long bytes, byte[] client, String userAgent, String forwardedFor,
            long nanos, int backendCalls, List<BackendTrace> calls) {
    }

    /** The requests one thread served and the writer has not taken yet; guarded by itself. */
    private static final class Pending {
        final Thread owner = Thread.currentThread();
        Entry[] entries = new Entry[64];
        int count;
    }

    /** Where the writer makes lines: ASCII bytes. */
    static final class Buffer {
        byte[] bytes = new byte[8192];
        int length;
        /** The second {@link #secondText} is for ({@code 2026-12-03T10:00:14.}). */
        long second = Long.MIN_VALUE;
        byte[] secondText;
    }

    /** Epoch nanoseconds minus {@link System#nanoTime()}: a request's end in wall-clock time without reading the clock. */
    private static volatile long wallOffsetNanos = System.currentTimeMillis() * 1_000_000L - System.nanoTime();

    private static final List<Pending> PENDING = new CopyOnWriteArrayList<>();
    private static final ThreadLocal<Pending> MINE = ThreadLocal.withInitial(() -> {
        Pending p = new Pending();
        PENDING.add(p);
        startWriterOnce();
        return p;
    });
    /** Lines dropped since the start (a thread's list was full). */
    private static final LongAdder DROPPED = new LongAdder();
    /** Lines written since the start; the writer's (and a stop's flush), read by a scrape. */
    private static final java.util.concurrent.atomic.AtomicLong WRITTEN = new java.util.concurrent.atomic.AtomicLong();
    /** How often the writer takes the lines ({@code -Dmosaic.access.log.interval}, milliseconds; for tests). */
    private static final long INTERVAL_MILLIS = Math.max(1, Long.getLong("mosaic.access.log.interval", 20));
    /**
     * The share of requests answered below 500 that get a line ({@code -Dmosaic.access.log.sample}, 0 to 1, default 1):
     * at full rate the lines are some 17 MB a second on a saturated two-core machine, whose writing costs more than
     * making them (bench/RESULTS.md); 5xx answers, requests whose traces are kept and those that asked to be traced
     * always get theirs.
     */
    static final double SAMPLE = sample(System.getProperty("mosaic.access.log.sample"));
    /** Whether lines go to the logger as bytes: with the runtime's Logback, whose access log encoder writes them as they are. */
    private static final boolean BYTES = LoggerFactory.getILoggerFactory().getClass().getName().startsWith("ch.qos.logback.");
    private static volatile Thread writer;

    private AccessLog() {
    }

    /**
     * @param response its answer, written (its status and how many bytes of body it had)
     * @param nanos how long it took
     * @param endNanos when it was answered ({@link System#nanoTime()})
     */
    static void served(Target t, RequestView v, org.eclipse.jetty.server.Response response, long nanos, long endNanos) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        int status = response.getStatus();
        if (SAMPLE < 1 && status < 500 && !v.timing() && !v.traceKept()
                && java.util.concurrent.ThreadLocalRandom.current().nextDouble() >= SAMPLE) {
            return;
        }
        int made = v.backendCallCount();
        org.eclipse.jetty.server.Request r = v.jettyRequest();
        org.eclipse.jetty.http.HttpFields headers = r.getHeaders();
        Entry e = new Entry(endNanos, v.requestId(), v.traceId(), v.environment(), v.method(), v.path(),
                r.getHttpURI().getQuery(), t, status, org.eclipse.jetty.server.Response.getContentBytesWritten(response),
                client(r), headers.get(org.eclipse.jetty.http.HttpHeader.USER_AGENT),
                headers.get(org.eclipse.jetty.http.HttpHeader.X_FORWARDED_FOR), nanos, made, made == 0 ? List.of() : v.calls());
        Pending p = MINE.get();
        synchronized (p) {
            if (p.count == p.entries.length) {
                if (p.count >= MAX_PENDING) {
                    DROPPED.increment();
                    return;
                }
                p.entries = java.util.Arrays.copyOf(p.entries, p.count * 2);
            }
            p.entries[p.count++] = e;
        }
    }

    /**
     * @return whether a request's backend calls are kept, one by one, for its line (the access log is on): a call's
     *         backend, target, status, outcome and time cost a small record beside the HTTP exchange itself
     */
    static boolean keepsCalls() {
        return LOG.isInfoEnabled();
    }

    /**
     * What a query parameter's value is replaced with when its name says it is a secret: the marker backend recordings
     * write for a redacted header, one word for both (and, unlike brackets, a query may carry it as it is).
     */
    static final String REDACTED = dev.mosaic.backends.Recordings.REDACTED;
    /** The parts of a parameter's name ({@code api_key}: api, key) that make its value a secret. */
    private static final Set<String> SECRET_PARTS = Set.of("token", "key", "apikey", "secret", "password",
            "passwd", "pwd", "auth", "authorization", "signature", "sig", "session", "sessionid", "sid", "credential",
            "credentials", "code", "otp", "jwt");
    /** Names whose end makes a value a secret ({@code accessToken}, {@code clientSecret}). */
    private static final List<String> SECRET_ENDS = List.of("token", "secret", "password", "apikey", "signature");
    /** More parameter names whose values are not written ({@code -Dmosaic.access.log.redact=name,...}), lower case. */
    private static final Set<String> REDACT = names(System.getProperty("mosaic.access.log.redact", ""));
    /** Where a parameter's name is cut into its parts. */
    private static final Pattern NAME_PARTS = Pattern.compile("[_.\\-]");

    private static Set<String> names(String list) {
        Set<String> names = new HashSet<>();
        for (String n : list.split(",")) {
            if (!n.isBlank()) {
                names.add(n.trim().toLowerCase(Locale.ROOT));
            }
        }
        return Set.copyOf(names);
    }

    /**
     * @return the query with the value of every parameter whose name says it carries a secret (a token, a key, a
     *         password, a signature, a session: {@code access_token}, {@code api_key}, {@code X-Amz-Signature}, ...,
     *         and those of {@code -Dmosaic.access.log.redact}) replaced by {@value #REDACTED}: a log is no place for them
     */
    static String redacted(String query) {
        if (query.indexOf('=') < 0) {
            return query;
        }
        String[] params = query.split("&", -1);
        boolean any = false;
        for (int i = 0; i < params.length; i++) {
            int eq = params[i].indexOf('=');
            if (eq > 0 && secret(params[i].substring(0, eq))) {
                params[i] = params[i].substring(0, eq + 1) + REDACTED;
                any = true;
            }
        }
        return any ? String.join("&", params) : query;
    }

    private static boolean secret(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (REDACT.contains(n)) {
            return true;
        }
        for (String end : SECRET_ENDS) {
            if (n.endsWith(end)) {
                return true;
            }
        }
        for (String part : NAME_PARTS.split(n)) {
            if (SECRET_PARTS.contains(part)) {
                return true;
            }
        }
        return false;
    }

    static double sample(String text) {
        if (text == null || text.isBlank()) {
            return 1;
        }
        try {
            double v = Double.parseDouble(text.trim());
            if (v >= 0 && v <= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        SELF.warn("mosaic.access.log.sample must be a share from 0 to 1, such as 0.1; '{}' is not: every request is logged", text);
        return 1;
    }

    private static synchronized void startWriterOnce() {
        if (writer != null) {
            return;
        }
        Thread w = new Thread(AccessLog::write, "mosaic-access-log");
        w.setDaemon(true);
        w.start();
        writer = w;
    }

    /**
     * Takes what the threads noted and writes it as one log event (one write to the file), every 20 ms; the list of a
     * thread that has ended is forgotten once empty.
     */
    private static void write() {
        long said = 0;
        while (true) {
            try {
                TimeUnit.MILLISECONDS.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException x) {
                return;
            }
            long dropped = DROPPED.sum();
            if (dropped > said) {
                SELF.warn("the access log dropped {} line(s): requests came faster than lines could be written", dropped - said);
                said = dropped;
            }
            flush();
        }
    }

    /** @return the lines written and dropped since the start, and whether the access log is on */
    static dev.mosaic.gateway.AccessLogCounts counts() {
        return new dev.mosaic.gateway.AccessLogCounts(LOG.isInfoEnabled(), WRITTEN.get(), DROPPED.sum());
    }

    /** The writer's: the list a thread gets in exchange for the one taken, and where the lines are made. */
    private static Entry[] spare = new Entry[64];
    private static final Buffer OUT = new Buffer();

    /** Writes what the threads noted so far: by the writer, and when the gateway stops (so that no line is left behind). */
    static synchronized void flush() {
        wallOffsetNanos = System.currentTimeMillis() * 1_000_000L - System.nanoTime(); // the wall clock may have moved
        Buffer out = OUT;
        out.length = 0;
        long lines = 0;
        for (Pending p : PENDING) {
            Entry[] taken;
            int count;
            synchronized (p) {
                count = p.count;
                if (count == 0) {
                    if (!p.owner.isAlive()) {
                        PENDING.remove(p);
                    }
                    continue;
                }
                taken = p.entries;
                p.entries = spare.length >= count ? spare : new Entry[Math.min(count * 2, MAX_PENDING)];
                p.count = 0;
            }
            for (int i = 0; i < count; i++) {
                append(out, taken[i]);
                taken[i] = null;
            }
            spare = taken;
            lines += count;
        }
        if (out.length == 0) {
            return;
        }
        try {
            if (BYTES) {
                // the runtime's access log file writes these bytes as they are before this returns (AccessLogFile in the
                // launcher), so they are not copied; another appender would see the buffer's toString() anyway
                LOG.info("{}", java.nio.ByteBuffer.wrap(out.bytes, 0, out.length).asReadOnlyBuffer());
            } else {
                // each line ends with a newline, and a logging backend adds one: the last is left out
                LOG.info(new String(out.bytes, 0, out.length - 1, StandardCharsets.ISO_8859_1));
            }
            WRITTEN.addAndGet(lines);
        } catch (RuntimeException x) {
            SELF.warn("access log lines could not be written: {}", x.toString());
        }
        if (out.bytes.length > 4 << 20) {
            out.bytes = new byte[8192]; // a burst's buffer is not kept
        }
    }

    /** Appends one request's line, a flat JSON object in ASCII, and a newline (by the writer; and bench/'s AccessLines). */
    static void append(Buffer b, Entry e) {
        long time = Math.floorDiv(e.endNanos() + wallOffsetNanos, 1_000_000L);
        Target t = e.target();
        long s = Math.floorDiv(time, 1000);
        if (s != b.second) {
            String text = Instant.ofEpochSecond(s).toString(); // 2026-12-03T10:00:14Z
            b.secondText = (text.substring(0, text.length() - 1) + ".").getBytes(StandardCharsets.ISO_8859_1);
            b.second = s;
        }
        byte[] fixed = t.accessLogFields;
        if (fixed == null) {
            // what every line of this route of this adapter version says alike, made once
            Buffer f = new Buffer();
            field(f, name("route"), t.template.toString());
            field(f, name("adapter"), t.tenant.adapter);
            field(f, name("version"), t.tenant.version);
            field(f, name("modules"), t.tenant.modules);
            fixed = java.util.Arrays.copyOf(f.bytes, f.length);
            t.accessLogFields = fixed;
        }
        room(b, 512 + fixed.length);
        bytes(b, TIME);
        bytes(b, b.secondText);
        int ms = (int) Math.floorMod(time, 1000);
        put(b, (byte) ('0' + ms / 100));
        put(b, (byte) ('0' + ms / 10 % 10));
        put(b, (byte) ('0' + ms % 10));
        bytes(b, TIME_END);
        field(b, REQUEST_ID, e.requestId());
        field(b, TRACE_ID, e.traceId());
        field(b, ENVIRONMENT, e.environment());
        field(b, METHOD, e.method());
        bytes(b, PATH);
        chars(b, e.path());
        String query = e.query();
        if (query != null) {
            put(b, (byte) '?');
            chars(b, redacted(query));
        }
        put(b, (byte) '"');
        bytes(b, fixed);
        bytes(b, STATUS);
        number(b, e.status());
        bytes(b, BYTES_SENT);
        number(b, e.bytes());
        bytes(b, e.client());
        if (e.userAgent() != null) {
            field(b, USER_AGENT, cut(e.userAgent()));
        }
        if (e.forwardedFor() != null) {
            field(b, FORWARDED_FOR, cut(e.forwardedFor()));
        }
        long hundredths = e.nanos() / 10_000; // milliseconds with two decimals
        bytes(b, MILLIS);
        hundredths(b, hundredths);
        bytes(b, BACKEND_CALLS);
        number(b, e.backendCalls());
        List<BackendTrace> calls = e.calls();
        if (!calls.isEmpty()) {
            // each call as it ended (or was abandoned when the request was answered), in the order they ended
            bytes(b, BACKENDS);
            for (int i = 0; i < calls.size(); i++) {
                BackendTrace c = calls.get(i);
                if (i > 0) {
                    put(b, (byte) ',');
                }
                bytes(b, CALL_NAME);
                put(b, (byte) '"');
                chars(b, c.backend());
                put(b, (byte) '"');
                field(b, METHOD, c.method());
                field(b, CALL_TARGET, redactedTarget(c.target()));
                bytes(b, STATUS);
                if (c.status() > 0) {
                    number(b, c.status());
                } else {
                    bytes(b, NULL); // no answer came
                }
                field(b, CALL_OUTCOME, c.outcome());
                bytes(b, CALL_START);
                hundredths(b, Math.round(c.startMillis() * 100));
                bytes(b, MILLIS);
                hundredths(b, Math.round(c.millis() * 100));
                bytes(b, CALL_ATTEMPTS);
                number(b, c.attempts());
                put(b, (byte) '}');
            }
            put(b, (byte) ']');
        }
        bytes(b, END);
    }

    private static String cut(String header) {
        return header.length() <= MAX_HEADER_CHARS ? header : header.substring(0, MAX_HEADER_CHARS);
    }

    /**
     * @return the {@code client} field of a request's line: the address of its connection, without its port
     *         ({@code 203.0.113.7}, {@code 2001:db8::1}), null when it has none; made once per device connection (its
     *         requests share it) and kept on it, so that a line's writer copies bytes
     */
    static byte[] client(org.eclipse.jetty.server.Request r) {
        if (r.getConnectionMetaData().getConnection().getEndPoint() instanceof DeviceEndPoint d) {
            byte[] field = d.accessLogClient;
            if (field == null) {
                field = clientField(d.address);
                d.accessLogClient = field; // a race makes the same bytes twice
            }
            return field;
        }
        return clientField(r.getConnectionMetaData().getRemoteSocketAddress() instanceof java.net.InetSocketAddress a
                ? a.getAddress() : null);
    }

    static byte[] clientField(java.net.InetAddress address) {
        Buffer f = new Buffer();
        field(f, CLIENT, address == null ? null : address.getHostAddress());
        return java.util.Arrays.copyOf(f.bytes, f.length);
    }

    /** @return a backend call's path and query, with the values of secret parameters {@link #redacted} */
    static String redactedTarget(String target) {
        int q = target.indexOf('?');
        if (q < 0) {
            return target;
        }
        String query = target.substring(q + 1);
        String redacted = redacted(query);
        return redacted == query ? target : target.substring(0, q + 1) + redacted;
    }

    /** Appends a count of hundredths as a decimal with two places ({@code 1234}: {@code 12.34}). */
    private static void hundredths(Buffer b, long hundredths) {
        number(b, hundredths / 100);
        put(b, (byte) '.');
        put(b, (byte) ('0' + hundredths / 10 % 10));
        put(b, (byte) ('0' + hundredths % 10));
    }

    private static void room(Buffer b, int more) {
        if (b.length + more > b.bytes.length) {
            b.bytes = java.util.Arrays.copyOf(b.bytes, Math.max(b.bytes.length * 2, b.length + more));
        }
    }

    private static void put(Buffer b, byte c) {
        if (b.length == b.bytes.length) {
            room(b, 1);
        }
        b.bytes[b.length++] = c;
    }

    private static void bytes(Buffer b, byte[] bytes) {
        room(b, bytes.length);
        System.arraycopy(bytes, 0, b.bytes, b.length, bytes.length);
        b.length += bytes.length;
    }

    private static void number(Buffer b, long v) {
        if (v < 0) {
            put(b, (byte) '-');
            v = -v;
        }
        if (v < 10) {
            put(b, (byte) ('0' + v));
            return;
        }
        room(b, 20);
        int start = b.length;
        while (v > 0) {
            b.bytes[b.length++] = (byte) ('0' + v % 10);
            v /= 10;
        }
        for (int i = start, j = b.length - 1; i < j; i++, j--) {
            byte x = b.bytes[i];
            b.bytes[i] = b.bytes[j];
            b.bytes[j] = x;
        }
    }

    /** @param name the field's {@link #name} */
    private static void field(Buffer b, byte[] name, String value) {
        bytes(b, name);
        if (value == null) {
            bytes(b, NULL);
            return;
        }
        put(b, (byte) '"');
        chars(b, value);
        put(b, (byte) '"');
    }

    /** @return {@code ,"name":} in ASCII */
    private static byte[] name(String name) {
        return (",\"" + name + "\":").getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Appends text as the inside of a JSON string, in ASCII: what is not printable ASCII is escaped ({@code \u00e9}).
     * Printable ASCII, nearly everything here, is copied in a loop that keeps its place in locals (the writer's CPU is
     * mostly this loop: its time is taken from the cores that serve requests).
     */
    private static void chars(Buffer b, String value) {
        int n = value.length();
        room(b, n);
        byte[] out = b.bytes;
        int at = b.length;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                b.length = at;
                escaping(b, value, i);
                return;
            }
            out[at++] = (byte) c;
        }
        b.length = at;
    }

    /** {@link #chars} from the first character that needs escaping on. */
    private static void escaping(Buffer b, String value, int from) {
        int n = value.length();
        for (int i = from; i < n; i++) {
            char c = value.charAt(i);
            room(b, 6);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                b.bytes[b.length++] = (byte) c;
                continue;
            }
            b.bytes[b.length++] = '\\';
            switch (c) {
                case '"' -> b.bytes[b.length++] = '"';
                case '\\' -> b.bytes[b.length++] = '\\';
                case '\n' -> b.bytes[b.length++] = 'n';
                case '\r' -> b.bytes[b.length++] = 'r';
                case '\t' -> b.bytes[b.length++] = 't';
                default -> {
                    b.bytes[b.length++] = 'u';
                    b.bytes[b.length++] = HEX[c >> 12 & 0xF];
                    b.bytes[b.length++] = HEX[c >> 8 & 0xF];
                    b.bytes[b.length++] = HEX[c >> 4 & 0xF];
                    b.bytes[b.length++] = HEX[c & 0xF];
                }
            }
        }
    }
}
