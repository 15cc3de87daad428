package dev.mosaic.deployer.internal.fleet;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * An instance's id in the fleet: {@code <host>-<6 hex digits>}, made at its first start and
 * kept in {@code <data>/instance-id}, so that a restarted instance is the same instance (its
 * row in the store, its history) and two on one host are two.
 */
public final class InstanceId {

    static final String FILE = "instance-id";

    private InstanceId() {
    }

    public static String of(Path data) throws IOException {
        Path file = data.resolve(FILE);
        if (Files.isRegularFile(file)) {
            String id = Files.readString(file).strip();
            if (!id.isEmpty()) {
                return id;
            }
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "instance";
        }
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        String id = host.replaceAll("[^A-Za-z0-9.-]", "-") + "-" + HexFormat.of().formatHex(random);
        try {
            Files.writeString(file, id + "\n", java.nio.file.StandardOpenOption.CREATE_NEW);
        } catch (FileAlreadyExistsException e) {
            return Files.readString(file).strip();
        }
        return id;
    }
}
