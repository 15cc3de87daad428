package dev.mosaic.gateway.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A parsed path template such as {@code /glasses/play/{titleId}}: literal segments and
 * parameter segments, each parameter matching exactly one non-empty path segment.
 */
public final class RouteTemplate {

    private static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final String text;
    /** One entry per segment: the literal text, or null for a parameter. */
    private final String[] literals;
    /** Parameter name per segment, or null for a literal. */
    private final String[] params;
    private final String shape;

    private RouteTemplate(String text, String[] literals, String[] params) {
        this.text = text;
        this.literals = literals;
        this.params = params;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < literals.length; i++) {
            b.append('/').append(literals[i] == null ? "{}" : literals[i]);
        }
        this.shape = b.length() == 0 ? "/" : b.toString();
    }

    /**
     * @param text the template, e.g. {@code /tv/home/{profile}}
     * @return the parsed template
     * @throws IllegalArgumentException naming what is wrong with the template
     */
    public static RouteTemplate parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("route path is empty; give a template such as /tv/home");
        }
        if (text.charAt(0) != '/') {
            throw new IllegalArgumentException("route path '" + text + "' must start with '/'");
        }
        if (text.indexOf('?') >= 0 || text.indexOf('#') >= 0) {
            throw new IllegalArgumentException("route path '" + text + "' must not contain '?' or '#': query parameters are read with Request.query()");
        }
        if (text.equals("/")) {
            return new RouteTemplate(text, new String[0], new String[0]);
        }
        String[] parts = split(text);
        String[] literals = new String[parts.length];
        String[] params = new String[parts.length];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty()) {
                throw new IllegalArgumentException("route path '" + text + "' has an empty segment (a doubled or trailing '/')");
            }
            if (part.startsWith("{") && part.endsWith("}")) {
                String name = part.substring(1, part.length() - 1);
                if (!PARAM_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("route path '" + text + "': '" + part
                            + "' is not a valid parameter; write {name} with a name of letters, digits and '_'");
                }
                if (!seen.add(name)) {
                    throw new IllegalArgumentException("route path '" + text + "' uses parameter {" + name + "} twice");
                }
                params[i] = name;
            } else if (part.indexOf('{') >= 0 || part.indexOf('}') >= 0) {
                throw new IllegalArgumentException("route path '" + text + "': segment '" + part
                        + "' mixes text and a parameter; a parameter must be a whole segment like {titleId}");
            } else {
                literals[i] = part;
            }
        }
        return new RouteTemplate(text, literals, params);
    }

    /**
     * Splits an absolute path into its segments: {@code /} has none, {@code /a/b} has
     * {@code a} and {@code b}, {@code /a/} has {@code a} and an empty segment.
     *
     * @param path a path starting with '/'
     * @return the segments
     */
    static String[] split(String path) {
        if (path.length() == 1) {
            return new String[0];
        }
        int count = 1;
        for (int i = 1; i < path.length(); i++) {
            if (path.charAt(i) == '/') {
                count++;
            }
        }
        String[] segments = new String[count];
        int start = 1;
        int n = 0;
        for (int i = 1; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/') {
                segments[n++] = path.substring(start, i);
                start = i + 1;
            }
        }
        return segments;
    }

    int size() {
        return literals.length;
    }

    /** @return the literal text of segment i, or null if it is a parameter */
    String literal(int i) {
        return literals[i];
    }

    /**
     * @param segments the segments of a path this template matched
     * @return the parameter values by name, in template order
     */
    Map<String, String> params(String[] segments) {
        if (params.length == 0) {
            return Map.of();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i++) {
            if (params[i] != null) {
                values.put(params[i], segments[i]);
            }
        }
        return values;
    }

    /** @return the parameter names, in order */
    public List<String> paramNames() {
        List<String> names = new ArrayList<>();
        for (String p : params) {
            if (p != null) {
                names.add(p);
            }
        }
        return names;
    }

    /**
     * Two templates with the same shape match exactly the same paths, whatever their
     * parameter names: {@code /a/{x}} and {@code /a/{y}} are both {@code /a/{}}.
     *
     * @return the template with its parameter names removed
     */
    public String shape() {
        return shape;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RouteTemplate t && t.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
