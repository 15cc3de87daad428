package dev.mosaic.itests;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the fleet tests' own: Debian's server binaries
 * ({@code /usr/lib/postgresql/<version>/bin}, the {@code postgresql} package, which
 * {@code .ci/run} installs when it is missing) run on a free loopback port, in a temporary
 * folder, with a random password for the user {@code mosaic} and a database {@code mosaic};
 * stopped and deleted by {@link #close}. {@code initdb} refuses to run as root: as root, the
 * server runs as the {@code postgres} user the package creates. Durability is off
 * ({@code fsync=off}): the tests are about the runtime, not the disk.
 */
final class ThrowawayPostgres implements AutoCloseable {

    final Path dir;
    final Path data;
    final Path passwordFile;
    final String password;
    final int port;
    private final Path bin;
    private final boolean asPostgres;

    private ThrowawayPostgres(Path bin, Path dir, String password, int port, boolean asPostgres) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.passwordFile = dir.resolve("password");
        this.password = password;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /** @return the newest server binaries Debian installed */
    static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                Path best = versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                        .max(Comparator.comparing(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0"))))
                        .orElse(null);
                if (best != null) {
                    return best.resolve("bin");
                }
            }
        }
        throw new IOException("no PostgreSQL server binaries under /usr/lib/postgresql: install Debian's postgresql package"
                + " (.ci/run does: apt-get install postgresql)");
    }

    static ThrowawayPostgres start() throws Exception {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        // not under target/: as root, the server's user must reach the folder, and /tmp is what it can
        Path dir = Files.createTempDirectory("mosaic-pg-");
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        ThrowawayPostgres pg = new ThrowawayPostgres(bin, dir, password, freePort(), root);
        Files.writeString(pg.passwordFile, password + "\n");
        if (root) {
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
            Files.setOwner(pg.passwordFile, postgres);
        }
        pg.run(bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", "mosaic", "--pwfile=" + pg.passwordFile,
                "-A", "scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync");
        pg.startServer();
        try (Connection c = pg.connect("postgres")) {
            c.createStatement().execute("CREATE DATABASE mosaic");
        }
        return pg;
    }

    /** Starts the server (again, after {@link #stopServer}) on the same port and data. */
    void startServer() throws Exception {
        run(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off",
                "start");
    }

    /** Stops the server, fast: connections are cut, as when a database goes away. */
    void stopServer() throws Exception {
        run(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
    }

    /** @return the store URL a runtime is given (the password goes separately) */
    String url() {
        return "postgresql://mosaic@127.0.0.1:" + port + "/mosaic";
    }

    Connection connect(String database) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "mosaic");
        p.setProperty("password", password);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, p);
    }

    private void run(String... command) throws Exception {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        Path out = Files.createTempFile("pg-command-", ".log");
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", full) + " did not finish in 120 s: " + Files.readString(out));
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", full) + " failed (exit " + p.exitValue() + "): " + Files.readString(out));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                stopServer();
            }
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
