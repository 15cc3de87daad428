package dev.mosaic.insight;

import java.util.List;

import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.StayReason;
import dev.mosaic.deployer.UptakePolicy;

/**
 * A deployment using a module.
 *
 * @param ranges its imports of the module's packages, e.g. {@code dev.example.catalog [1.0.0,2.0.0)}
 * @param wiredTo the version of the module it is wired to
 * @param admits for consumers elsewhere: whether its ranges would admit the version asked about
 * @param why for consumers elsewhere: why it is not on the version asked about (the rule of {@link StayReason})
 * @param reason the same, in words
 * @param via for a transitive consumer: the module versions it uses the module through ({@code a 1.2.0 > b 2.0.0}),
 *        null for a direct one
 */
public record Consumer(String environment, String name, String version, Kind kind, List<String> ranges,
        UptakePolicy uptake, String wiredTo, boolean admits, StayReason why, String reason, String via) {

    public Consumer {
        ranges = List.copyOf(ranges);
    }
}
