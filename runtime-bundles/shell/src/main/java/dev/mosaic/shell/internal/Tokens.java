package dev.mosaic.shell.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The management API's bearer token: from {@code MOSAIC_TOKEN} if set, else from
 * {@code <data>/mgmt-token}, generated at first start and readable by its owner only.
 */
final class Tokens {

    static final String ENV = "MOSAIC_TOKEN";
    static final String FILE = "mgmt-token";

    private final byte[] token;
    private final String source;
    /** Tokens valid elsewhere that this runtime accepts too: a fleet's (see {@link dev.mosaic.deployer.Fleet#accepts}). */
    private volatile java.util.function.Predicate<String> others;

    private Tokens(String token, String source) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.source = source;
    }

    static Tokens load(String fromEnvironment, Path dataDir) throws IOException {
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return new Tokens(fromEnvironment.trim(), "the " + ENV + " environment variable");
        }
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Files.createDirectories(dataDir);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            } catch (FileAlreadyExistsException e) {
                return new Tokens(Files.readString(file).trim(), file.toString());
            }
            Files.writeString(file, generated + "\n");
            return new Tokens(generated, file.toString());
        }
        String stored = Files.readString(file).trim();
        if (stored.isEmpty()) {
            throw new IOException(file + " is empty; delete it to have a new token generated, or set " + ENV);
        }
        return new Tokens(stored, file.toString());
    }

    /** Compares in constant time, so the time taken says nothing about how much of a guess was right. */
    boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        if (MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            return true;
        }
        java.util.function.Predicate<String> o = others;
        return o != null && o.test(presented);
    }

    /** Accepts the tokens the predicate accepts too (null: only this runtime's). */
    void alsoAccept(java.util.function.Predicate<String> accepted) {
        this.others = accepted;
    }

    /** @return the token itself, to announce to the fleet (never logged) */
    String value() {
        return new String(token, StandardCharsets.UTF_8);
    }

    String source() {
        return source;
    }
}
