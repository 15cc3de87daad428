package dev.mosaic.deployer.internal.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Immutable bundle jars under {@code <data>/artifacts/<name>/<version>.jar}. Uploads land
 * in {@code .incoming/} first and are moved into place atomically when the change that uses
 * them commits; a jar that no committed change refers to (a crash between the two) is
 * removed at start-up.
 */
public final class ArtifactStore {

    private final Path root;
    private final Path incoming;

    public ArtifactStore(Path root) throws IOException {
        this.root = root;
        this.incoming = root.resolve(".incoming");
        Files.createDirectories(incoming);
        try (Stream<Path> leftovers = Files.list(incoming)) {
            for (Path p : (Iterable<Path>) leftovers::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** @return a new, empty temporary file for an upload, not yet part of the store */
    public Path newUpload() throws IOException {
        return Files.createTempFile(incoming, "upload-", ".jar");
    }

    /** @return where the artifact of that name and version lives */
    public Path path(String name, String version) {
        return root.resolve(name).resolve(version + ".jar");
    }

    public boolean contains(String name, String version) {
        return Files.isRegularFile(path(name, version));
    }

    public InputStream open(String name, String version) throws IOException {
        return Files.newInputStream(path(name, version));
    }

    /**
     * Makes an upload the stored artifact of that name and version, durably: the bytes are
     * forced to disk before the atomic rename, and the directory after it.
     */
    public void commit(Path upload, String name, String version) throws IOException {
        Path target = path(name, version);
        Files.createDirectories(target.getParent());
        try (FileChannel ch = FileChannel.open(upload, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(upload, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(upload, target, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(target.getParent());
    }

    public void discard(Path upload) {
        try {
            Files.deleteIfExists(upload);
        } catch (IOException e) {
            // a leftover upload is cleaned at the next start
        }
    }

    /** Removes artifacts no committed change refers to: uploads a crash left behind. */
    public int removeUnreferenced(Set<String> referenced) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> names = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path dir : names) {
                if (dir.equals(incoming)) {
                    continue;
                }
                try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.jar")) {
                    for (Path jar : jars) {
                        String file = jar.getFileName().toString();
                        String key = dir.getFileName() + "@" + file.substring(0, file.length() - ".jar".length());
                        if (!referenced.contains(key)) {
                            Files.delete(jar);
                            removed++;
                        }
                    }
                }
            }
        }
        return removed;
    }

    public static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform can sync a directory; the rename itself is atomic
        }
    }
}
