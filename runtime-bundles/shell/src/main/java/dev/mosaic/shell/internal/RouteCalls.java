package dev.mosaic.shell.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mosaic.gateway.Gateway;

/**
 * {@code call}: a route called with a chosen request, over the device port on loopback (so through everything a device
 * request goes through), traced: the answer comes back with its status, headers, body and the backend calls it made,
 * read from the {@code Server-Timing} the gateway adds for a traced request. In {@code prod} too: the request carries
 * the runtime's trace key, which only the gateway and this know.
 */
final class RouteCalls {

    /** One backend call the request made, or the adapter's own time ({@code name} "adapter"). */
    record Timing(String name, String description, double millis) {
    }

    /** What the route answered. */
    /** @param meant on a 404 for want of a route: the routes of its environment the path is a typo away from */
    record Answer(String method, String path, String environment, int status, Map<String, List<String>> headers, String body,
            List<Timing> calls, double millis, List<String> meant) {
    }

    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");
    private static final Pattern HEADER = Pattern.compile("([!#$%&'*+.^_`|~0-9A-Za-z-]+):\\s*(.*)");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String host;
    private final String traceKey;

    /**
     * @param host where the device port listens: its configured address, loopback when it listens on all
     * @param traceKey {@code mosaic.trace.key}, or null (then requests to prod are not traced)
     */
    RouteCalls(String host, String traceKey) {
        this.host = host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        this.traceKey = traceKey;
    }

    /**
     * @param headers each {@code Name: value}
     * @param routes the routes served, read only when the answer is a 404 for want of a route
     * @throws IllegalArgumentException for a request that cannot be made, saying what is wrong
     */
    Answer call(Gateway gateway, String method, String path, String env, List<String> headers, String body,
            java.util.function.Supplier<List<dev.mosaic.deployer.RouteView>> routes) throws IOException, InterruptedException {
        if (gateway == null) {
            throw new IllegalStateException("the gateway is not running; no route can be called");
        }
        if (method == null || !method.matches("[A-Z]{1,16}")) {
            throw new IllegalArgumentException("the method must be an upper-case HTTP method such as GET or POST, got '"
                    + method + "'");
        }
        if (path == null || !path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("the path must start with '/' and hold no spaces or control characters, got '"
                    + path + "'");
        }
        String environment = env == null || env.isBlank() ? Gateway.DEFAULT_ENVIRONMENT : env;
        if (!Gateway.ENVIRONMENT_NAME.matcher(environment).matches()) {
            throw new IllegalArgumentException("'" + environment + "' is not an environment name");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host)
                + ":" + gateway.port() + path)).timeout(Duration.ofSeconds(60));
        for (String h : headers == null ? List.<String>of() : headers) {
            Matcher m = HEADER.matcher(h);
            if (!m.matches()) {
                throw new IllegalArgumentException("a header is 'Name: value', got '" + h + "'");
            }
            String name = m.group(1);
            if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT)) || name.equalsIgnoreCase(Gateway.ENVIRONMENT_HEADER)
                    || name.equalsIgnoreCase(Gateway.TRACE_HEADER)) {
                throw new IllegalArgumentException("header " + name + " is set by call itself"
                        + (name.equalsIgnoreCase(Gateway.ENVIRONMENT_HEADER) ? " (use --env)" : ""));
            }
            b.header(name, m.group(2));
        }
        b.header(Gateway.ENVIRONMENT_HEADER, environment);
        b.header(Gateway.TRACE_HEADER, traceKey != null ? traceKey : "1");
        b.method(method, body == null || body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        double millis = (System.nanoTime() - start) / 1e6;
        Map<String, List<String>> shown = new TreeMap<>();
        r.headers().map().forEach((name, values) -> {
            if (!name.equals(":status")) {
                shown.put(name.toLowerCase(Locale.ROOT), values);
            }
        });
        List<Timing> calls = new ArrayList<>();
        for (String header : r.headers().allValues("server-timing")) {
            calls.addAll(timings(header));
        }
        return new Answer(method, path, environment, r.statusCode(), shown, r.body(), calls, millis,
                r.statusCode() == 404 && r.body().contains("\"error\":\"no_route\"") ? meant(path, environment, routes.get())
                        : List.of());
    }

    /** @return the routes of the environment whose path a path (its query left out) is a typo away from, as METHOD PATH */
    static List<String> meant(String path, String environment, List<dev.mosaic.deployer.RouteView> routes) {
        int q = path.indexOf('?');
        String asked = q < 0 ? path : path.substring(0, q);
        List<dev.mosaic.deployer.RouteView> here = routes.stream().filter(r -> r.environment().equals(environment)).toList();
        List<String> near = dev.mosaic.deployer.Suggestions.nearest(asked, here.stream().map(r -> r.path()).toList());
        return here.stream().filter(r -> near.contains(r.path())).map(r -> r.method() + " " + r.path()).distinct().sorted()
                .toList();
    }

    /** @return the entries of a {@code Server-Timing} header, with their description and duration */
    static List<Timing> timings(String header) {
        List<Timing> out = new ArrayList<>();
        for (String entry : split(header, ',')) {
            List<String> parts = split(entry, ';');
            String name = parts.get(0).trim();
            if (name.isEmpty()) {
                continue;
            }
            String desc = "";
            double dur = 0;
            for (String param : parts.subList(1, parts.size())) {
                int eq = param.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String key = param.substring(0, eq).trim();
                String value = param.substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1).replaceAll("\\\\(.)", "$1");
                }
                if (key.equals("desc")) {
                    desc = value;
                } else if (key.equals("dur")) {
                    try {
                        dur = Double.parseDouble(value);
                    } catch (NumberFormatException e) {
                        // no duration
                    }
                }
            }
            out.add(new Timing(name, desc, dur));
        }
        return out;
    }

    /** @return the text split at {@code separator} outside quoted strings */
    private static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\' && i + 1 < text.length()) {
                part.append(c).append(text.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                parts.add(part.toString());
                part.setLength(0);
                continue;
            }
            part.append(c);
        }
        parts.add(part.toString());
        return parts;
    }

    /** The answer as the console and the CLI show it: like an HTTP response, then the backend calls. */
    static String text(Answer a) {
        StringBuilder b = new StringBuilder();
        b.append("HTTP ").append(a.status()).append("  (").append(a.method()).append(' ').append(a.path()).append(" in ")
                .append(a.environment()).append(", ").append(String.format(Locale.ROOT, "%.1f", a.millis())).append(" ms)\n");
        a.headers().forEach((name, values) -> values.forEach(v -> b.append(name).append(": ").append(v).append('\n')));
        b.append('\n').append(a.body());
        if (!a.body().endsWith("\n")) {
            b.append('\n');
        }
        if (!a.meant().isEmpty()) {
            b.append("\nno such route in ").append(a.environment()).append("; did you mean ")
                    .append(String.join(" or ", a.meant())).append("?\n");
        }
        List<Timing> backends = a.calls().stream().filter(t -> !t.name().equals("adapter")).toList();
        b.append('\n').append(backends.isEmpty() ? "no backend calls" : "backend calls (" + backends.size() + "):").append('\n');
        for (Timing t : a.calls()) {
            b.append(String.format(Locale.ROOT, "  %-16s %8.1f ms  %s%n", t.name(), t.millis(), t.description()));
        }
        return b.toString();
    }
}
