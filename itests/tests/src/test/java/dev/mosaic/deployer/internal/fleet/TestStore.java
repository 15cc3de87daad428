package dev.mosaic.deployer.internal.fleet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.Properties;

import dev.mosaic.itests.postgres.ThrowawayPostgres;

/**
 * A fleet's store for the tests of {@link PgStore}: a database of its own on a throwaway PostgreSQL (one for the test
 * class, {@link #postgres}), a folder for the instances' own artifacts, and a connection of the test's to look.
 */
final class TestStore implements AutoCloseable {

    private static ThrowawayPostgres pg;
    private static int databases;

    final Path dir;
    final String url;
    final StoreConfig config;

    /** @return the throwaway PostgreSQL of a test class, as its {@code @ClassRule} */
    static org.junit.rules.ExternalResource postgres() {
        return new org.junit.rules.ExternalResource() {
            @Override
            protected void before() throws Throwable {
                pg = ThrowawayPostgres.start();
            }

            @Override
            protected void after() {
                try {
                    if (pg != null) {
                        pg.close();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    /** A new database, empty. */
    TestStore(String name) throws Exception {
        dir = Files.createTempDirectory("store-" + name + "-");
        String db = name + "_" + ++databases;
        pg.createDatabase(db);
        url = pg.url(db);
        config = StoreConfig.from(Map.of("mosaic.store", url)::get, Map.of(StoreConfig.PASSWORD_ENV, pg.password)::get);
    }

    /** @return a connection of the test's (named {@code test} in {@code pg_stat_activity}) */
    Connection connect() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "mosaic");
        p.setProperty("password", pg.password);
        p.setProperty("ApplicationName", "test");
        return java.sql.DriverManager.getConnection("jdbc:" + url.replace("mosaic@", ""), p);
    }

    /** Removes the instances' folders (the database goes with PostgreSQL). */
    @Override
    public void close() throws Exception {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
