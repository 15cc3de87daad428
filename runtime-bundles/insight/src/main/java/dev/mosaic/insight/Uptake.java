package dev.mosaic.insight;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a module's consumers are spread over its versions.
 *
 * @param newest the newest version that is not yanked
 * @param consumers version to the number of consumers wired to it, every deployed version listed, oldest first
 * @param total consumers in all
 * @param shareOnNewest the share of consumers on the newest version, 0 to 1 (0 when nobody uses the module)
 */
public record Uptake(String environment, String module, String newest, Map<String, Integer> consumers, int total,
        double shareOnNewest) {

    public Uptake {
        consumers = Collections.unmodifiableMap(new LinkedHashMap<>(consumers));
    }
}
