package dev.mosaic.deployer.internal.flow;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.internal.checks.ArtifactReader.ArchiveLimits;
import dev.mosaic.deployer.Durations;
import dev.mosaic.gateway.Gateway;

/**
 * The deployer's configuration, read once from framework properties: {@code mosaic.data}
 * (data directory, default {@code mosaic-data}), {@code mosaic.seed} (a directory of bundles
 * deployed to {@code prod} when the registry is empty), {@code mosaic.policy} (default
 * {@code <data>/policy.json}), {@code mosaic.deploy.drainMillis} (how long retiring handlers
 * may finish their requests, default 10000), {@code mosaic.deploy.activationMillis} (how
 * long components of a new bundle may take to become satisfied, default 5000),
 * {@code mosaic.deploy.maxBytes}, {@code .maxEntries}, {@code .maxInflatedBytes},
 * {@code .maxCompressionRatio} (archive limits), {@code mosaic.leaks.gcIntervalMillis} and
 * {@code .graceMillis}, {@code mosaic.ttl.sweepMillis}, {@code mosaic.ttl.default[.<env>]},
 * {@code mosaic.sunset.after}, {@code mosaic.journal.snapshotEvery}, {@code mosaic.history.keep},
 * {@code mosaic.deploy.replaceable} and {@code mosaic.rollout.judgeMillis}.
 */
public record Settings(Path data, Path seed, Path policyFile, Duration drain, Duration activation, ArchiveLimits archiveLimits,
        long maxUploadBytes, Duration leakGcInterval, Duration leakGrace, Duration ttlSweep, String sunsetAfter,
        Function<String, String> properties) {

    /** @param property a framework property by name, null when not set */
    public static Settings from(Function<String, String> property) {
        Function<String, String> p = name -> {
            String v = property.apply(name);
            return v == null || v.isBlank() ? null : v.trim();
        };
        Path data = Path.of(or(p.apply("mosaic.data"), "mosaic-data")).toAbsolutePath().normalize();
        String seed = p.apply("mosaic.seed");
        String policy = p.apply("mosaic.policy");
        return new Settings(data, seed == null ? null : Path.of(seed),
                policy == null ? data.resolve("policy.json") : Path.of(policy),
                millis(p, "mosaic.deploy.drainMillis", 10_000),
                millis(p, "mosaic.deploy.activationMillis", 5_000),
                new ArchiveLimits(Integer.parseInt(or(p.apply("mosaic.deploy.maxEntries"), "10000")),
                        Long.parseLong(or(p.apply("mosaic.deploy.maxInflatedBytes"), Long.toString(256L << 20))),
                        Integer.parseInt(or(p.apply("mosaic.deploy.maxCompressionRatio"), "200"))),
                Long.parseLong(or(p.apply("mosaic.deploy.maxBytes"), Long.toString(64L << 20))),
                millis(p, "mosaic.leaks.gcIntervalMillis", 10_000),
                millis(p, "mosaic.leaks.graceMillis", 10_000),
                millis(p, "mosaic.ttl.sweepMillis", 1_000),
                or(p.apply("mosaic.sunset.after"), "30d"),
                p);
    }

    /** {@code mosaic.ttl.default.<env>} if set; else none for prod, and {@code mosaic.ttl.default} (7d) elsewhere. */
    public Duration defaultTtl(String env) throws DeployException {
        String specific = properties.apply("mosaic.ttl.default." + env);
        if (specific != null) {
            return Durations.parse(specific, "mosaic.ttl.default." + env);
        }
        if (Gateway.DEFAULT_ENVIRONMENT.equals(env)) {
            return null;
        }
        return Durations.parse(or(properties.apply("mosaic.ttl.default"), "7d"), "mosaic.ttl.default");
    }

    /** @return after how many changes in the journal the registry is snapshotted and the journal emptied ({@code mosaic.journal.snapshotEvery}, 1000) */
    public int snapshotEvery() {
        return Math.max(1, Integer.parseInt(or(properties.apply("mosaic.journal.snapshotEvery"), "1000")));
    }

    /**
     * @return the base URL of the example backend server the launcher started ({@code mosaic.examples.backends}),
     *         which the seed's {@code backends.json} declares its backends at; null if there is none
     */
    public String exampleBackendsUrl() {
        return properties.apply("mosaic.examples.backends");
    }

    /**
     * @return whether a name and version deployed before may be deployed again with other bytes in {@code env}: only in
     *         the environments of {@code mosaic.deploy.replaceable} (comma-separated, default {@code dev}; {@code none} for none)
     */
    public boolean replaceable(String env) {
        return listed("mosaic.deploy.replaceable", "dev", env);
    }

    /**
     * @return whether {@code env} takes release versions only, never a development build (a SNAPSHOT version, or bytes
     *         that replaced others of their version): the environments of {@code mosaic.deploy.releasesOnly}
     *         (comma-separated, default {@code prod}; {@code none} for none)
     */
    public boolean releasesOnly(String env) {
        return listed("mosaic.deploy.releasesOnly", "prod", env);
    }

    /** @return whether the comma-separated environments of the property (or its default; "none": none) name {@code env} */
    private boolean listed(String property, String byDefault, String env) {
        String list = properties.apply(property);
        for (String e : (list == null ? byDefault : list).split(",")) {
            if (e.trim().equals(env)) {
                return true;
            }
        }
        return false;
    }

    /** @return how many of the last changes {@code history} keeps at least ({@code mosaic.history.keep}, 100000) */
    public long historyKeep() {
        return Math.max(1, Long.parseLong(or(properties.apply("mosaic.history.keep"), "100000")));
    }

    /** {@code mosaic.rollout.judgeMillis}: how often the canaries are judged (default 250 ms, at least 10). */
    public Duration judgeEvery() {
        return Duration.ofMillis(Math.max(10, millis(properties, "mosaic.rollout.judgeMillis", 250).toMillis()));
    }

    private static Duration millis(Function<String, String> p, String name, long defaultValue) {
        return Duration.ofMillis(Long.parseLong(or(p.apply(name), Long.toString(defaultValue))));
    }

    private static String or(String value, String defaultValue) {
        return value == null ? defaultValue : value;
    }
}
