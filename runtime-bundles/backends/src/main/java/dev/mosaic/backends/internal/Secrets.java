package dev.mosaic.backends.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Reads what a declaration references, {@code env:VARIABLE} or {@code file:/path}, when calls are
 * made. Errors name the reference, never a value.
 */
final class Secrets {

    private final Function<String, String> environment;

    Secrets(Function<String, String> environment) {
        this.environment = environment;
    }

    /**
     * @throws IllegalArgumentException if the variable is unset or empty, or the file cannot be read or is empty
     */
    String read(String reference, String what) {
        if (reference.startsWith("env:")) {
            String name = reference.substring(4);
            String v = environment.apply(name);
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException(what + " is read from environment variable " + name
                        + ", which is not set (or empty) in the runtime's environment");
            }
            return v.trim();
        }
        Path file = Path.of(reference.substring(5));
        try {
            String v = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (v.isEmpty()) {
                throw new IllegalArgumentException(what + " is read from " + file + ", which is empty");
            }
            if (v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException(what + " is read from " + file + ", which holds more than one line");
            }
            return v;
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " is read from " + file + ", which cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
