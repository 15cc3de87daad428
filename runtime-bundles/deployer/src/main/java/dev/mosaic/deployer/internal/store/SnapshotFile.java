package dev.mosaic.deployer.internal.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.deployer.internal.model.Snapshot;

/**
 * The registry's snapshot on disk ({@code snapshot.json}): written whole to a temporary file,
 * forced to disk, then renamed over the last one, so that a crash leaves the old snapshot or
 * the new one, never part of either.
 */
public final class SnapshotFile {

    private final Path file;
    private final ObjectMapper mapper;

    public SnapshotFile(Path file, ObjectMapper mapper) {
        this.file = file;
        this.mapper = mapper;
    }

    /** @return the last snapshot written, or null if there is none (a data directory from before snapshots, or a new one) */
    public Snapshot read() throws IOException {
        Files.deleteIfExists(temporary()); // a write a crash interrupted: the renamed one before it stands
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return mapper.readValue(file.toFile(), Snapshot.class);
        } catch (IOException e) {
            throw new IOException("the registry snapshot " + file + " cannot be read (" + e.getMessage() + "). It is"
                    + " renamed into place only once complete, so something else changed it: restore it from a backup", e);
        }
    }

    /** Writes the snapshot durably: when this returns, a restart starts from it. */
    public void write(Snapshot snapshot) throws IOException {
        Path temp = temporary();
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            out.write(java.nio.ByteBuffer.wrap(mapper.writeValueAsBytes(snapshot)));
            out.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        ArtifactStore.forceDirectory(file.getParent());
    }

    private Path temporary() {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }
}
