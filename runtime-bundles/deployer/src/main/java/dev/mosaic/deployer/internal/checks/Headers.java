package dev.mosaic.deployer.internal.checks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses OSGi manifest headers such as {@code Import-Package} and {@code Export-Package}:
 * comma-separated clauses, each with one or more names followed by attributes
 * ({@code version="[1.0,2)"}) and directives ({@code resolution:=optional}). Quoted values
 * may contain commas and semicolons.
 */
public final class Headers {

    /** One clause: its names (a clause may list several packages) and parameters. */
    public record Clause(List<String> names, Map<String, String> attributes, Map<String, String> directives) {
    }

    private Headers() {
    }

    /**
     * @param header a header value, or null
     * @return its clauses; none for a null or blank header
     * @throws IllegalArgumentException naming what is malformed
     */
    public static List<Clause> parse(String header) {
        List<Clause> clauses = new ArrayList<>();
        if (header == null || header.isBlank()) {
            return clauses;
        }
        for (String clause : split(header, ',')) {
            if (clause.isBlank()) {
                throw new IllegalArgumentException("empty clause in '" + header + "'");
            }
            List<String> names = new ArrayList<>();
            Map<String, String> attributes = new LinkedHashMap<>();
            Map<String, String> directives = new LinkedHashMap<>();
            for (String part : split(clause, ';')) {
                String p = part.trim();
                int eq = indexOutsideQuotes(p, '=');
                if (eq < 0) {
                    if (!attributes.isEmpty() || !directives.isEmpty()) {
                        throw new IllegalArgumentException("name '" + p + "' after parameters in '" + clause.trim() + "'");
                    }
                    if (p.isEmpty()) {
                        throw new IllegalArgumentException("empty name in '" + clause.trim() + "'");
                    }
                    names.add(p);
                } else if (eq > 0 && p.charAt(eq - 1) == ':') {
                    directives.put(p.substring(0, eq - 1).trim(), unquote(p.substring(eq + 1).trim()));
                } else {
                    String key = p.substring(0, eq).trim();
                    int colon = key.indexOf(':');
                    if (colon >= 0) {
                        key = key.substring(0, colon).trim(); // typed attribute, e.g. version:Version
                    }
                    attributes.put(key, unquote(p.substring(eq + 1).trim()));
                }
            }
            if (names.isEmpty()) {
                throw new IllegalArgumentException("clause without a name: '" + clause.trim() + "'");
            }
            clauses.add(new Clause(List.copyOf(names), Map.copyOf(attributes), Map.copyOf(directives)));
        }
        return clauses;
    }

    private static List<String> split(String s, char separator) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unbalanced quotes in '" + s + "'");
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static int indexOutsideQuotes(String s, char c) {
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char x = s.charAt(i);
            if (x == '"') {
                quoted = !quoted;
            } else if (x == c && !quoted) {
                return i;
            }
        }
        return -1;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }
}
