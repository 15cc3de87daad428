package dev.mosaic.gateway.internal;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the limits an adapter asks for in its manifest ({@code Mosaic-Timeout}, {@code Mosaic-Concurrency}). */
final class Limits {

    static final String TIMEOUT_HEADER = "Mosaic-Timeout";
    static final String CONCURRENCY_HEADER = "Mosaic-Concurrency";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m)?");

    private Limits() {
    }

    /**
     * @param text {@code 250ms}, {@code 2s}, {@code 1m}, or a number of milliseconds
     * @return milliseconds
     * @throws IllegalArgumentException if it is not a positive duration
     */
    static long millis(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("'" + text + "' is not a positive duration such as 250ms, 2s or 1m");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2);
        return unit == null || unit.equals("ms") ? n : unit.equals("s") ? n * 1000 : n * 60_000;
    }

    /** @throws IllegalArgumentException if it is not a positive whole number */
    static int count(String text) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("'" + text + "' is not a positive whole number");
    }
}
