package dev.mosaic.deployer;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consumer of a released module that does not move to the release, and why.
 *
 * @param bindings the module versions it stays bound to, by module name
 * @param why the reason (see {@link StayReason} for the rule)
 * @param reason the reason in words
 */
public record Stay(String environment, String consumer, String consumerVersion, Map<String, String> bindings,
        StayReason why, String reason) {

    public Stay {
        bindings = Collections.unmodifiableMap(new TreeMap<>(bindings));
    }

    /** @return the stay of a consumer whose imports of the module are {@code ranges}, explained by the one rule */
    public static Stay of(String environment, String consumer, String consumerVersion, Map<String, String> bindings,
            List<ImportInfo> ranges, boolean admits, String version, boolean yanked, String on, UptakePolicy uptake) {
        StayReason why = StayReason.of(ranges, admits, version, yanked, on, uptake);
        return new Stay(environment, consumer, consumerVersion, bindings, why, why.explain(ranges, version, on));
    }

    @Override
    public String toString() {
        return consumer + " " + consumerVersion + " stays: " + reason;
    }
}
