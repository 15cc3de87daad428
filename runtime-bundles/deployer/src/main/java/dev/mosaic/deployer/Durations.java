package dev.mosaic.deployer;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


/**
 * Durations as people write them for TTLs and sunset periods: {@code 90s}, {@code 15m},
 * {@code 12h}, {@code 7d}, an ISO-8601 duration ({@code PT2H}), or {@code none}. Since 2.4 (internal before).
 */
public final class Durations {

    /** Anything longer is a mistake, not a TTL. */
    public static final Duration MAX = Duration.ofDays(366);
    private static final Pattern SHORT = Pattern.compile("(-?\\d+)\\s*(s|m|h|d)");

    private Durations() {
    }

    /**
     * @param text the duration, or {@code none}
     * @param what what it is for, in messages ("TTL", "sunset period")
     * @return the duration, or null for {@code none}
     * @throws DeployException if it is malformed, not positive, or longer than {@link #MAX}
     */
    public static Duration parse(String text, String what) throws DeployException {
        if (text == null || text.isBlank()) {
            throw invalid(what + " is empty; write e.g. 30m, 12h, 7d, or none");
        }
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("none")) {
            return null;
        }
        Duration d;
        Matcher m = SHORT.matcher(t);
        if (m.matches()) {
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw invalid(what + " '" + text + "' is too large; the longest is " + MAX.toDays() + "d");
            }
            if (n > MAX.toSeconds()) {
                throw invalid(what + " '" + text + "' is too large; the longest is " + MAX.toDays() + "d");
            }
            d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(text.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw invalid(what + " '" + text + "' is not a duration; write e.g. 30m, 12h, 7d, PT2H, or none");
            }
        }
        if (d.isNegative() || d.isZero()) {
            throw invalid(what + " '" + text + "' must be positive");
        }
        if (d.compareTo(MAX) > 0) {
            throw invalid(what + " '" + text + "' is longer than " + MAX.toDays() + " days; use none for no expiry");
        }
        return d;
    }

    /** @return the duration in the short form, e.g. 7d, 36h, 90s */
    public static String format(Duration d) {
        if (d == null) {
            return "none";
        }
        long s = d.toSeconds();
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3_600 == 0) {
            return s / 3_600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    private static DeployException invalid(String message) {
        return new DeployException(DeployException.INVALID_ARGUMENT, message);
    }
}
