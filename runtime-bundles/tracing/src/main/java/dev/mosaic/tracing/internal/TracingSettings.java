package dev.mosaic.tracing.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * How the runtime traces, from its properties: {@code mosaic.tracing.endpoint} (bin/mosaic run --otlp-endpoint), the
 * OTLP/HTTP collector spans are exported to ({@code http://127.0.0.1:4318}; {@code /v1/traces} is added when the URL has
 * no path); {@code mosaic.tracing.sample} (--trace-sample), which of the traces that start here are kept: a share (0 to 1
 * or a percentage), at most a number a second ({@code 100/s}), or both ({@code 10%,100/s}: a tenth, at most 100 a second);
 * default {@code 100/s}: every trace while there are fewer, a steady 100 a second beyond;
 * {@code mosaic.tracing.callers} (--trace-callers), what a caller's {@code traceparent} that says sampled does:
 * {@code capped} (the default), its trace is kept by the same rule as one that starts here, its share and its number a
 * second (a bucket of its own), since the devices a gateway serves could otherwise have every one of their requests
 * recorded by saying so; {@code followed}, kept whatever the share and the cap (behind a proxy of your own that samples);
 * one that says not sampled is not kept either way;
 * {@code mosaic.tracing} {@code on} or {@code off} (default: on when there is an endpoint; {@code on} without one makes
 * spans and exports none, which is what the benchmarks measure); {@code mosaic.tracing.exportDelay} (how long spans
 * wait to be sent in a batch, default 2s); {@code mosaic.tracing.service} (the {@code service.name}, default mosaic).
 * Headers the collector needs (an API key) come from the environment, as OpenTelemetry's own SDKs read them:
 * {@code OTEL_EXPORTER_OTLP_TRACES_HEADERS} or {@code OTEL_EXPORTER_OTLP_HEADERS} ({@code name=value,...}), never from a
 * command line; only their names are ever logged.
 */
record TracingSettings(boolean on, URI endpoint, double sample, int perSecond, boolean callersFollowed,
        Duration exportDelay, String serviceName, Map<String, String> headers) {

    /** The most new traces kept a second unless told otherwise. */
    static final int DEFAULT_PER_SECOND = 100;
    /** The most that can be asked for: beyond it, ask for a share. */
    static final int MAX_PER_SECOND = 1_000_000;

    /**
     * @param property a framework property by name, null when not set
     * @param environment an environment variable by name, null when not set
     * @throws IllegalArgumentException saying which setting is wrong, how, and what it should be
     */
    static TracingSettings from(Function<String, String> property, Function<String, String> environment) {
        URI endpoint = endpoint(trimmed(property.apply("mosaic.tracing.endpoint")));
        String onOff = trimmed(property.apply("mosaic.tracing"));
        boolean on;
        if (onOff == null) {
            on = endpoint != null;
        } else if (onOff.equalsIgnoreCase("on") || onOff.equalsIgnoreCase("true")) {
            on = true;
        } else if (onOff.equalsIgnoreCase("off") || onOff.equalsIgnoreCase("false")) {
            on = false;
        } else {
            throw new IllegalArgumentException("mosaic.tracing must be on or off, got '" + onOff + "'");
        }
        String sampling = trimmed(property.apply("mosaic.tracing.sample"));
        double sample = 1.0;
        int perSecond = sampling == null ? DEFAULT_PER_SECOND : 0;
        if (sampling != null) {
            String[] parts = sampling.split(",", -1);
            boolean shareSeen = false;
            for (String part : parts) {
                String p = part.trim();
                if (p.endsWith("/s") && perSecond == 0) {
                    perSecond = perSecond(p, sampling);
                } else if (!p.endsWith("/s") && !shareSeen) {
                    sample = sample(p, sampling);
                    shareSeen = true;
                } else {
                    throw samplingProblem(sampling);
                }
            }
        }
        boolean followed = callersFollowed(trimmed(property.apply("mosaic.tracing.callers")));
        Duration delay = delay(trimmed(property.apply("mosaic.tracing.exportDelay")));
        String service = trimmed(property.apply("mosaic.tracing.service"));
        String headers = trimmed(environment.apply("OTEL_EXPORTER_OTLP_TRACES_HEADERS"));
        if (headers == null) {
            headers = trimmed(environment.apply("OTEL_EXPORTER_OTLP_HEADERS"));
        }
        return new TracingSettings(on, endpoint, sample, perSecond, followed, delay, service == null ? "mosaic" : service,
                headers(headers));
    }

    private static boolean callersFollowed(String text) {
        if (text == null || text.equalsIgnoreCase("capped")) {
            return false;
        }
        if (text.equalsIgnoreCase("followed")) {
            return true;
        }
        throw new IllegalArgumentException("mosaic.tracing.callers (--trace-callers) says whether a trace its caller sampled"
                + " is kept by the --trace-sample share and cap: capped (the default) or followed (whatever they say, behind a proxy"
                + " you trust); got '" + text + "'");
    }

    /**
     * @return whether the traces a caller sampled are kept by the rule of those that start here (its share, its cap): there
     *         is a rule (something less than every trace), and they are not followed
     */
    boolean callersCapped() {
        return (perSecond > 0 || sample < 1.0) && !callersFollowed;
    }

    /**
     * @return which traces are kept, for the log: {@code new traces kept: 10.0%, at most 100 a second, traces a caller
     *         sampled: at most 100 a second}
     */
    String samplingForLog() {
        String share = Math.round(sample * 1000) / 10.0 + "%";
        String rule = perSecond == 0 ? share : (sample == 1.0 ? "" : share + ", ") + "at most " + perSecond + " a second";
        return "new traces kept: " + rule + ", traces a caller sampled: " + (callersCapped() ? rule : "all");
    }

    /** @return the endpoint without what might be a credential: for the log */
    String endpointForLog() {
        if (endpoint == null) {
            return "none";
        }
        return endpoint.getScheme() + "://" + endpoint.getHost() + (endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort())
                + endpoint.getRawPath();
    }

    private static String trimmed(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    static URI endpoint(String text) {
        if (text == null) {
            return null;
        }
        String problem = null;
        URI uri = null;
        try {
            uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                problem = "it is not an http or https URL";
            } else if (uri.getHost() == null) {
                problem = "it names no host";
            } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                problem = "it has a query or a fragment";
            } else if (uri.getRawUserInfo() != null) {
                problem = "it has a user name or password in it (collector credentials go in OTEL_EXPORTER_OTLP_HEADERS)";
            }
        } catch (URISyntaxException e) {
            problem = "it is not a URL (" + e.getReason() + ")";
        }
        if (problem != null) {
            throw new IllegalArgumentException("mosaic.tracing.endpoint (--otlp-endpoint) must be the URL of an OTLP/HTTP"
                    + " collector, such as http://127.0.0.1:4318; '" + text + "' is not one: " + problem);
        }
        String path = uri.getRawPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            uri = URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + "/v1/traces");
        }
        return uri;
    }

    /** @param whole the setting, for the message */
    static double sample(String text, String whole) {
        try {
            double v = text.endsWith("%") ? Double.parseDouble(text.substring(0, text.length() - 1).trim()) / 100
                    : Double.parseDouble(text);
            if (v >= 0 && v <= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw samplingProblem(whole);
    }

    private static int perSecond(String text, String whole) {
        try {
            int n = Integer.parseInt(text.substring(0, text.length() - 2).trim());
            if (n >= 1 && n <= MAX_PER_SECOND) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw samplingProblem(whole);
    }

    private static IllegalArgumentException samplingProblem(String whole) {
        return new IllegalArgumentException("mosaic.tracing.sample (--trace-sample) says which new traces are kept: a share"
                + " from 0 to 1 or 0% to 100% (10%), at most a number a second from 1 to " + MAX_PER_SECOND + " (100/s), or"
                + " both (10%,100/s); got '" + whole + "'");
    }

    private static Duration delay(String text) {
        if (text == null) {
            return Duration.ofSeconds(2);
        }
        try {
            String t = text.toLowerCase(Locale.ROOT);
            Duration d = t.endsWith("ms") ? Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()))
                    : t.endsWith("s") ? Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1).trim()))
                    : Duration.ofMillis(Long.parseLong(t));
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("mosaic.tracing.exportDelay must be a positive duration such as 500ms or 2s,"
                + " got '" + text + "'");
    }

    /** Reads {@code name=value,name=value} (values percent-encoded), as OpenTelemetry's environment variables hold them. */
    static Map<String, String> headers(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null) {
            return out;
        }
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? "" : pair.substring(0, eq).trim();
            if (eq < 0 || !name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new IllegalArgumentException("OTEL_EXPORTER_OTLP_HEADERS holds name=value pairs separated by commas;"
                        + " one of them is not such a pair (its value is not shown)");
            }
            out.put(name, URLDecoder.decode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8));
        }
        return out;
    }
}
