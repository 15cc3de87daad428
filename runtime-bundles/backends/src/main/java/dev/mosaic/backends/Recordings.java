package dev.mosaic.backends;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Backend answers kept in files ({@code bin/mosaic dev --record}) and served from them again ({@code --replay}, or the
 * test kit's {@code FakeBackends.replaying}): one pretty-printed JSON file per backend, method and target (path and
 * query), {@code DIR/<backend>/<METHOD>_<target>_<hash>.json}, meant to be read, edited and committed with the project.
 * Headers named by the operator (and every credential the platform adds to a call) are never written: their values are
 * {@value #REDACTED}.
 *
 * @since 1.1
 */
public final class Recordings {

    /** What a redacted header's value is written as. */
    public static final String REDACTED = "REDACTED";

    /** The headers redacted unless the operator names others. */
    public static final Set<String> DEFAULT_REDACTED = Set.of("authorization", "cookie", "set-cookie", "proxy-authorization");

    /**
     * One call and its answer.
     *
     * @param requestHeaders the headers the adapter set on the call (never those the platform adds)
     * @param body the answer's body as text, when it is UTF-8 text; else null and {@code bodyBase64} holds it
     */
    public record Recorded(String backend, String method, String target, Map<String, List<String>> requestHeaders, int status,
            Map<String, List<String>> headers, String body, String bodyBase64) {

        /** @return the answer's body as bytes */
        public byte[] bodyBytes() {
            return body != null ? body.getBytes(StandardCharsets.UTF_8)
                    : bodyBase64 == null ? new byte[0] : Base64.getDecoder().decode(bodyBase64);
        }

        /** @return a recording of an answer, its body as text if it is UTF-8 text, its redacted headers left out */
        public static Recorded of(String backend, String method, String target, Map<String, List<String>> requestHeaders,
                int status, Map<String, List<String>> headers, byte[] body, Set<String> redact) {
            String text = utf8(body);
            return new Recorded(backend, method, target, redacted(requestHeaders, redact), status, redacted(headers, redact),
                    text, text == null ? Base64.getEncoder().encodeToString(body) : null);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Recordings() {
    }

    /** @return the file of a call's recording */
    public static Path file(Path dir, String backend, String method, String target) {
        String readable = target.replaceAll("[^A-Za-z0-9._-]+", "_");
        if (readable.length() > 80) {
            readable = readable.substring(0, 80);
        }
        String name = method.toUpperCase(Locale.ROOT) + readable + "_" + hash(method.toUpperCase(Locale.ROOT) + " " + target)
                + ".json";
        return dir.resolve(backend.replaceAll("[^A-Za-z0-9._-]+", "_")).resolve(name);
    }

    /** Writes a recording, replacing the one before it (whole or not at all). */
    public static void write(Path dir, Recorded r) throws IOException {
        Path file = file(dir, r.backend(), r.method(), r.target());
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), ".recording", ".tmp");
        try {
            JSON.writeValue(temp.toFile(), r);
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * @return the recording of the call, or null if there is none
     * @throws IOException if there is one that cannot be read, saying which
     */
    public static Recorded read(Path dir, String backend, String method, String target) throws IOException {
        Path file = file(dir, backend, method, target);
        try {
            return JSON.readValue(file.toFile(), Recorded.class);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            throw new IOException("the recording " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** @return the headers, those named (lower case) with their value redacted */
    public static Map<String, List<String>> redacted(Map<String, List<String>> headers, Set<String> names) {
        Map<String, List<String>> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers == null) {
            return out;
        }
        headers.forEach((name, values) -> out.put(name, names.contains(name.toLowerCase(Locale.ROOT)) ? List.of(REDACTED)
                : List.copyOf(values)));
        return out;
    }

    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)), 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
