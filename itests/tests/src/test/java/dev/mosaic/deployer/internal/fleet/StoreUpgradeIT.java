package dev.mosaic.deployer.internal.fleet;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Test;

import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.store.ArtifactStore;
import dev.mosaic.deployer.internal.store.ChangeLog;
import dev.mosaic.deployer.internal.store.JsonSupport;

/**
 * A fleet while its runtime is upgraded, instance by instance, on a real PostgreSQL: a change that a live instance's
 * older runtime cannot apply is refused until that instance is upgraded or gone; a store migrated by a newer runtime
 * still takes an older one when what it added only adds; and a store as the release before left it (schema 2) is
 * migrated with the instances it lists.
 */
public class StoreUpgradeIT {

    private TestStore store;
    private final List<PgStore> opened = new ArrayList<>();

    @ClassRule
    public static final org.junit.rules.ExternalResource POSTGRES = TestStore.postgres();

    @Before
    public void newStore() throws Exception {
        store = new TestStore("upgrade");
    }

    @After
    public void cleanUp() throws Exception {
        for (PgStore s : opened) {
            s.close();
        }
        store.close();
    }

    private PgStore store(String instance, String runtime) throws IOException {
        PgStore s = new PgStore(store.config, instance, new ArtifactStore(store.dir.resolve(instance)), JsonSupport.mapper(),
                1000, 100_000, runtime);
        opened.add(s);
        return s;
    }

    @Test
    public void aChangeALiveInstanceCannotApplyIsRefusedUntilItIsUpgradedOrGone() throws Exception {
        PgStore a = store("a", "2.0.0");
        a.open();
        a.report("east", "10.0.0.1:8080", null, 0, "ok", null);
        // an instance of the release before: live, in west, and it says nothing of what it applies
        sql("INSERT INTO mosaic_instances (id, grp, applied, health, heartbeat) VALUES ('old-1', 'west', 0, 'ok',"
                + " now() + interval '1 hour')");
        // and one that went away an hour ago: it does not count
        sql("INSERT INTO mosaic_instances (id, grp, applied, health, heartbeat) VALUES ('gone-1', 'west', 0, 'ok',"
                + " now() - interval '1 hour')");

        // what every instance applies is committed
        a.append(revision(1, Event.about(Operation.UNDEPLOY, new UnitKey("prod", "tv-home", "1.0.0"), "alice")));
        // a rollout in waves and a rollout's step are not: the old instance would apply them wrongly, or fail
        Event waves = revision(2, Event.about(Operation.CANARY, new UnitKey("prod", "tv-home", "1.1.0"), "alice"));
        waves.groups = Set.of("east");
        String refused = refusal(a, waves);
        assertTrue(refused, refused.contains("live instance(s) old-1 (group west, a runtime from before instances said their"
                + " version, applies revision format 1) cannot apply this change (canary in waves: revision format 2,"
                + " which Mosaic 2.0.0 applies): upgrade them, or stop them"));
        assertTrue(refused, !refused.contains("gone-1"));
        refusal(a, revision(2, Event.about(Operation.ROLLOUT_PAUSE, new UnitKey("prod", "tv-home", "1.1.0"), "alice")));
        assertEquals("nothing committed", 1, count("SELECT count(*) FROM mosaic_revisions"));

        // the listing says who runs what
        PgStore.InstanceRow old = row(a, "old-1");
        assertNull(old.runtime());
        assertEquals(1, old.applies());
        assertEquals("2.0.0", row(a, "a").runtime());
        assertEquals(Event.FORMAT, row(a, "a").applies());

        // old-1 restarts on the new runtime: it says so in its first report, and the same change is committed
        PgStore upgraded = store("old-1", "2.0.0");
        upgraded.open();
        upgraded.report("west", "10.0.0.2:8080", null, 1, "ok", null);
        assertEquals("2.0.0", row(a, "old-1").runtime());
        a.append(waves);
        // an instance stopped for good does not hold changes back either
        sql("INSERT INTO mosaic_instances (id, grp, applied, health, heartbeat) VALUES ('old-2', 'west', 0, 'ok',"
                + " now() + interval '1 hour')");
        refusal(a, revision(3, Event.about(Operation.ROLLOUT_PAUSE, new UnitKey("prod", "tv-home", "1.1.0"), "alice")));
        sql("UPDATE mosaic_instances SET health = 'stopped' WHERE id = 'old-2'");
        a.append(revision(3, Event.about(Operation.ROLLOUT_PAUSE, new UnitKey("prod", "tv-home", "1.1.0"), "alice")));
        assertEquals(3, count("SELECT count(*) FROM mosaic_revisions"));
    }

    @Test
    public void aStoreMigratedByANewerRuntimeTakesAnOlderOneWhenTheNewerMigrationsOnlyAdd() throws Exception {
        assertEquals(3, store("a", "2.0.0").migrate());
        // a newer runtime added a table: this one runs on the store
        sql("INSERT INTO mosaic_schema (version, description, additive) VALUES (4, 'a table of the future', true)");
        assertEquals(4, store("b", "2.0.0").migrate());
        // then changed a column this runtime reads: refused, saying which
        sql("INSERT INTO mosaic_schema (version, description, additive) VALUES (5, 'revisions renumbered', false)");
        try {
            store("c", "2.0.0").migrate();
            fail("a store whose schema changed what this runtime reads was taken");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("the store's schema is at version 5, newer than this runtime knows"
                    + " (3), and migration 5 (revisions renumbered) changed what this runtime reads: run a runtime at least"
                    + " as new as the fleet's"));
        }
    }

    /** The schema as the release before left it (migrations 1 and 2), with an instance and a revision of that release. */
    @Test
    public void aStoreOfTheReleaseBeforeIsMigratedWithWhatItHas() throws Exception {
        try (Connection c = store.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE mosaic_schema (version int PRIMARY KEY, description text NOT NULL,"
                    + " applied_at timestamptz NOT NULL DEFAULT now())");
            for (Migrations.Migration m : Migrations.ALL.subList(0, 2)) {
                s.execute(m.sql());
                s.execute("INSERT INTO mosaic_schema (version, description) VALUES (" + m.version() + ", '" + m.description() + "')");
            }
            s.execute("INSERT INTO mosaic_instances (id, grp, applied, health) VALUES ('old-1', 'west', 0, 'ok')");
        }
        PgStore a = store("a", "2.0.0");
        a.open();
        assertEquals(3, count("SELECT max(version) FROM mosaic_schema"));
        assertEquals("migrations 2 and 3 only added", 2, count("SELECT count(*) FROM mosaic_schema WHERE additive"
                + " AND version IN (2, 3)"));
        assertEquals(0, count("SELECT count(*) FROM mosaic_schema WHERE additive AND version = 1"));
        PgStore.InstanceRow old = row(a, "old-1");
        assertNull(old.runtime());
        assertEquals(Event.OLDEST_FORMAT, old.applies());
        a.append(revision(1, Event.about(Operation.UNDEPLOY, new UnitKey("prod", "tv-home", "1.0.0"), "alice")));
        assertEquals(1, a.after(0).size());
    }

    private static Event revision(long seq, Event e) {
        e.seq = seq;
        e.time = "2026-12-04T10:00:00Z";
        return e;
    }

    /** @return the message of the refusal of a change */
    private static String refusal(PgStore store, Event e) throws IOException {
        try {
            store.append(e);
        } catch (ChangeLog.Refused r) {
            return r.getMessage();
        }
        fail(e.op + " was committed");
        return null;
    }

    private static PgStore.InstanceRow row(PgStore store, String id) throws IOException {
        return store.instances().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    private void sql(String statement) throws Exception {
        try (Connection c = store.connect(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private long count(String query) throws Exception {
        try (Connection c = store.connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
            r.next();
            return r.getLong(1);
        }
    }
}
