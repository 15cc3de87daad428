package dev.mosaic.itests.postgres;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the fleet tests' (and benchmarks') own: Debian's server binaries
 * ({@code /usr/lib/postgresql/<version>/bin}, the {@code postgresql} package, which
 * {@code .ci/run} installs when it is missing) run on a free loopback port, in a temporary
 * folder, with a random password for the user {@code mosaic} and a database {@code mosaic};
 * stopped and deleted by {@link #close}. {@code initdb} refuses to run as root: as root, the
 * server runs as the {@code postgres} user the package creates. Durability is off
 * ({@code fsync=off}): the tests are about the runtime, not the disk.
 */
public final class ThrowawayPostgres implements AutoCloseable {

    /** The folder it lives in (its data, its log, the password file). */
    public final Path dir;
    public final Path data;
    /** A file holding the password of the user {@code mosaic} (for {@code --store-password-file}). */
    public final Path passwordFile;
    public final String password;
    public final int port;
    private final Path bin;
    private final boolean asPostgres;
    private final boolean tls;

    private ThrowawayPostgres(Path bin, Path dir, String password, int port, boolean asPostgres, boolean tls) {
        this.bin = bin;
        this.tls = tls;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.passwordFile = dir.resolve("password");
        this.password = password;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /** @return the newest server binaries Debian installed */
    public static Path binaries() throws IOException {
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

    public static ThrowawayPostgres start() throws Exception {
        return start(false);
    }

    /**
     * A server that takes TLS connections only ({@code hostssl} in {@code pg_hba.conf}), with a
     * self-signed certificate for 127.0.0.1 made by {@code openssl} ({@link #certificate}).
     */
    public static ThrowawayPostgres startTlsOnly() throws Exception {
        return start(true);
    }

    private static ThrowawayPostgres start(boolean tls) throws Exception {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        // not under target/: as root, the server's user must reach the folder, and /tmp is what it can
        Path dir = Files.createTempDirectory("mosaic-pg-");
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        ThrowawayPostgres pg = new ThrowawayPostgres(bin, dir, password, freePort(), root, tls);
        Files.writeString(pg.passwordFile, password + "\n");
        if (root) {
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
            Files.setOwner(pg.passwordFile, postgres);
        }
        pg.run(bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", "mosaic", "--pwfile=" + pg.passwordFile,
                "-A", "scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync");
        if (tls) {
            // made as the server's user: the key must be its own and readable by it alone
            pg.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.resolve("server.key").toString(),
                    "-out", pg.certificate().toString(), "-subj", "/CN=127.0.0.1", "-days", "2", "-addext",
                    "subjectAltName=IP:127.0.0.1");
            pg.run("chmod", "600", dir.resolve("server.key").toString());
            pg.run("sed", "-i", "s/^host /hostssl /", pg.data.resolve("pg_hba.conf").toString());
        }
        pg.startServer();
        pg.createDatabase("mosaic");
        return pg;
    }

    /** Starts the server (again, after {@link #stopServer}) on the same port and data. */
    public void startServer() throws Exception {
        run(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                        + (tls ? " -c ssl=on -c ssl_cert_file=" + certificate() + " -c ssl_key_file=" + dir.resolve("server.key")
                                : ""),
                "start");
    }

    /** Stops the server, fast: connections are cut, as when a database goes away. */
    public void stopServer() throws Exception {
        run(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
    }

    /** @return the server's certificate, for a client's {@code sslrootcert} (a server started with TLS) */
    public Path certificate() {
        return dir.resolve("server.crt");
    }

    /** @return whether the server is running (started, not stopped) */
    public boolean running() {
        return Files.exists(data.resolve("postmaster.pid"));
    }

    /** @return the store URL of a database, as a runtime is given it (the password goes separately) */
    public String url(String database) {
        return "postgresql://mosaic@127.0.0.1:" + port + "/" + database;
    }

    /** Creates an empty database owned by {@code mosaic}, with the server's own {@code createdb}. */
    public void createDatabase(String name) throws Exception {
        List<String> full = List.of(bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U",
                "mosaic", name);
        ProcessBuilder pb = new ProcessBuilder(full);
        pb.environment().put("PGPASSWORD", password); // for this child only; never on a command line
        execute(pb, full);
    }

    private void run(String... command) throws Exception {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        execute(new ProcessBuilder(full), full);
    }

    private static void execute(ProcessBuilder pb, List<String> full) throws Exception {
        Path out = Files.createTempFile("pg-command-", ".log");
        try {
            Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
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

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (running()) {
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
