package dev.mosaic.shell.internal;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.Kind;
import dev.mosaic.logs.RuntimeLogs;
import dev.mosaic.shell.internal.Answers.ApiError;

/**
 * One adapter's log level, set at runtime ({@code bin/mosaic log-level ADAPTER LEVEL}, {@code mosaic:log-level},
 * {@code PUT /api/v1/log-levels/{adapter}?level=DEBUG}): it decides over its loggers' levels for the lines the adapter
 * logs while serving, in every environment, until reset. Not kept across a restart. Each change is logged, with who
 * made it.
 */
final class LogLevels {

    private static final Logger LOG = LoggerFactory.getLogger(LogLevels.class);

    /** An adapter whose level was set. */
    record Level(String adapter, String level) {
    }

    /** A change of level: to {@code level} (null: back to its loggers'), from {@code previous}. */
    record Change(String adapter, String level, String previous, String summary) {
    }

    private LogLevels() {
    }

    static List<Level> of(RuntimeLogs logs) throws ApiError {
        return require(logs).levels().entrySet().stream().map(e -> new Level(e.getKey(), e.getValue())).toList();
    }

    /** @param level null or empty to reset */
    static Change set(RuntimeLogs logs, Deployer deployer, String adapter, String level, String actor) throws ApiError {
        RuntimeLogs l = require(logs);
        List<String> adapters = deployer.list(null, null, Kind.ADAPTER).stream().map(d -> d.name()).toList();
        boolean reset = level == null || level.isBlank() || level.equalsIgnoreCase("reset");
        if (!adapters.contains(adapter) && !(reset && l.levels().containsKey(adapter))) {
            throw new ApiError(404, "not_found", "no adapter " + adapter + " is deployed"
                    + dev.mosaic.deployer.Suggestions.didYouMean(adapter, adapters) + "; bin/mosaic ls --kind adapter lists them");
        }
        if (!reset && level.isBlank()) {
            throw new ApiError(400, "invalid_argument", "give a level: TRACE, DEBUG, INFO, WARN, ERROR or OFF (reset goes back"
                    + " to its loggers' levels)");
        }
        String previous = l.level(adapter, reset ? null : level); // an unknown level: IllegalArgumentException, a 400
        String now = reset ? null : level.trim().toUpperCase(java.util.Locale.ROOT);
        String summary = "log level of " + adapter + (now == null ? " back to its loggers' levels" : " set to " + now)
                + (previous == null ? "" : " (was " + previous + ")");
        LOG.info("{}, by {}", summary, actor);
        return new Change(adapter, now, previous, summary);
    }

    private static RuntimeLogs require(RuntimeLogs logs) throws ApiError {
        if (logs == null) {
            throw new ApiError(503, "unavailable", "this runtime has no log levels to set: they come with the launcher's"
                    + " logging (bin/mosaic run)");
        }
        return logs;
    }

    static String text(List<Level> levels) {
        Table t = new Table("ADAPTER", "LEVEL");
        levels.forEach(l -> t.row(l.adapter(), l.level()));
        return t.toString();
    }
}
