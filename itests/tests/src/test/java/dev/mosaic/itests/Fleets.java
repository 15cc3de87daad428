package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mosaic.itests.postgres.ThrowawayPostgres;

/**
 * What the fleet's tests share: a throwaway PostgreSQL ({@link ThrowawayPostgres}), a database of its own for each
 * test, instances started on it as an operator starts them, and waiting for what they say.
 */
final class Fleets {

    static ThrowawayPostgres pg;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private Fleets() {
    }

    /** Starts the test server (a test class's {@code @BeforeClass}). */
    static void startPostgres() throws Exception {
        pg = ThrowawayPostgres.start();
    }

    /** Stops it (its {@code @AfterClass}). */
    static void stopPostgres() throws Exception {
        if (pg != null) {
            pg.close();
            pg = null;
        }
    }

    static Path example(String file) {
        return LaunchedRuntime.dist().resolve("examples").resolve(file);
    }

    /** @return the URL of a new, empty database of the test server */
    static String newStore() throws Exception {
        String db = "fleet_" + DATABASES.incrementAndGet();
        pg.createDatabase(db);
        return pg.url(db);
    }

    /** @return a connection to the database of the store URL, to read what the runtimes wrote */
    static Connection connect(String store) throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", "mosaic");
        p.setProperty("password", pg.password);
        return java.sql.DriverManager.getConnection("jdbc:" + store.replace("mosaic@", ""), p);
    }

    /**
     * Starts an instance: the password from the environment, as an operator's service file would give it; without
     * {@code --no-seed}, which a fleet instance does not need (it never deploys the examples).
     */
    static LaunchedRuntime instance(String store, String group, Path data, String... more) throws Exception {
        List<String> options = new ArrayList<>(List.of("--no-console", "--store", store, "--group", group));
        options.addAll(List.of(more));
        return LaunchedRuntime.start(data, List.of(), options, Map.of("MOSAIC_STORE_PASSWORD", pg.password));
    }

    /** Starts instances at once (as a fleet's machines boot), each with a new data directory. */
    static List<LaunchedRuntime> instances(String store, String... groups) throws Exception {
        List<CompletableFuture<LaunchedRuntime>> starting = new ArrayList<>();
        for (String g : groups) {
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return instance(store, g, LaunchedRuntime.newDataDir());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, LaunchedRuntime.ASYNC));
        }
        List<LaunchedRuntime> all = new ArrayList<>();
        for (CompletableFuture<LaunchedRuntime> f : starting) {
            all.add(f.get(3, TimeUnit.MINUTES));
        }
        return all;
    }

    static void closeAll(List<LaunchedRuntime> all) throws Exception {
        for (LaunchedRuntime rt : all) {
            rt.close();
        }
    }

    static LaunchedRuntime.CliResult deploy(LaunchedRuntime through, String jar, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("deploy", example(jar).toString()));
        args.addAll(List.of(more));
        return through.cli(args.toArray(String[]::new));
    }

    static void assertDeployed(LaunchedRuntime.CliResult r, int instances) {
        assertEquals(r.out() + r.err(), 0, r.exit());
        assertTrue(r.out(), r.out().contains("applied by all " + instances + " live instance(s)"));
    }

    static JsonNode tvHome(LaunchedRuntime rt) throws Exception {
        return rt.json("/tv/home");
    }

    interface Attempt<T> {
        T get() throws Exception;
    }

    /** @return the first answer that satisfies the condition, within a minute */
    static <T> T await(Attempt<T> attempt, java.util.function.Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        T last = null;
        while (System.nanoTime() < deadline) {
            last = attempt.get();
            if (done.test(last)) {
                return last;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        fail("never happened; last: " + last);
        return null;
    }
}
