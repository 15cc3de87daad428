package dev.mosaic.deployer.internal.fleet;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Fleet;
import dev.mosaic.deployer.internal.store.ChangeLog;

/** The {@link Fleet} service: what the store says of the instances, and the wait for a revision. */
public final class FleetService implements Fleet {

    private final PgStore store;
    private final FleetSync sync;
    private final String id;
    private final LongSupplier applied;
    private final long liveMillis;
    private volatile Set<String> tokens = Set.of();
    /** The instances as last read, for a listing while the store is away (the answer says it is stale). */
    private volatile List<PgStore.InstanceRow> lastRows = List.of();
    private volatile long tokensReadAt;

    /** @param liveFor how recent a heartbeat makes an instance live ({@link StoreConfig#liveFor}) */
    public FleetService(PgStore store, FleetSync sync, String id, LongSupplier applied, Duration liveFor) {
        this.store = store;
        this.sync = sync;
        this.id = id;
        this.applied = applied;
        this.liveMillis = liveFor.toMillis();
    }

    @Override
    public String instanceId() {
        return id;
    }

    @Override
    public List<FleetInstance> instances() throws DeployException {
        List<PgStore.InstanceRow> rows;
        try {
            rows = rows();
            lastRows = rows;
        } catch (DeployException e) {
            if (!DeployException.STORE_UNAVAILABLE.equals(e.code())) {
                throw e;
            }
            rows = lastRows; // as last seen; the store's status in the same answer says since when it is away
        }
        List<FleetInstance> all = new ArrayList<>();
        for (PgStore.InstanceRow r : rows) {
            all.add(new FleetInstance(r.id(), r.group(), r.address(), r.mgmtUrl(), r.applied(), Math.max(0, r.head() - r.applied()),
                    r.health(), r.problem(), r.ageMillis(), live(r), r.runtime(), r.applies()));
        }
        return all;
    }

    private boolean live(PgStore.InstanceRow r) {
        return r.ageMillis() < liveMillis && !"stopped".equals(r.health());
    }

    private List<PgStore.InstanceRow> rows() throws DeployException {
        try {
            return store.instances();
        } catch (ChangeLog.Unavailable e) {
            throw new DeployException(DeployException.STORE_UNAVAILABLE, e.getMessage(), e);
        } catch (IOException e) {
            throw new DeployException(DeployException.INTERNAL, e.getMessage(), e);
        }
    }

    @Override
    public Convergence await(long revision, Duration timeout) throws DeployException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        sync.report(); // this instance applied it before the call returned: say so now, not at the next heartbeat
        while (true) {
            List<String> done = new ArrayList<>();
            List<Pending> pending = new ArrayList<>();
            for (PgStore.InstanceRow r : rows()) {
                if (!live(r)) {
                    continue;
                }
                if (r.applied() >= revision) {
                    done.add(r.id());
                } else {
                    pending.add(new Pending(r.id(), r.group(), r.applied(), r.problem() != null ? r.problem()
                            : "at revision " + r.applied() + " (" + r.health() + ")"));
                }
            }
            long now = System.nanoTime();
            if (pending.isEmpty() || now >= deadline) {
                return new Convergence(revision, pending.isEmpty(), done, pending, TimeUnit.NANOSECONDS.toMillis(now - start));
            }
            TimeUnit.MILLISECONDS.sleep(Math.min(20, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - now))));
        }
    }

    @Override
    public void announce(String managementUrl, String token) throws DeployException {
        try {
            store.addToken(PgStore.hash(token));
            tokens = store.tokens();
            tokensReadAt = System.nanoTime();
        } catch (ChangeLog.Unavailable e) {
            throw new DeployException(DeployException.STORE_UNAVAILABLE, e.getMessage(), e);
        } catch (IOException e) {
            throw new DeployException(DeployException.INTERNAL, e.getMessage(), e);
        }
        sync.announced(managementUrl);
    }

    /** Known hashes first; an unknown token re-reads the store's, at most once a second (a token announced since). */
    @Override
    public boolean accepts(String token) {
        if (token == null || token.isEmpty()) {
            return false;
        }
        String hash = PgStore.hash(token);
        if (tokens.contains(hash)) {
            return true;
        }
        long now = System.nanoTime();
        if (now - tokensReadAt > TimeUnit.SECONDS.toNanos(1)) {
            tokensReadAt = now;
            try {
                tokens = store.tokens();
            } catch (IOException e) {
                return false; // the store is away: only the tokens known already
            }
            return tokens.contains(hash);
        }
        return false;
    }

    @Override
    public StoreStatus status() {
        long since = sync.unreachableSince();
        String problem = since != 0 ? sync.unreachableWhy() : sync.applyProblem();
        return new StoreStatus(store.config().display(), since == 0, applied.getAsLong(), sync.head(), since, problem);
    }
}
