package dev.mosaic.deployer.internal.fleet;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Test;

import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Snapshot;
import dev.mosaic.deployer.internal.store.ArtifactStore;
import dev.mosaic.deployer.internal.store.JsonSupport;

/**
 * A compaction of the fleet's store against another instance's change naming an artifact that nothing else names: a
 * rollback to an old version finds its artifact in the store and commits a revision naming it, storing nothing, while
 * the instance that committed the revision before compacts the store and removes the artifacts nothing names. Whatever
 * the order, the artifact a committed revision names must be in the store, or no instance can apply that revision.
 * <p>
 * Two {@link PgStore}s (two instances) on a real PostgreSQL; the order is made certain by a third connection of the
 * test holding a row lock the one to go second waits on, and every wait is seen in {@code pg_stat_activity}.
 */
public class StoreCompactionIT {

    private TestStore store;
    private PgStore a;
    private PgStore b;
    private Artifact old;
    private Artifact other;
    /**
     * The two instances' work, each on a thread of its own (CompletableFuture's default, the common pool, runs one task
     * at a time on a two-core machine from Java 25: the second would wait for the first, which waits for the test).
     */
    private final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();

    @ClassRule
    public static final org.junit.rules.ExternalResource POSTGRES = TestStore.postgres();

    /**
     * Revision 1 deploys tv-home 1.0.0, revision 2 tv-home 2.0.0, revision 3 undeploys 2.0.0: compacted at revision 3
     * (keeping the last revision), 1.0.0's artifact and 2.0.0's are named by nothing.
     */
    @Before
    public void threeRevisions() throws Exception {
        store = new TestStore("compaction");
        StoreConfig config = store.config;
        ArtifactStore localA = new ArtifactStore(store.dir.resolve("a"));
        ArtifactStore localB = new ArtifactStore(store.dir.resolve("b"));
        old = artifact(localA, "1.0.0");
        other = artifact(localA, "2.0.0");
        artifact(localB, "1.0.0"); // b applied 1.0.0 once: its rollback could store it again
        a = new PgStore(config, "a", localA, JsonSupport.mapper(), 3, 1, "test");
        b = new PgStore(config, "b", localB, JsonSupport.mapper(), 3, 1, "test");
        a.open();
        b.open();
        a.append(revision(1, Event.placing(Operation.DEPLOY, "prod", old, Map.of(), null, "alice")));
        a.append(revision(2, Event.placing(Operation.DEPLOY, "prod", other, Map.of(), null, "alice")));
        a.append(revision(3, Event.about(Operation.UNDEPLOY, new UnitKey("prod", "tv-home", "2.0.0"), "alice")));
    }

    @After
    public void cleanUp() throws Exception {
        threads.shutdownNow();
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (store != null) {
            store.close();
        }
    }

    /**
     * The rollback first: it has found 1.0.0's artifact in the store and waits to commit its revision (on the test's
     * row); the compaction starts meanwhile. It must not remove the artifact the rollback is about to name.
     */
    @Test
    public void aCompactionWaitsForARevisionNamingAnArtifactAndKeepsIt() throws Exception {
        try (Connection test = connect()) {
            test.setAutoCommit(false);
            holdRevision(test, 4); // the rollback's insert of revision 4 waits on this one
            CompletableFuture<Void> rollback = CompletableFuture.runAsync(() -> append(b,
                    revision(4, Event.placing(Operation.ROLLBACK, "prod", old, Map.of(), null, "bob"))), threads);
            await("the rollback waiting to insert its revision", () -> waiting("transactionid") == 1);
            CompletableFuture<Void> compaction = CompletableFuture.runAsync(() -> a.committed(3, this::emptyRegistry), threads);
            await("the compaction done or waiting for the rollback", () -> compaction.isDone() || waiting("advisory") == 1);
            test.rollback();
            rollback.get(30, TimeUnit.SECONDS);
            compaction.get(30, TimeUnit.SECONDS);
        }
        assertEquals("the compaction removed what nothing names, and kept what the rollback names",
                List.of(old.sha256()), storedArtifacts());
        assertFetched(old);
    }

    /**
     * The compaction first: it is removing what nothing names (held on the test's lock of 1.0.0's row) when the
     * rollback comes. The rollback must find the artifact gone and store it again from its own copy.
     */
    @Test
    public void aRevisionNamingAnArtifactWaitsForACompactionAndStoresItAgain() throws Exception {
        try (Connection test = connect()) {
            test.setAutoCommit(false);
            try (PreparedStatement s = test.prepareStatement("SELECT 1 FROM mosaic_artifacts WHERE sha256 = ? FOR UPDATE")) {
                s.setString(1, old.sha256());
                s.executeQuery().close();
            }
            CompletableFuture<Void> compaction = CompletableFuture.runAsync(() -> a.committed(3, this::emptyRegistry), threads);
            await("the compaction waiting to remove 1.0.0's artifact", () -> waiting("transactionid") == 1);
            CompletableFuture<Void> rollback = CompletableFuture.runAsync(() -> append(b,
                    revision(4, Event.placing(Operation.ROLLBACK, "prod", old, Map.of(), null, "bob"))), threads);
            await("the rollback done or waiting for the compaction", () -> rollback.isDone() || waiting("advisory") == 1);
            test.commit();
            compaction.get(30, TimeUnit.SECONDS);
            rollback.get(30, TimeUnit.SECONDS);
        }
        assertEquals("the rollback stored again what the compaction removed", List.of(old.sha256()), storedArtifacts());
        assertFetched(old);
    }

    private Snapshot emptyRegistry() {
        return new Snapshot(1, 3, List.of(), List.of(), Map.of(), List.of());
    }

    /** The revision's artifact, read back from the store by an instance that applies it, is the one deployed. */
    private void assertFetched(Artifact artifact) throws Exception {
        Path into = store.dir.resolve("fetched.jar");
        a.fetchArtifact(artifact.sha256(), into);
        assertEquals(artifact.sha256(), sha256(Files.readAllBytes(into)));
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT artifact FROM mosaic_revisions ORDER BY revision DESC LIMIT 1")) {
            assertTrue(r.next());
            assertEquals("the last revision names it", artifact.sha256(), r.getString(1));
        }
    }

    private List<String> storedArtifacts() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT sha256 FROM mosaic_artifacts ORDER BY sha256")) {
            List<String> stored = new java.util.ArrayList<>();
            while (r.next()) {
                stored.add(r.getString(1));
            }
            return stored;
        }
    }

    /** Inserts a revision in the test's open transaction: another insert of that revision waits for it to end. */
    private static void holdRevision(Connection c, long revision) throws Exception {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO mosaic_revisions (revision, instance, op, event) VALUES (?, 'test', 'test', '{}')")) {
            s.setLong(1, revision);
            s.executeUpdate();
        }
    }

    /** @return how many of the instances' connections wait for a lock of that kind ({@code pg_stat_activity}) */
    private int waiting(String lock) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND application_name = 'mosaic' AND wait_event_type = 'Lock'"
                + " AND wait_event = ?")) {
            s.setString(1, lock);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not seen within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static void append(PgStore store, Event event) {
        try {
            store.append(event);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Event revision(long seq, Event e) {
        e.seq = seq;
        return e;
    }

    /** @return an adapter tv-home of that version, its bytes in the instance's own artifact store */
    private static Artifact artifact(ArtifactStore local, String version) throws Exception {
        byte[] bytes = ("tv-home " + version + ", not a real jar: the store keeps bytes").getBytes(StandardCharsets.UTF_8);
        Path upload = local.newUpload();
        Files.write(upload, bytes);
        local.commit(upload, "tv-home", version);
        return new Artifact("tv-home", version, Kind.ADAPTER, sha256(bytes), bytes.length, false, List.of(), List.of(),
                Map.of());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private Connection connect() throws Exception {
        return store.connect();
    }
}
