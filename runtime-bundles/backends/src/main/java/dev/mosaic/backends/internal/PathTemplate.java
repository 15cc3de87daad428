package dev.mosaic.backends.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The path templates adapters call backends with: {@code /recs/{profile}}, each placeholder one encoded segment. */
final class PathTemplate {

    private PathTemplate() {
    }

    /**
     * Fills a path template's placeholders with percent-encoded values, one path segment each.
     * A template starts with '/' and holds RFC 3986 path characters and {@code {name}} placeholders.
     */
    static String expand(String template, Object[] params) {
        int given = params == null ? 0 : params.length;
        int n = template == null ? 0 : template.length();
        if (n == 0 || template.charAt(0) != '/' || n > 1 && template.charAt(1) == '/') {
            throw badTemplate(template);
        }
        StringBuilder sb = null; // made at the first placeholder: a template without one is returned as it is
        int used = 0;
        int copied = 0;
        for (int i = 1; i < n; i++) {
            char c = template.charAt(i);
            if (c == '{') {
                int close = i + 1;
                while (close < n && template.charAt(close) != '}' && template.charAt(close) != '{'
                        && template.charAt(close) != '/') {
                    close++;
                }
                if (close == n || template.charAt(close) != '}') {
                    throw badTemplate(template);
                }
                if (used >= given) {
                    throw new IllegalArgumentException("path " + template + " has more placeholders than the " + given
                            + " value(s) given");
                }
                Object v = params[used++];
                if (v == null) {
                    throw new IllegalArgumentException("the value for " + template.substring(i, close + 1) + " in " + template
                            + " is null");
                }
                if (sb == null) {
                    sb = new StringBuilder(n + 16);
                }
                sb.append(template, copied, i).append(URLEncoder.encode(v.toString(), StandardCharsets.UTF_8).replace("+", "%20"));
                copied = close + 1;
                i = close;
            } else if (!pathChar(c)) {
                throw badTemplate(template);
            }
        }
        if (used != given) {
            throw new IllegalArgumentException("path " + template + " has " + used + " placeholder(s) but " + given
                    + " value(s) were given");
        }
        return sb == null ? template : sb.append(template, copied, n).toString();
    }

    /** @return whether {@code c} may stand in a URL path as it is (RFC 3986 pchar, '/' and '%') */
    private static boolean pathChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~!$&'()*+,;=:@/%".indexOf(c) >= 0;
    }

    private static IllegalArgumentException badTemplate(String template) {
        return new IllegalArgumentException("a backend path starts with '/' and holds only URL path characters and"
                + " {placeholders}; got '" + template + "'");
    }
}
