package dev.mosaic.launcher;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.slf4j.MDC;
import org.slf4j.Marker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.spi.FilterReply;
import dev.mosaic.logs.RuntimeLogs;

/**
 * The runtime's logging, with Logback: configured here in code (no XML to parse at start-up; an operator's file, named
 * with {@code -Dlogback.configurationFile}, is used instead when there is one), lines on stderr as
 * {@code 2026-12-03T09:12:01.123Z [thread] INFO Logger - message [adapter version env req=id]}, the bracket only on
 * lines logged while serving a request; with {@code -Dmosaic.log.format=json}, each line a JSON object instead
 * ({@link JsonLine}), for a log shipper. Level: {@code -Dmosaic.log.level} (default info; Jetty's warn). Also what
 * {@link RuntimeLogs} offers: following one adapter's lines, and setting one adapter's level at runtime.
 */
public final class Logging extends ContextAwareBase implements Configurator {

    private static final Logs LOGS = new Logs();

    /** For Logback's ServiceLoader. */
    public Logging() {
    }

    /** @return the runtime's logs, as a service */
    static RuntimeLogs logs() {
        return LOGS;
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        context.addTurboFilter(LOGS.levels);
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Line layout = new Line();
        layout.setContext(context);
        layout.start();
        LOGS.tail.setContext(context);
        LOGS.tail.layout = layout;
        LOGS.tail.setName("mosaic-tail");
        LOGS.tail.start();
        root.addAppender(LOGS.tail);
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY; // the operator's own file, read next
        }
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        if (JSON.equals(format(System.getProperty(FORMAT)))) {
            JsonLine json = new JsonLine();
            json.setContext(context);
            json.start();
            encoder.setLayout(json);
        } else {
            encoder.setLayout(layout); // also when the format is not one of the two: the launcher refuses to run then
        }
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        root.addAppender(console);
        root.setLevel(Level.toLevel(System.getProperty("mosaic.log.level", "info"), Level.INFO));
        context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * The access log ({@code mosaic.access}, one line per request an adapter answered): JSON lines (made by the gateway,
     * off the request threads) in {@code dir/access.log}, rolled over at {@code mosaic.access.log.maxSize} (100MB) into
     * {@code access.1.log} ... up to {@code mosaic.access.log.files} (10) files. Off unless {@code -Dmosaic.access.log=on} (then a request
     * pays one level check): bench/run observability measures what it costs.
     */
    static void accessLog(java.nio.file.Path dir) {
        if (!(org.slf4j.LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another logging backend: it decides
        }
        Logger access = context.getLogger("mosaic.access");
        access.setAdditive(false);
        if (!"on".equalsIgnoreCase(System.getProperty("mosaic.access.log", "off"))) {
            access.setLevel(Level.OFF);
            return;
        }
        access.setLevel(Level.INFO);
        // the gateway writes the lines as JSON already, many to an event, off the request threads: one write each
        AccessLogFile file = new AccessLogFile(dir,
                ch.qos.logback.core.util.FileSize.valueOf(System.getProperty("mosaic.access.log.maxSize", "100MB")).getSize(),
                Integer.getInteger("mosaic.access.log.files", 10),
                "on".equalsIgnoreCase(System.getProperty("mosaic.access.log.direct", "off")));
        file.setContext(context);
        file.setName("access-file");
        file.start();
        access.addAppender(file);
        accessFile = file;
    }

    private static volatile AccessLogFile accessFile;

    /** Writes the last lines of the access log, when there is one, and closes it: the runtime has stopped. */
    static void closeAccessLog() {
        AccessLogFile f = accessFile;
        if (f != null) {
            f.stop();
        }
    }

    /** The property that says how the runtime's log lines are written: {@code text} (the default) or {@code json}. */
    static final String FORMAT = "mosaic.log.format";
    static final String JSON = "json";

    /** @return the log format a value of {@link #FORMAT} names ({@code text} when unset), or null when it names none */
    static String format(String value) {
        String v = value == null || value.isBlank() ? "text" : value.trim().toLowerCase(Locale.ROOT);
        return v.equals("text") || v.equals(JSON) ? v : null;
    }

    /**
     * One JSON object per line: {@code time} (UTC), {@code level}, {@code thread}, {@code logger} (its whole name),
     * {@code message}, and on a line logged while serving, whose it is as the access log says it ({@code adapter},
     * {@code version}, {@code environment}, {@code request_id}); {@code error}, the stack trace, when there is one.
     */
    static final class JsonLine extends LayoutBase<ILoggingEvent> {
        private static final com.fasterxml.jackson.core.JsonFactory FACTORY = new com.fasterxml.jackson.core.JsonFactory();

        @Override
        public String doLayout(ILoggingEvent e) {
            java.io.StringWriter out = new java.io.StringWriter(256);
            try (com.fasterxml.jackson.core.JsonGenerator g = FACTORY.createGenerator(out)) {
                g.writeStartObject();
                g.writeStringField("time", Instant.ofEpochMilli(e.getTimeStamp()).toString());
                g.writeStringField("level", e.getLevel().toString());
                g.writeStringField("thread", e.getThreadName());
                g.writeStringField("logger", e.getLoggerName());
                g.writeStringField("message", e.getFormattedMessage());
                Map<String, String> mdc = e.getMDCPropertyMap();
                String adapter = mdc == null ? null : mdc.get(RuntimeLogs.ADAPTER);
                if (adapter != null) {
                    g.writeStringField("adapter", adapter);
                    g.writeStringField("version", mdc.get(RuntimeLogs.VERSION));
                    g.writeStringField("environment", mdc.get(RuntimeLogs.ENVIRONMENT));
                    g.writeStringField("request_id", mdc.get(RuntimeLogs.REQUEST_ID));
                }
                if (e.getThrowableProxy() != null) {
                    g.writeStringField("error", ThrowableProxyUtil.asString(e.getThrowableProxy()));
                }
                g.writeEndObject();
            } catch (java.io.IOException x) {
                throw new java.io.UncheckedIOException(x); // a StringWriter does not fail
            }
            return out.append('\n').toString();
        }
    }

    /** One line per event, as slf4j-simple wrote them before, and who was being served. */
    static final class Line extends LayoutBase<ILoggingEvent> {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
                .withZone(ZoneId.systemDefault());

        @Override
        public String doLayout(ILoggingEvent e) {
            StringBuilder b = new StringBuilder(128);
            TIME.formatTo(Instant.ofEpochMilli(e.getTimeStamp()), b);
            String logger = e.getLoggerName();
            b.append(" [").append(e.getThreadName()).append("] ").append(e.getLevel()).append(' ')
                    .append(logger.substring(logger.lastIndexOf('.') + 1)).append(" - ").append(e.getFormattedMessage());
            Map<String, String> mdc = e.getMDCPropertyMap();
            String adapter = mdc == null ? null : mdc.get(RuntimeLogs.ADAPTER);
            if (adapter != null) {
                b.append(" [").append(adapter).append(' ').append(mdc.get(RuntimeLogs.VERSION)).append(' ')
                        .append(mdc.get(RuntimeLogs.ENVIRONMENT)).append(" req=").append(mdc.get(RuntimeLogs.REQUEST_ID))
                        .append(']');
            }
            b.append('\n');
            if (e.getThrowableProxy() != null) {
                b.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
            }
            return b.toString();
        }
    }

    /** Who follows which adapter, and the levels set per adapter. */
    static final class Logs implements RuntimeLogs {
        final Tail tail = new Tail();
        final AdapterLevels levels = new AdapterLevels();

        @Override
        public AutoCloseable follow(String adapter, String environment, Consumer<String> lines) {
            Follower f = new Follower(adapter, environment, lines);
            tail.followers.add(f);
            return () -> tail.followers.remove(f);
        }

        @Override
        public String level(String adapter, String level) {
            if (level == null || level.isBlank()) {
                Level old = levels.byAdapter.remove(adapter);
                return old == null ? null : old.toString();
            }
            Level l = Level.toLevel(level.trim().toUpperCase(Locale.ROOT), null);
            if (l == null || !l.toString().equalsIgnoreCase(level.trim())) {
                throw new IllegalArgumentException("'" + level + "' is not a log level: use TRACE, DEBUG, INFO, WARN, ERROR or OFF");
            }
            Level old = levels.byAdapter.put(adapter, l);
            return old == null ? null : old.toString();
        }

        @Override
        public Map<String, String> levels() {
            Map<String, String> out = new TreeMap<>();
            levels.byAdapter.forEach((a, l) -> out.put(a, l.toString()));
            return out;
        }
    }

    private record Follower(String adapter, String environment, Consumer<String> lines) {
    }

    /** Hands the lines of followed adapters to their followers; nothing when nobody follows. */
    static final class Tail extends UnsynchronizedAppenderBase<ILoggingEvent> {
        final CopyOnWriteArrayList<Follower> followers = new CopyOnWriteArrayList<>();
        volatile Line layout;

        @Override
        protected void append(ILoggingEvent e) {
            if (followers.isEmpty()) {
                return;
            }
            Map<String, String> mdc = e.getMDCPropertyMap();
            String adapter = mdc == null ? null : mdc.get(RuntimeLogs.ADAPTER);
            if (adapter == null) {
                return;
            }
            String line = null;
            for (Follower f : followers) {
                if (f.adapter().equals(adapter) && (f.environment() == null || f.environment().equals(mdc.get(RuntimeLogs.ENVIRONMENT)))) {
                    if (line == null) {
                        line = layout.doLayout(e);
                    }
                    try {
                        f.lines().accept(line);
                    } catch (RuntimeException ignored) {
                        // a follower that fails is its own problem, never the logging thread's
                    }
                }
            }
        }
    }

    /** An adapter's level, set at runtime, decides over its loggers' levels for the lines it logs while serving. */
    static final class AdapterLevels extends TurboFilter {
        final Map<String, Level> byAdapter = new ConcurrentHashMap<>();

        @Override
        public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
            if (byAdapter.isEmpty()) {
                return FilterReply.NEUTRAL;
            }
            String adapter = MDC.get(RuntimeLogs.ADAPTER);
            Level set = adapter == null ? null : byAdapter.get(adapter);
            if (set == null) {
                return FilterReply.NEUTRAL;
            }
            return level.isGreaterOrEqual(set) ? FilterReply.ACCEPT : FilterReply.DENY;
        }
    }
}
