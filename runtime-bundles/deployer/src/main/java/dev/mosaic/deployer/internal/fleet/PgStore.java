package dev.mosaic.deployer.internal.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model;
import dev.mosaic.deployer.internal.model.Snapshot;
import dev.mosaic.deployer.internal.store.ArtifactStore;
import dev.mosaic.deployer.internal.store.ChangeLog;
import dev.mosaic.deployer.internal.store.ChangeLog.Refused;

/**
 * The fleet's store in PostgreSQL: the revision log (one row per committed change, its number
 * the primary key, so two instances committing the same number cannot both succeed), a
 * snapshot of the registry every so many revisions (instances start from it; see
 * {@link #committed}), the
 * artifacts by SHA-256 in 1 MiB chunks (streamed both ways: a 64 MiB jar is never one value on
 * the heap), the management tokens' hashes and the instances' reports. One connection for
 * work, used by one caller at a time; a connection that failed is dropped and the next call
 * opens a new one. The listening connection is {@link FleetSync}'s.
 */
public final class PgStore implements ChangeLog {

    /** The channel a commit notifies, with the revision as payload: a hint, the log is the truth. */
    public static final String CHANNEL = "mosaic_revisions";
    static final int CHUNK = 1 << 20;

    /** A piece of work on a connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException, IOException;
    }

    /**
     * An instance's report, as the store has it.
     *
     * @param runtime the version of Mosaic it runs, null for a runtime from before instances said it
     * @param applies the newest revision {@linkplain Event#FORMAT format} it applies
     */
    record InstanceRow(String id, String group, String address, String mgmtUrl, long applied, String health, String problem,
            long ageMillis, long head, String runtime, int applies) {
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PgStore.class);

    private final StoreConfig config;
    private final String instance;
    private final ArtifactStore local;
    private final ObjectMapper mapper;
    private final int snapshotEvery;
    private final long keep;
    /** The version of Mosaic this instance runs, as it reports it. */
    private final String runtime;
    private Connection work;
    private Snapshot base;

    /**
     * @param snapshotEvery the instance that commits a revision that is a multiple of it writes a snapshot of the
     *        registry and compacts the store
     * @param keep how many of the last revisions the store keeps (the history; older ones are in the snapshot)
     * @param runtime the version of Mosaic this instance runs, for the fleet's listing
     */
    public PgStore(StoreConfig config, String instance, ArtifactStore local, ObjectMapper mapper, int snapshotEvery, long keep,
            String runtime) {
        this.config = config;
        this.runtime = runtime;
        this.instance = instance;
        this.local = local;
        this.mapper = mapper;
        this.snapshotEvery = snapshotEvery;
        this.keep = keep;
    }

    public StoreConfig config() {
        return config;
    }

    /** @return a new connection to the store (the caller closes it) */
    Connection connect() throws SQLException {
        Connection c = new org.postgresql.Driver().connect(config.jdbcUrl(), config.connection());
        if (c == null) {
            throw new SQLException("the PostgreSQL driver does not take " + config.display());
        }
        return c;
    }

    /** Creates or migrates the schema; instances starting together migrate once. */
    public int migrate() throws IOException {
        return call(false, Migrations::apply);
    }

    /** The newest snapshot, then the revisions after it. */
    @Override
    public List<Event> open() throws IOException {
        migrate();
        base = call(false, c -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                    "SELECT registry FROM mosaic_snapshots ORDER BY revision DESC LIMIT 1")) {
                return r.next() ? mapper.readValue(r.getString(1), Snapshot.class) : null;
            }
        });
        return after(base == null ? 0 : base.seq());
    }

    @Override
    public Snapshot base() {
        return base;
    }

    @Override
    public boolean snapshots() {
        return false; // the store keeps its own (see committed)
    }

    /**
     * The newest revisions first, a page at a time, until {@code limit} pass the filter or none are left: a filter on a
     * name or an environment is first asked of PostgreSQL as text the change must contain (so that pages of others' changes
     * are not sent), then checked on each change read. Each page is a call of its own: a long search for a rare name does
     * not hold the connection that commits changes between pages.
     */
    @Override
    public List<Event> last(int limit, dev.mosaic.deployer.internal.model.EventFilter filter) throws IOException {
        String sql = "SELECT revision, event FROM mosaic_revisions WHERE revision < ?"
                + (filter.env() == null ? "" : " AND strpos(event, ?) > 0")
                + (filter.name() == null ? "" : " AND strpos(event, ?) > 0") + " ORDER BY revision DESC LIMIT ?";
        int page = filter.all() ? Math.max(1, limit) : Math.max(100, Math.min(limit, 1000));
        List<Event> events = new ArrayList<>();
        long before = Long.MAX_VALUE;
        while (events.size() < limit) {
            long from = before;
            // the rows of one page, newest first (made afresh if the call is tried again on a new connection)
            List<Event> read = call(false, c -> {
                List<Event> rows = new ArrayList<>();
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    int i = 1;
                    s.setLong(i++, from);
                    if (filter.env() != null) {
                        s.setString(i++, mapper.writeValueAsString(filter.env()));
                    }
                    if (filter.name() != null) {
                        s.setString(i++, mapper.writeValueAsString(filter.name()).replaceAll("^\"|\"$", ""));
                    }
                    s.setInt(i, page);
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            Event e = mapper.readValue(r.getString(2), Event.class);
                            e.seq = r.getLong(1);
                            rows.add(e);
                        }
                    }
                }
                return rows;
            });
            for (Event e : read) {
                if (events.size() < limit && filter.test(e)) {
                    events.add(0, e);
                }
            }
            if (read.size() < page) {
                break; // the oldest revision kept was read
            }
            before = read.get(read.size() - 1).seq;
        }
        return events;
    }

    /**
     * Every {@code snapshotEvery} revisions, the instance that committed the revision compacts
     * the store, in one transaction: the registry as of that revision becomes the snapshot
     * instances start from (the one before goes), revisions older than the last {@code keep}
     * go, and so do the artifacts that no deployment uses and no kept revision names. A failure
     * loses nothing (the next multiple tries again) and is logged.
     */
    @Override
    public void committed(long seq, java.util.function.Supplier<Snapshot> registry) {
        if (seq % snapshotEvery != 0) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            Snapshot snapshot = registry.get();
            long[] removed = call(true, c -> compact(c, seq, snapshot));
            LOG.info("store compacted at revision {} in {} ms: the registry snapshotted; {} revision(s) older than the last"
                    + " {} and {} artifact(s) ({} KiB) nothing needs any more removed", seq, (System.nanoTime() - t0) / 1_000_000,
                    removed[0], keep, removed[1], removed[2] / 1024);
        } catch (IOException | RuntimeException e) {
            LOG.warn("compacting the store at revision {} failed ({}); nothing is lost, the next compaction tries again", seq,
                    e.getMessage());
        }
    }

    /** @return revisions removed, artifacts removed, their bytes */
    private long[] compact(Connection c, long seq, Snapshot snapshot) throws SQLException, IOException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO mosaic_snapshots (revision, instance, registry) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            s.setLong(1, seq);
            s.setString(2, instance);
            s.setString(3, mapper.writeValueAsString(snapshot));
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM mosaic_snapshots WHERE revision < ?")) {
            s.setLong(1, seq);
            s.executeUpdate();
        }
        long revisions;
        try (PreparedStatement s = c.prepareStatement("DELETE FROM mosaic_revisions WHERE revision <= ?")) {
            s.setLong(1, seq - keep);
            revisions = s.executeUpdate();
        }
        // An artifact nothing names may be named again at any moment: another instance's rollback finds it in the
        // store and commits a revision naming it, storing nothing. Such a revision holds ARTIFACTS_LOCK shared until it
        // is committed; taken exclusively here, the removal below starts after every one of them and sees them all
        // (read committed: each statement sees what was committed before it started), and those that come later wait
        // for it and store again what it removed.
        advisoryLock(c, "pg_advisory_xact_lock");
        String[] inUse = snapshot.units().stream().map(Snapshot.UnitState::sha256).distinct().toArray(String[]::new);
        long artifacts = 0;
        long bytes = 0;
        try (PreparedStatement s = c.prepareStatement("DELETE FROM mosaic_artifacts a"
                + " WHERE NOT EXISTS (SELECT 1 FROM mosaic_revisions r WHERE r.artifact = a.sha256)"
                + " AND NOT (a.sha256 = ANY (?)) RETURNING size")) {
            s.setArray(1, c.createArrayOf("text", inUse));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    artifacts++;
                    bytes += r.getLong(1);
                }
            }
        }
        return new long[] { revisions, artifacts, bytes };
    }

    /** The advisory lock between revisions that name an artifact and the compaction that removes artifacts. */
    static final long ARTIFACTS_LOCK = Migrations.LOCK + 1;

    /** Takes {@link #ARTIFACTS_LOCK} until the transaction ends, with the function given (shared or exclusive). */
    private static void advisoryLock(Connection c, String function) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + function + "(?)")) {
            s.setLong(1, ARTIFACTS_LOCK);
            s.execute();
        }
    }

    /** @return the committed changes after that revision, oldest first */
    public List<Event> after(long revision) throws IOException {
        return call(false, c -> {
            List<Event> events = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT revision, event FROM mosaic_revisions WHERE revision > ? ORDER BY revision")) {
                s.setLong(1, revision);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        Event e = mapper.readValue(r.getString(2), Event.class);
                        e.seq = r.getLong(1);
                        events.add(e);
                    }
                }
            }
            return events;
        });
    }

    /**
     * Commits the change as revision {@code event.seq}, with its artifact if the store does not
     * have it yet, and notifies the other instances, in one transaction.
     */
    @Override
    public void append(Event event) throws IOException {
        call(true, c -> {
            refuseIfSomeInstanceCannotApply(c, event);
            if (event.artifact != null) {
                // until this revision is committed, no compaction removes the artifact it names (see compact)
                advisoryLock(c, "pg_advisory_xact_lock_shared");
                storeArtifact(c, event.artifact.sha256(), local.path(event.artifact.name(), event.artifact.version()));
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO mosaic_revisions (revision, instance, actor, op, artifact, event) VALUES (?, ?, ?, ?, ?, ?)")) {
                s.setLong(1, event.seq);
                s.setString(2, instance);
                s.setString(3, event.actor);
                s.setString(4, event.op);
                s.setString(5, event.artifact == null ? null : event.artifact.sha256());
                s.setString(6, mapper.writeValueAsString(event));
                s.executeUpdate();
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) {
                    throw new Conflict("another instance committed revision " + event.seq + " first");
                }
                throw e;
            }
            try (PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                s.setString(1, CHANNEL);
                s.setString(2, Long.toString(event.seq));
                s.execute();
            }
            return null;
        });
    }

    /**
     * Refuses a change that a live instance of the fleet does not apply (its runtime is older than the change's revision
     * format: it would fail to apply it, or apply it wrongly), in the transaction that would commit it.
     */
    private void refuseIfSomeInstanceCannotApply(Connection c, Event event) throws SQLException, Refused {
        String why = whyNotAll(c, event);
        if (why != null) {
            throw new Refused(why);
        }
    }

    /** @return why a live instance of the fleet could not apply the change (what a dry run reports), or null if all can */
    public String whyNotAll(Event event) throws IOException {
        return call(false, c -> whyNotAll(c, event));
    }

    private String whyNotAll(Connection c, Event event) throws SQLException {
        int format = event.format();
        if (format <= Event.OLDEST_FORMAT) {
            return null; // every instance applies it
        }
        List<String> behind = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT id, grp, runtime, coalesce(applies, " + Event.OLDEST_FORMAT
                + ") FROM mosaic_instances WHERE coalesce(applies, " + Event.OLDEST_FORMAT + ") < ? AND health <> 'stopped'"
                + " AND heartbeat > now() - make_interval(secs => ?) ORDER BY grp, id")) {
            s.setInt(1, format);
            s.setDouble(2, config.liveFor().toMillis() / 1000.0);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    behind.add(r.getString(1) + " (group " + r.getString(2) + ", " + (r.getString(3) == null
                            ? "a runtime from before instances said their version" : "Mosaic " + r.getString(3))
                            + ", applies revision format " + r.getInt(4) + ")");
                }
            }
        }
        return behind.isEmpty() ? null : "live instance(s) " + String.join(", ", behind) + " cannot apply this change ("
                + event.op + (event.groups != null ? " in waves" : "") + ": revision format " + format + ", which Mosaic "
                + runtime + " applies): upgrade them, or stop them, then make the change again; nothing changed";
    }

    /**
     * Records this instance's samples of judged rollouts (each replacing the one it recorded under the same keys),
     * and forgets its samples of other rollouts of the same adapters and every sample not updated for a day.
     */
    public void publishSamples(List<Model.SampleRow> rows) throws IOException {
        call(true, c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO mosaic_samples (instance, env, adapter, version, since,"
                    + " requests, errors, samples) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (env, adapter, since, version,"
                    + " instance) DO UPDATE SET requests = excluded.requests, errors = excluded.errors,"
                    + " samples = excluded.samples, updated_at = now()");
                    PreparedStatement forget = c.prepareStatement("DELETE FROM mosaic_samples WHERE (instance = ? AND env = ?"
                            + " AND adapter = ? AND since <> ?) OR updated_at < now() - interval '1 day'")) {
                for (Model.SampleRow r : rows) {
                    s.setString(1, instance);
                    s.setString(2, r.env());
                    s.setString(3, r.adapter());
                    s.setString(4, r.version());
                    s.setString(5, r.since());
                    s.setLong(6, r.requests());
                    s.setLong(7, r.errors());
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(r.window().length * Float.BYTES);
                    b.asFloatBuffer().put(r.window());
                    s.setBytes(8, b.array());
                    s.addBatch();
                    forget.setString(1, instance);
                    forget.setString(2, r.env());
                    forget.setString(3, r.adapter());
                    forget.setString(4, r.since());
                    forget.addBatch();
                }
                s.executeBatch();
                forget.executeBatch();
            }
            return null;
        });
    }

    /** @return every instance's samples of the adapter's rollout whose samples count from {@code since} */
    public List<Model.SampleRow> samples(String env, String adapter, String since) throws IOException {
        return call(false, c -> {
            List<Model.SampleRow> rows = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT instance, version, requests, errors, samples FROM"
                    + " mosaic_samples WHERE env = ? AND adapter = ? AND since = ?")) {
                s.setString(1, env);
                s.setString(2, adapter);
                s.setString(3, since);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        java.nio.FloatBuffer b = java.nio.ByteBuffer.wrap(r.getBytes(5)).asFloatBuffer();
                        float[] window = new float[b.remaining()];
                        b.get(window);
                        rows.add(new Model.SampleRow(r.getString(1), env, adapter, r.getString(2), since, r.getLong(3),
                                r.getLong(4), window));
                    }
                }
            }
            return rows;
        });
    }

    private void storeArtifact(Connection c, String sha256, Path file) throws SQLException, IOException {
        long size = Files.size(file);
        int chunks = (int) ((size + CHUNK - 1) / CHUNK);
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO mosaic_artifacts (sha256, size, chunks) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            s.setString(1, sha256);
            s.setLong(2, size);
            s.setInt(3, chunks);
            if (s.executeUpdate() == 0) {
                return; // stored by an earlier change (or by another instance's, committed before ours)
            }
        }
        try (InputStream in = Files.newInputStream(file);
                PreparedStatement s = c.prepareStatement("INSERT INTO mosaic_artifact_chunks (sha256, n, data) VALUES (?, ?, ?)")) {
            byte[] buffer = new byte[CHUNK];
            for (int n = 0; n < chunks; n++) {
                int read = in.readNBytes(buffer, 0, CHUNK);
                s.setString(1, sha256);
                s.setInt(2, n);
                s.setBytes(3, read == CHUNK ? buffer : java.util.Arrays.copyOf(buffer, read));
                s.executeUpdate();
            }
        }
    }

    /** Writes the stored artifact to the file, chunk by chunk, and checks its SHA-256. */
    public void fetchArtifact(String sha256, Path into) throws IOException {
        call(true, c -> {
            MessageDigest digest = sha256();
            try (PreparedStatement s = c.prepareStatement("SELECT data FROM mosaic_artifact_chunks WHERE sha256 = ? ORDER BY n")) {
                s.setFetchSize(1); // a cursor: one chunk in memory at a time
                s.setString(1, sha256);
                int chunks = 0;
                try (ResultSet r = s.executeQuery(); OutputStream out = Files.newOutputStream(into)) {
                    while (r.next()) {
                        byte[] data = r.getBytes(1);
                        digest.update(data);
                        out.write(data);
                        chunks++;
                    }
                }
                String got = HexFormat.of().formatHex(digest.digest());
                if (chunks == 0 || !got.equals(sha256)) {
                    throw new IOException("the store's artifact " + sha256 + (chunks == 0 ? " is missing"
                            : " reads back as " + got) + "; the revision that needs it cannot be applied here");
                }
            }
            return null;
        });
    }

    /**
     * Reports this instance (and creates its row the first time), in one round trip with the
     * store's last revision.
     *
     * @return the store's last revision
     */
    long report(String group, String address, String mgmtUrl, long applied, String health, String problem) throws IOException {
        return call(false, c -> report(c, group, address, mgmtUrl, applied, health, problem));
    }

    /**
     * The same on a connection of the caller's (the listening one: a heartbeat never waits for the work connection,
     * which may be busy storing a large artifact).
     */
    long report(Connection c, String group, String address, String mgmtUrl, long applied, String health, String problem)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(REPORT)) {
            s.setString(1, instance);
            s.setString(2, group);
            s.setString(3, address);
            s.setString(4, mgmtUrl);
            s.setLong(5, applied);
            s.setString(6, health);
            s.setString(7, problem);
            s.setString(8, runtime);
            s.setInt(9, Event.FORMAT);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static final String REPORT = "WITH me AS ("
            + " INSERT INTO mosaic_instances (id, grp, address, mgmt_url, applied, health, problem, runtime, applies)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (id) DO UPDATE SET grp = excluded.grp, address = excluded.address,"
            + " mgmt_url = coalesce(excluded.mgmt_url, mosaic_instances.mgmt_url), applied = excluded.applied,"
            + " health = excluded.health, problem = excluded.problem, runtime = excluded.runtime,"
            + " applies = excluded.applies, heartbeat = now()"
            + " RETURNING 1)"
            + " SELECT coalesce((SELECT max(revision) FROM mosaic_revisions), 0) FROM me";

    /** Forgets the instances not heard of for that long (a machine gone for good); @return how many */
    int forget(Connection c, java.time.Duration silentFor) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "DELETE FROM mosaic_instances WHERE heartbeat < now() - make_interval(secs => ?)")) {
            s.setDouble(1, silentFor.toSeconds());
            return s.executeUpdate();
        }
    }

    /** Marks this instance as started anew: its start time, health {@code starting}. */
    void started(String group, String address, long applied) throws IOException {
        call(false, c -> {
            report(group, address, null, applied, "starting", null);
            try (PreparedStatement s = c.prepareStatement("UPDATE mosaic_instances SET started_at = now() WHERE id = ?")) {
                s.setString(1, instance);
                s.executeUpdate();
            }
            return null;
        });
    }

    /** @return every instance's report, by group and id, with its age by the store's clock */
    List<InstanceRow> instances() throws IOException {
        return call(false, c -> {
            List<InstanceRow> rows = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("""
                    SELECT id, grp, address, mgmt_url, applied, health, problem,
                      (extract(epoch FROM now() - heartbeat) * 1000)::bigint,
                      coalesce((SELECT max(revision) FROM mosaic_revisions), 0), runtime, coalesce(applies, %d)
                    FROM mosaic_instances ORDER BY grp, id""".formatted(Event.OLDEST_FORMAT))) {
                while (r.next()) {
                    rows.add(new InstanceRow(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getLong(5),
                            r.getString(6), r.getString(7), r.getLong(8), r.getLong(9), r.getString(10), r.getInt(11)));
                }
            }
            return rows;
        });
    }

    /** Keeps a token's SHA-256 (never the token), so that every instance accepts it. */
    void addToken(String tokenHash) throws IOException {
        call(false, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO mosaic_tokens (sha256, instance) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
                s.setString(1, tokenHash);
                s.setString(2, instance);
                s.executeUpdate();
            }
            return null;
        });
    }

    /** @return the hashes of every token announced in the fleet */
    Set<String> tokens() throws IOException {
        return call(false, c -> {
            Set<String> hashes = new HashSet<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT sha256 FROM mosaic_tokens")) {
                while (r.next()) {
                    hashes.add(r.getString(1));
                }
            }
            return hashes;
        });
    }

    /**
     * Runs the work on the work connection, in a transaction if asked. A connection-level
     * failure drops the connection, and says whether the commit's outcome is unknown.
     */
    private synchronized <T> T call(boolean transaction, Work<T> w) throws IOException {
        boolean reused = work != null;
        try {
            return attempt(transaction, w);
        } catch (Unavailable e) {
            if (reused && !(e.getCause() instanceof Committing)) {
                // the connection kept from before went stale (the store restarted, a proxy closed it): nothing was
                // committed on it, so the work is tried once on a new one
                return attempt(transaction, w);
            }
            throw e;
        }
    }

    /** Marks a failure of the commit itself, whose outcome is then unknown. */
    private static final class Committing extends SQLException {
        private static final long serialVersionUID = 1L;

        Committing(SQLException e) {
            super(e.getMessage(), e.getSQLState(), e);
        }
    }

    private <T> T attempt(boolean transaction, Work<T> w) throws IOException {
        boolean committing = false;
        try {
            if (work == null) {
                work = connect();
            }
            Connection c = work;
            c.setAutoCommit(!transaction);
            try {
                T result = w.run(c);
                if (transaction) {
                    committing = true;
                    c.commit();
                }
                return result;
            } catch (SQLException | IOException | RuntimeException e) {
                if (transaction && !committing) {
                    try {
                        c.rollback();
                    } catch (SQLException ignored) {
                        // the connection is gone: dropped below
                    }
                }
                throw e;
            }
        } catch (SQLException e) {
            if (broken(e)) {
                drop();
                SQLException cause = committing ? new Committing(e) : e;
                throw new Unavailable(committing
                        ? "the store at " + config.display() + " did not confirm the commit (" + e.getMessage()
                                + "): it may or may not have happened; 'mosaic history' says once the store is back"
                        : "the store at " + config.display() + " cannot be reached (" + e.getMessage() + "); nothing was"
                                + " changed, and this instance keeps serving what it applied last", cause);
            }
            throw new IOException("the store at " + config.display() + " refused: " + e.getMessage()
                    + (e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]"), e);
        }
    }

    /**
     * A failure of the connection itself (class 08, a server shutting down 57P, or none given): the next call
     * reconnects. A refused password or a missing database is not: it says so as it is.
     */
    static boolean broken(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P");
    }

    private void drop() {
        if (work != null) {
            try {
                work.close();
            } catch (SQLException ignored) {
                // already gone
            }
            work = null;
        }
    }

    @Override
    public synchronized void close() {
        drop();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the hex SHA-256 of a token, as the store keeps it */
    static String hash(String token) {
        return HexFormat.of().formatHex(sha256().digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
