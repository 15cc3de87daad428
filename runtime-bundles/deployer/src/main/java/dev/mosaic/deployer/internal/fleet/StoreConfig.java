package dev.mosaic.deployer.internal.fleet;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Where the fleet's store is and how to reach it, from framework properties:
 * {@code mosaic.store} ({@code postgresql://[USER@]HOST[:PORT]/DB[?user=U&sslmode=M&...]}, the
 * form {@code libpq} takes), the password from the {@code MOSAIC_STORE_PASSWORD} environment
 * variable or the file {@code mosaic.store.passwordFile} names (never in the URL: a URL ends
 * up in process lists, shell histories and logs), {@code mosaic.group},
 * {@code mosaic.fleet.heartbeatMillis} (2000) and {@code mosaic.fleet.forgetAfterMillis} (a day:
 * when an instance not heard of leaves the listing). (How long a change waits for the instances,
 * {@code mosaic.fleet.awaitMillis}, is the management API's.)
 *
 * @param display the URL as it may be shown and logged (it holds no secret)
 */
public record StoreConfig(String display, String jdbcUrl, Properties connection, String group, Duration heartbeat,
        Duration forgetAfter) {

    public static final String PASSWORD_ENV = "MOSAIC_STORE_PASSWORD";

    /**
     * @return how recent an instance's heartbeat must be for it to count as live (three heartbeats): a change waits for
     *         the live instances, and is refused while a live one could not apply it
     */
    public Duration liveFor() {
        return heartbeat.multipliedBy(3);
    }
    /** The connection parameters a store URL may carry: the driver's, minus the password and what could load code. */
    private static final Set<String> ALLOWED = Set.of("user", "sslmode", "sslrootcert", "sslcert", "sslkey",
            "connectTimeout", "socketTimeout", "ApplicationName", "targetServerType", "options");

    /** @return the configuration, or null when no store is configured (one runtime, its own data directory) */
    public static StoreConfig from(Function<String, String> property, Function<String, String> environment) {
        String url = property.apply("mosaic.store");
        if (url == null || url.isBlank()) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(usage(url, e.getMessage()));
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException(usage(url, "the scheme is not postgresql"));
        }
        if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
            throw new IllegalArgumentException(usage(url, "it names no host or no database"));
        }
        Map<String, String> params = new TreeMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (k.equalsIgnoreCase("password")) {
                    throw new IllegalArgumentException("the store URL must not carry the password: put it in the "
                            + PASSWORD_ENV + " environment variable or in a file named by --store-password-file");
                }
                if (!ALLOWED.contains(k)) {
                    throw new IllegalArgumentException(usage(url, "'" + k + "' is not a parameter the store takes; it takes "
                            + new java.util.TreeSet<>(ALLOWED)));
                }
                params.put(k, v);
            }
        }
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            if (userInfo.contains(":")) {
                throw new IllegalArgumentException("the store URL must not carry the password: put it in the "
                        + PASSWORD_ENV + " environment variable or in a file named by --store-password-file");
            }
            params.putIfAbsent("user", URLDecoder.decode(userInfo, StandardCharsets.UTF_8));
        }
        Properties props = new Properties();
        props.putAll(params);
        props.putIfAbsent("connectTimeout", "5");
        // a store that stops answering (a network that drops packets) must not hold a change, the change lock with it,
        // forever: a read waits 30 s at most, then the call fails as if the store were away
        props.putIfAbsent("socketTimeout", "30");
        props.putIfAbsent("ApplicationName", "mosaic");
        props.setProperty("tcpKeepAlive", "true");
        String password = password(property.apply("mosaic.store.passwordFile"), environment.apply(PASSWORD_ENV));
        if (password != null) {
            props.setProperty("password", password);
        }
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String db = uri.getPath().substring(1);
        String display = "postgresql://" + (params.containsKey("user") ? params.get("user") + "@" : "") + uri.getHost() + ":"
                + port + "/" + db;
        String group = property.apply("mosaic.group");
        return new StoreConfig(display, "jdbc:postgresql://" + uri.getHost() + ":" + port + "/" + db, props,
                group == null || group.isBlank() ? "default" : group.trim(),
                Duration.ofMillis(Long.parseLong(or(property.apply("mosaic.fleet.heartbeatMillis"), "2000"))),
                Duration.ofMillis(Long.parseLong(or(property.apply("mosaic.fleet.forgetAfterMillis"), "86400000"))));
    }

    private static String password(String file, String fromEnvironment) {
        if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
            return fromEnvironment;
        }
        if (file == null || file.isBlank()) {
            return null;
        }
        try {
            return Files.readString(Path.of(file.trim())).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the store's password file " + file + ": " + e.getMessage());
        }
    }

    private static String usage(String url, String why) {
        return "--store takes postgresql://[USER@]HOST[:PORT]/DATABASE[?sslmode=require&...], not '" + url + "' (" + why + ")";
    }

    private static String or(String v, String d) {
        return v == null || v.isBlank() ? d : v.trim();
    }

    /** @return the user it connects as, for messages */
    public String user() {
        return connection.getProperty("user", System.getProperty("user.name"));
    }

    @Override
    public String toString() {
        return display; // never the password
    }
}
