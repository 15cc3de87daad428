package dev.mosaic.deployer;

import java.util.Locale;

/** What a deployment is: an adapter (it answers routes) or a shared module (it exports packages). */
public enum Kind {
    ADAPTER, MODULE;

    /** @return {@code adapter} or {@code module}, as the JSON, the console and the CLI spell it */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param text {@code adapter} or {@code module}, in any case
     * @return the kind
     * @throws IllegalArgumentException naming the values there are
     */
    public static Kind parse(String text) {
        for (Kind k : values()) {
            if (k.toString().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a kind; say adapter or module");
    }
}
