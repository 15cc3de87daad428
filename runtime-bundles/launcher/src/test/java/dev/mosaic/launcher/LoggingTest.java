package dev.mosaic.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import dev.mosaic.logs.RuntimeLogs;

/** The runtime's log lines as JSON objects ({@code -Dmosaic.log.format=json}). */
class LoggingTest {

    private final LoggerContext context = new LoggerContext();

    private String line(Level level, String message, Throwable error, Map<String, String> mdc) {
        LoggingEvent e = new LoggingEvent(LoggingTest.class.getName(), context.getLogger("dev.example.Chatty"), level, message,
                error, null);
        e.setTimeStamp(java.time.Instant.parse("2026-12-04T00:00:00.123Z").toEpochMilli());
        e.setMDCPropertyMap(mdc);
        Logging.JsonLine layout = new Logging.JsonLine();
        layout.setContext(context);
        layout.start();
        return layout.doLayout(e);
    }

    @Test
    void aLineIsOneJsonObjectSayingWhoseItIsAndItsErrorWithAnyTextInIt() throws Exception {
        String served = line(Level.INFO, "handling \"q\"=1\nnext line: é", null, Map.of(RuntimeLogs.ADAPTER, "dev.example.chatty",
                RuntimeLogs.VERSION, "1.0.0", RuntimeLogs.ENVIRONMENT, "dev", RuntimeLogs.REQUEST_ID, "req-1"));
        assertTrue(served.endsWith("}\n") && served.indexOf('\n') == served.length() - 1, "one line: " + served);
        JsonNode j = new ObjectMapper().readTree(served);
        assertEquals("2026-12-04T00:00:00.123Z", j.get("time").asText());
        assertEquals("INFO", j.get("level").asText());
        assertEquals("dev.example.Chatty", j.get("logger").asText());
        assertEquals(Thread.currentThread().getName(), j.get("thread").asText());
        assertEquals("handling \"q\"=1\nnext line: é", j.get("message").asText());
        assertEquals("dev.example.chatty", j.get("adapter").asText());
        assertEquals("1.0.0", j.get("version").asText());
        assertEquals("dev", j.get("environment").asText());
        assertEquals("req-1", j.get("request_id").asText());
        assertNull(j.get("error"));

        JsonNode failed = new ObjectMapper().readTree(line(Level.ERROR, "it failed", new IllegalStateException("boom"), Map.of()));
        assertEquals("ERROR", failed.get("level").asText());
        assertTrue(failed.get("error").asText().startsWith("java.lang.IllegalStateException: boom"), failed.toString());
        assertTrue(failed.get("error").asText().contains("at dev.mosaic.launcher.LoggingTest."), failed.toString());
        assertFalse(failed.has("adapter"), "not logged while serving: no adapter");
    }

    @Test
    void theFormatIsTextOrJsonAndNothingElse() {
        assertEquals("text", Logging.format(null));
        assertEquals("text", Logging.format(" "));
        assertEquals("text", Logging.format("TEXT"));
        assertEquals("json", Logging.format(" Json "));
        assertNull(Logging.format("xml"));
    }
}
