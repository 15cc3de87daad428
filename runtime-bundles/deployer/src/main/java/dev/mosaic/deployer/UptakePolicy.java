package dev.mosaic.deployer;

import java.util.Locale;

/** When a consumer takes new module versions its ranges admit ({@code Mosaic-Uptake}). */
public enum UptakePolicy {
    /** As soon as they are released (the default). */
    AUTO,
    /** Only on {@code adopt}. */
    MANUAL;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
