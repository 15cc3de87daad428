package dev.mosaic.deployer;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consumer (adapter or module version) moving to other module versions.
 *
 * @param from bound module versions before, by module name
 * @param to bound module versions after, by module name
 * @param reason why it moves
 */
public record Move(String environment, String consumer, String consumerVersion, Map<String, String> from,
        Map<String, String> to, MoveReason reason) {

    public Move {
        from = Collections.unmodifiableMap(new TreeMap<>(from));
        to = Collections.unmodifiableMap(new TreeMap<>(to));
    }

    @Override
    public String toString() {
        return consumer + " " + consumerVersion + ": " + from + " -> " + to + " (" + reason + ")";
    }
}
