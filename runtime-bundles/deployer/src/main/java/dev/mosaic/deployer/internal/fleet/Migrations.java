package dev.mosaic.deployer.internal.fleet;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's schema, as numbered migrations applied in order, each once. The runtime applies
 * what is missing at start-up, in one transaction holding a transaction-level advisory lock,
 * so instances starting together wait for the first and then find nothing left to do. A store
 * whose schema is newer than this runtime knows is refused (an older runtime must not write to
 * it). A migration, once released, is never edited: a change is a new one.
 *
 * <ol>
 * <li>revisions (the log of committed changes, with the artifact each put in place), snapshots
 * of the registry, artifacts in chunks, management tokens (hashes), instances (heartbeat,
 * group, applied revision, health).</li>
 * <li>samples: what each instance saw of each version of an adapter during a judged rollout, so
 * that every instance judges on the requests of all.</li>
 * <li>what each instance runs (its runtime's version, the newest revision format it applies: a change some live
 * instance cannot apply is refused), and which migrations only add to the schema.</li>
 * </ol>
 *
 * A migration that only adds (tables, nullable columns) is marked {@code additive}: a runtime that knows an older
 * schema runs on the store as long as every migration it does not know is additive (from migration 3 on: runtimes
 * that know only 1 and 2 refuse any newer schema), so that instances not upgraded yet can still restart during a
 * fleet's upgrade.
 */
public final class Migrations {

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    /** The advisory lock's key: "mosaic" in ASCII, as a number. */
    static final long LOCK = 0x6d6f73616963L;

    /** @param additive it only adds to the schema: a runtime that does not know it may still run on the store */
    record Migration(int version, String description, boolean additive, String sql) {
    }

    static final List<Migration> ALL = List.of(new Migration(1, "revisions, snapshots, artifacts, tokens, instances", false, """
            CREATE TABLE mosaic_revisions (
              revision bigint PRIMARY KEY,
              committed_at timestamptz NOT NULL DEFAULT now(),
              instance text NOT NULL,
              actor text,
              op text NOT NULL,
              artifact text,
              event text NOT NULL
            );
            CREATE INDEX mosaic_revisions_artifact ON mosaic_revisions (artifact);
            CREATE TABLE mosaic_snapshots (
              revision bigint PRIMARY KEY,
              taken_at timestamptz NOT NULL DEFAULT now(),
              instance text NOT NULL,
              registry text NOT NULL
            );
            CREATE TABLE mosaic_artifacts (
              sha256 text PRIMARY KEY,
              size bigint NOT NULL,
              chunks int NOT NULL,
              stored_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE mosaic_artifact_chunks (
              sha256 text NOT NULL REFERENCES mosaic_artifacts ON DELETE CASCADE,
              n int NOT NULL,
              data bytea NOT NULL,
              PRIMARY KEY (sha256, n)
            );
            CREATE TABLE mosaic_tokens (
              sha256 text PRIMARY KEY,
              instance text NOT NULL,
              created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE mosaic_instances (
              id text PRIMARY KEY,
              grp text NOT NULL,
              address text,
              mgmt_url text,
              applied bigint NOT NULL DEFAULT 0,
              health text NOT NULL,
              problem text,
              started_at timestamptz NOT NULL DEFAULT now(),
              heartbeat timestamptz NOT NULL DEFAULT now()
            );
            """), new Migration(2, "samples of judged rollouts", true, """
            CREATE TABLE mosaic_samples (
              instance text NOT NULL,
              env text NOT NULL,
              adapter text NOT NULL,
              version text NOT NULL,
              since text NOT NULL,
              requests bigint NOT NULL,
              errors bigint NOT NULL,
              samples bytea NOT NULL,
              updated_at timestamptz NOT NULL DEFAULT now(),
              PRIMARY KEY (env, adapter, since, version, instance)
            );
            """), new Migration(3, "what each instance runs; additive migrations", true, """
            ALTER TABLE mosaic_instances ADD COLUMN runtime text, ADD COLUMN applies int;
            ALTER TABLE mosaic_schema ADD COLUMN additive boolean NOT NULL DEFAULT false;
            UPDATE mosaic_schema SET additive = true WHERE version = 2;
            """));
    /** The first migration whose row says whether it is additive (it adds that column). */
    private static final int MARKS_ADDITIVE = 3;

    private Migrations() {
    }

    /** @return the schema version after applying what was missing */
    static int apply(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
            s.execute("CREATE TABLE IF NOT EXISTS mosaic_schema (version int PRIMARY KEY, description text NOT NULL,"
                    + " applied_at timestamptz NOT NULL DEFAULT now())");
            int current = 0;
            try (ResultSet r = s.executeQuery("SELECT coalesce(max(version), 0) FROM mosaic_schema")) {
                r.next();
                current = r.getInt(1);
            }
            int latest = ALL.get(ALL.size() - 1).version();
            if (current > latest) {
                // a newer runtime migrated the store: this one runs on it if what it does not know only added
                List<String> changed = new java.util.ArrayList<>();
                try (ResultSet r = s.executeQuery("SELECT version, description FROM mosaic_schema WHERE version > " + latest
                        + " AND NOT additive ORDER BY version")) {
                    while (r.next()) {
                        changed.add(r.getInt(1) + " (" + r.getString(2) + ")");
                    }
                }
                if (!changed.isEmpty()) {
                    throw new SQLException("the store's schema is at version " + current + ", newer than this runtime knows ("
                            + latest + "), and migration " + String.join(", ", changed) + " changed what this runtime"
                            + " reads: run a runtime at least as new as the fleet's", "MOS01");
                }
                LOG.warn("the store's schema is at version {}, newer than this runtime knows ({}); what it does not know only"
                        + " added to the schema, so it runs on it: upgrade it to the fleet's version soon", current, latest);
                c.commit();
                return current;
            }
            for (Migration m : ALL) {
                if (m.version() > current) {
                    s.execute(m.sql());
                    try (var insert = c.prepareStatement(m.version() >= MARKS_ADDITIVE
                            ? "INSERT INTO mosaic_schema (version, description, additive) VALUES (?, ?, ?)"
                            : "INSERT INTO mosaic_schema (version, description) VALUES (?, ?)")) {
                        insert.setInt(1, m.version());
                        insert.setString(2, m.description());
                        if (m.version() >= MARKS_ADDITIVE) {
                            insert.setBoolean(3, m.additive());
                        }
                        insert.executeUpdate();
                    }
                    LOG.info("store schema migrated to version {} ({})", m.version(), m.description());
                    current = m.version();
                }
            }
            c.commit();
            return current;
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
