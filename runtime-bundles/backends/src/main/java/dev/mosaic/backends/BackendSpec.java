package dev.mosaic.backends;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A backend as an operator declares it in one environment: its base URLs and its call policy.
 * Every value is explicit once {@linkplain #parse parsed}: what was not given has its default.
 *
 * <p>Secret header values are never part of a declaration: {@link #secretHeaders()} maps a header
 * name to where its value is read when calls are made, {@code env:VARIABLE} (an environment
 * variable of the runtime) or {@code file:/path} (a file's content, trimmed). The same holds for
 * the trust and key store passwords. So a declaration can be shown, logged and kept in history
 * as it is.
 *
 * @param name the backend's name, e.g. {@code recommendations}
 * @param urls one or more base URLs (http or https), used round-robin
 * @param timeoutMillis the longest a call may take, retries included
 * @param retries how many times an idempotent call is tried again at most
 * @param retryBudgetPercent retries allowed, as a share of the calls over the last 10 s
 * @param maxConcurrent calls in flight at once at most; more fail at once
 * @param breakerFailurePercent the failure rate, over the breaker's window, that opens the breaker
 * @param breakerMinCalls the calls in the window before the failure rate counts
 * @param breakerWindowSeconds the breaker's window
 * @param breakerOpenMillis how long the breaker stays open before it lets probes through
 * @param maxResponseBytes the largest answer read
 * @param headers headers added to every call (not secrets)
 * @param secretHeaders headers added to every call, valued from {@code env:VARIABLE} or {@code file:/path}
 * @param trustStore a PKCS12 or JKS trust store for https, or {@code null} for the JVM's
 * @param trustStorePassword {@code env:} or {@code file:} reference to its password, or {@code null}
 * @param keyStore a PKCS12 or JKS key store with a client certificate, or {@code null}
 * @param keyStorePassword {@code env:} or {@code file:} reference to its password, or {@code null}
 */
public record BackendSpec(String name, List<String> urls, long timeoutMillis, int retries, int retryBudgetPercent,
        int maxConcurrent, int breakerFailurePercent, int breakerMinCalls, int breakerWindowSeconds, long breakerOpenMillis,
        long maxResponseBytes, Map<String, String> headers, Map<String, String> secretHeaders, String trustStore,
        String trustStorePassword, String keyStore, String keyStorePassword) {

    /** The manifest header in which an adapter names the backends it calls: {@code Mosaic-Backends: recommendations, bookmarks}. */
    public static final String MANIFEST_HEADER = "Mosaic-Backends";

    /** What a backend name looks like. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");

    public static final long DEFAULT_TIMEOUT_MILLIS = 1_000;
    public static final int DEFAULT_RETRIES = 2;
    public static final int DEFAULT_RETRY_BUDGET_PERCENT = 20;
    public static final int DEFAULT_MAX_CONCURRENT = 100;
    public static final int DEFAULT_BREAKER_FAILURE_PERCENT = 50;
    public static final int DEFAULT_BREAKER_MIN_CALLS = 20;
    public static final int DEFAULT_BREAKER_WINDOW_SECONDS = 10;
    public static final long DEFAULT_BREAKER_OPEN_MILLIS = 5_000;
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 8L << 20;

    /** The options a declaration is made of, as the console, the HTTP API and the CLI spell them. */
    public static final Set<String> OPTIONS = Set.of("url", "timeout", "retries", "retry-budget", "max-concurrent",
            "breaker-failure-rate", "breaker-min-calls", "breaker-window", "breaker-open", "max-response", "header",
            "secret-header", "trust-store", "trust-store-password", "key-store", "key-store-password");

    /** Headers the platform sets itself, or that would break the exchange: never declared. */
    private static final Set<String> RESERVED = Set.of("host", "content-length", "transfer-encoding", "connection",
            "upgrade", "te", "trailer", "traceparent", "tracestate", "x-request-id", "expect", "keep-alive");
    /** Header names whose values are credentials: only as secret headers. */
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(authorization|api[-_]?key|token|secret|password|cookie).*");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern REFERENCE = Pattern.compile("(env:[A-Za-z_][A-Za-z0-9_]*|file:/.+)");

    public BackendSpec {
        urls = List.copyOf(urls);
        headers = headers == null ? Map.of() : Map.copyOf(new TreeMap<>(headers));
        secretHeaders = secretHeaders == null ? Map.of() : Map.copyOf(new TreeMap<>(secretHeaders));
    }

    /**
     * Reads a declaration from its options, checking each: what is wrong is named.
     *
     * @param name the backend's name
     * @param options option name (one of {@link #OPTIONS}) to its values; {@code url}, {@code header}
     *        and {@code secret-header} may repeat, the others take one value. Durations are
     *        {@code 250ms}, {@code 1s}, {@code 2m} (plain numbers are milliseconds), sizes
     *        {@code 8MiB}, {@code 512KiB}, {@code 1000} (bytes), rates {@code 20%} or {@code 20}
     * @throws IllegalArgumentException naming the option that is wrong and what it must be
     */
    public static BackendSpec parse(String name, Map<String, List<String>> options) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a backend name is lower-case letters, digits and '-', starting with a"
                    + " letter, at most 63 characters; got '" + name + "'");
        }
        for (String key : options.keySet()) {
            if (!OPTIONS.contains(key)) {
                throw new IllegalArgumentException("unknown backend option '" + key + "'; the options are "
                        + new java.util.TreeSet<>(OPTIONS));
            }
        }
        List<String> urls = new ArrayList<>();
        for (String u : options.getOrDefault("url", List.of())) {
            for (String one : u.split(",")) {
                if (!one.isBlank()) {
                    urls.add(url(one.trim()));
                }
            }
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("backend " + name + " needs at least one base URL: --url http://host:port/path");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h : options.getOrDefault("header", List.of())) {
            String[] nv = pair(h, "header");
            if (SECRET_NAME.matcher(nv[0]).matches()) {
                throw new IllegalArgumentException("header " + nv[0] + " looks like a credential: declare it with"
                        + " --secret-header " + nv[0] + "=env:VARIABLE or =file:/path, so its value never appears in a"
                        + " command, the history or a listing");
            }
            if (nv[1].chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                throw new IllegalArgumentException("header " + nv[0] + " has a control character in its value");
            }
            headers.put(nv[0], nv[1]);
        }
        Map<String, String> secrets = new LinkedHashMap<>();
        for (String h : options.getOrDefault("secret-header", List.of())) {
            String[] nv = pair(h, "secret-header");
            secrets.put(nv[0], reference(nv[1], "secret header " + nv[0]));
            if (headers.containsKey(nv[0])) {
                throw new IllegalArgumentException("header " + nv[0] + " is declared both plain and secret");
            }
        }
        String trustStore = one(options, "trust-store");
        String keyStore = one(options, "key-store");
        String trustPassword = one(options, "trust-store-password");
        String keyPassword = one(options, "key-store-password");
        if (trustPassword != null) {
            trustPassword = reference(trustPassword, "trust-store-password");
        }
        if (keyPassword != null) {
            keyPassword = reference(keyPassword, "key-store-password");
        }
        if (keyStore != null && keyPassword == null) {
            throw new IllegalArgumentException("key-store needs key-store-password (env:VARIABLE or file:/path)");
        }
        for (String store : new String[] {trustStore, keyStore}) {
            if (store != null && !store.startsWith("/")) {
                throw new IllegalArgumentException("a store is an absolute file path, got '" + store + "'");
            }
        }
        if ((trustStore != null || keyStore != null) && urls.stream().noneMatch(u -> u.startsWith("https:"))) {
            throw new IllegalArgumentException("trust-store and key-store apply to https URLs; backend " + name
                    + " has none");
        }
        return new BackendSpec(name, urls,
                millis(options, "timeout", DEFAULT_TIMEOUT_MILLIS, 1, 600_000),
                (int) count(options, "retries", DEFAULT_RETRIES, 0, 10),
                percent(options, "retry-budget", DEFAULT_RETRY_BUDGET_PERCENT),
                (int) count(options, "max-concurrent", DEFAULT_MAX_CONCURRENT, 1, 100_000),
                Math.max(1, percent(options, "breaker-failure-rate", DEFAULT_BREAKER_FAILURE_PERCENT)),
                (int) count(options, "breaker-min-calls", DEFAULT_BREAKER_MIN_CALLS, 1, 1_000_000),
                (int) (millis(options, "breaker-window", DEFAULT_BREAKER_WINDOW_SECONDS * 1000L, 1000, 3_600_000) / 1000),
                millis(options, "breaker-open", DEFAULT_BREAKER_OPEN_MILLIS, 1, 3_600_000),
                bytes(options, "max-response", DEFAULT_MAX_RESPONSE_BYTES),
                headers, secrets, trustStore, trustPassword, keyStore, keyPassword);
    }

    /**
     * @param header the value of a {@value #MANIFEST_HEADER} header, or {@code null}
     * @return the backend names it lists, in order, without repeats
     * @throws IllegalArgumentException naming an entry that is not a backend name
     */
    public static Set<String> namesIn(String header) {
        Set<String> names = new java.util.LinkedHashSet<>();
        if (header != null) {
            for (String part : header.split(",")) {
                String n = part.trim();
                if (n.isEmpty()) {
                    continue;
                }
                if (!NAME.matcher(n).matches()) {
                    throw new IllegalArgumentException(MANIFEST_HEADER + " lists '" + n + "', which is not a backend name"
                            + " (lower-case letters, digits and '-', starting with a letter)");
                }
                names.add(n);
            }
        }
        return names;
    }

    /** @return the options that declare this backend again, as {@link #parse} reads them */
    public Map<String, List<String>> options() {
        Map<String, List<String>> o = new LinkedHashMap<>();
        o.put("url", urls);
        o.put("timeout", List.of(timeoutMillis + "ms"));
        o.put("retries", List.of(String.valueOf(retries)));
        o.put("retry-budget", List.of(retryBudgetPercent + "%"));
        o.put("max-concurrent", List.of(String.valueOf(maxConcurrent)));
        o.put("breaker-failure-rate", List.of(breakerFailurePercent + "%"));
        o.put("breaker-min-calls", List.of(String.valueOf(breakerMinCalls)));
        o.put("breaker-window", List.of(breakerWindowSeconds + "s"));
        o.put("breaker-open", List.of(breakerOpenMillis + "ms"));
        o.put("max-response", List.of(String.valueOf(maxResponseBytes)));
        o.put("header", headers.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        o.put("secret-header", secretHeaders.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        put(o, "trust-store", trustStore);
        put(o, "trust-store-password", trustStorePassword);
        put(o, "key-store", keyStore);
        put(o, "key-store-password", keyStorePassword);
        return o;
    }

    private static void put(Map<String, List<String>> o, String key, String value) {
        if (value != null) {
            o.put(key, List.of(value));
        }
    }

    private static String url(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("a backend URL is http://host[:port][/path] or https://...; got '" + text + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("a backend URL cannot carry credentials (" + scheme + "://" + uri.getHost()
                    + "...): declare them with --secret-header");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a backend URL has no query or fragment; got '" + text + "'");
        }
        String s = uri.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static String[] pair(String text, String option) {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException(option + " is NAME=VALUE, got '" + cut(text) + "'");
        }
        String n = text.substring(0, eq).trim();
        if (!TOKEN.matcher(n).matches()) {
            throw new IllegalArgumentException("'" + cut(n) + "' is not a header name");
        }
        if (RESERVED.contains(n.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("header " + n + " is set by the platform and cannot be declared");
        }
        return new String[] {n, text.substring(eq + 1).trim()};
    }

    private static String cut(String s) {
        return s.length() > 20 ? s.substring(0, 20) + "..." : s;
    }

    private static String reference(String text, String what) {
        if (!REFERENCE.matcher(text).matches()) {
            // never echo the value: it may be the secret itself
            throw new IllegalArgumentException(what + " must say where its value is read: env:VARIABLE (an environment"
                    + " variable of the runtime) or file:/absolute/path; a value given directly is refused so that it"
                    + " never appears in a command, the history or a listing");
        }
        return text;
    }

    private static String one(Map<String, List<String>> options, String key) {
        List<String> values = options.get(key);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new IllegalArgumentException("option " + key + " takes one value, got " + values.size());
        }
        String v = values.get(0);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static long millis(Map<String, List<String>> options, String key, long dflt, long min, long max) {
        String v = one(options, key);
        if (v == null) {
            return dflt;
        }
        String s = v.toLowerCase(Locale.ROOT);
        long factor = 1;
        if (s.endsWith("ms")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s")) {
            s = s.substring(0, s.length() - 1);
            factor = 1000;
        } else if (s.endsWith("m")) {
            s = s.substring(0, s.length() - 1);
            factor = 60_000;
        }
        long n;
        try {
            n = Long.parseLong(s.trim()) * factor;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is a duration such as 250ms, 1s or 2m; got '" + v + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " ms and " + max + " ms; got '" + v + "'");
        }
        return n;
    }

    private static long count(Map<String, List<String>> options, String key, long dflt, long min, long max) {
        String v = one(options, key);
        if (v == null) {
            return dflt;
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is a whole number; got '" + v + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(key + " must be from " + min + " to " + max + "; got " + n);
        }
        return n;
    }

    private static int percent(Map<String, List<String>> options, String key, int dflt) {
        String v = one(options, key);
        if (v == null) {
            return dflt;
        }
        String s = v.endsWith("%") ? v.substring(0, v.length() - 1) : v;
        int n;
        try {
            n = Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is a percentage such as 20%; got '" + v + "'");
        }
        if (n < 0 || n > 100) {
            throw new IllegalArgumentException(key + " must be from 0% to 100%; got " + v);
        }
        return n;
    }

    private static long bytes(Map<String, List<String>> options, String key, long dflt) {
        String v = one(options, key);
        if (v == null) {
            return dflt;
        }
        String s = v.replace(" ", "");
        long factor = 1;
        for (String[] unit : new String[][] {{"MiB", "1048576"}, {"KiB", "1024"}, {"MB", "1000000"}, {"KB", "1000"}, {"B", "1"}}) {
            if (s.endsWith(unit[0])) {
                s = s.substring(0, s.length() - unit[0].length());
                factor = Long.parseLong(unit[1]);
                break;
            }
        }
        long n;
        try {
            n = Long.parseLong(s) * factor;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is a size such as 8MiB, 512KiB or 1000; got '" + v + "'");
        }
        if (n < 1 || n > (256L << 20)) {
            throw new IllegalArgumentException(key + " must be from 1 byte to 256MiB; got '" + v + "'");
        }
        return n;
    }
}
