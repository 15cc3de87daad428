package dev.mosaic.insight;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a module's consumers are spread over the versions of one of its major lines: a consumer
 * of 1.x is counted in the 1.x line, whose newest version is what it can move to.
 *
 * @param line the major line, e.g. {@code 1.x}
 * @param newest the newest version of the line that is not yanked
 * @param consumers version to the number of consumers wired to it, every deployed version of the line listed, oldest first
 * @param total consumers of the line in all
 * @param shareOnNewest the share of them on the line's newest version, 0 to 1 (0 when nobody uses the line)
 */
public record Uptake(String environment, String module, String line, String newest, Map<String, Integer> consumers, int total,
        double shareOnNewest) {

    public Uptake {
        consumers = Collections.unmodifiableMap(new LinkedHashMap<>(consumers));
    }
}
