package dev.mosaic.deployer.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.hooks.bundle.CollisionHook;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.backends.Backends;
import dev.mosaic.deployer.ChangeListener;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Fleet;
import dev.mosaic.deployer.Restoring;
import dev.mosaic.deployer.internal.fleet.FleetService;
import dev.mosaic.deployer.internal.fleet.FleetSync;
import dev.mosaic.deployer.internal.fleet.InstanceId;
import dev.mosaic.deployer.internal.fleet.PgStore;
import dev.mosaic.deployer.internal.fleet.StoreConfig;
import dev.mosaic.deployer.internal.flow.RemoteApply;
import dev.mosaic.deployer.internal.flow.ChangeProtocol;
import dev.mosaic.deployer.internal.flow.Changes;
import dev.mosaic.deployer.internal.flow.DeployerService;
import dev.mosaic.deployer.internal.flow.Listeners;
import dev.mosaic.deployer.internal.flow.RecordedState;
import dev.mosaic.deployer.internal.flow.Settings;
import dev.mosaic.deployer.internal.flow.Views;
import dev.mosaic.deployer.internal.framework.Installer;
import dev.mosaic.deployer.internal.framework.LeakWatch;
import dev.mosaic.deployer.internal.framework.PlatformPackages;
import dev.mosaic.deployer.internal.framework.TenantCollisionHook;
import dev.mosaic.deployer.internal.framework.TenantResolverHook;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.store.ArtifactStore;
import dev.mosaic.deployer.internal.store.HistoryArchive;
import dev.mosaic.deployer.internal.store.Journal;
import dev.mosaic.deployer.internal.store.SnapshotFile;
import dev.mosaic.deployer.internal.store.JsonSupport;
import dev.mosaic.gateway.Gateway;

/**
 * Binds the deployer to the OSGi lifecycle, and does nothing else: on activation it takes the
 * data directory (a file lock, so two runtimes never share one), opens the artifact store
 * and the journal, registers the framework hooks, and restores the recorded deployments on a
 * thread of its own while a {@link Restoring} service says how far it has got; then it
 * registers the {@link Deployer} (its presence means "ready") and sweeps expired deployments
 * once a second. What each operation does lives in {@code internal.flow}
 * ({@link DeployerService}); configuration in {@link Settings}.
 */
@Component(immediate = true, service = {})
public final class DeployerComponent {

    private static final Logger LOG = LoggerFactory.getLogger(DeployerComponent.class);

    @Reference
    private Gateway gateway;

    @Reference
    private Backends backends;

    @Reference
    private ServiceComponentRuntime scr;

    /** A clock registered with {@code mosaic.clock} replaces the system clock (tests of TTLs and sunsets). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, target = "(mosaic.clock=*)")
    private volatile Clock clock;

    /** Compares a module release's API with the version before it (runtime-bundles/semver: bnd's baselining). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile dev.mosaic.deployer.ApiBaseliner baseliner;

    /** The bundle that provides the baseliner, when the runtime installs it without starting it (started when first needed). */
    static final String GATE_BUNDLE = "dev.mosaic.semver";

    private final Listeners listeners = new Listeners();
    private volatile boolean gateFailed;
    private final Changes changes = new Changes();
    private final AtomicReference<ServiceRegistration<Restoring>> restoring = new AtomicReference<>();

    private BundleContext context;
    private FileChannel lockChannel;
    private FileLock lock;
    private dev.mosaic.deployer.internal.store.ChangeLog journal;
    /** In a fleet (a store configured): the store, this instance's id, what follows the store, the Fleet service. */
    private PgStore pgStore;
    private String instanceId;
    private FleetSync fleetSync;
    private RemoteApply remote;
    private ServiceRegistration<Fleet> fleetRegistration;
    private PlatformPackages platform;
    private ServiceRegistration<ResolverHookFactory> hookRegistration;
    private ServiceRegistration<CollisionHook> collisionRegistration;
    private volatile ServiceRegistration<Deployer> registration;
    private Thread restorer;
    private ScheduledExecutorService sweeper;
    /** Judges the canaries four times a second (see {@link dev.mosaic.deployer.internal.flow.Judge}). */
    private ScheduledExecutorService judging;
    private dev.mosaic.deployer.internal.flow.Judge judge;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(ChangeListener l) {
        listeners.add(l);
    }

    void removeListener(ChangeListener l) {
        listeners.remove(l);
    }

    /**
     * @return the release gate's baseliner: the runtime installs its bundle (and bndlib) without
     *         starting it, so that start-up does not pay for it; the first release that needs it
     *         starts it (transiently: a restart leaves it installed again). Null if there is none.
     */
    private dev.mosaic.deployer.ApiBaseliner baseliner() {
        dev.mosaic.deployer.ApiBaseliner b = baseliner;
        if (b != null || gateFailed || context == null) {
            return b;
        }
        for (org.osgi.framework.Bundle bundle : context.getBundles()) {
            if (GATE_BUNDLE.equals(bundle.getSymbolicName()) && bundle.getState() != org.osgi.framework.Bundle.ACTIVE) {
                long start = System.nanoTime();
                try {
                    bundle.start(org.osgi.framework.Bundle.START_TRANSIENT);
                    LOG.info("started the release gate ({}) for the first release that needs it, in {} ms", GATE_BUNDLE,
                            java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                } catch (org.osgi.framework.BundleException | RuntimeException e) {
                    gateFailed = true;
                    LOG.warn("the release gate ({}) cannot start, so releases are not baselined: {}", GATE_BUNDLE, e.toString());
                }
            }
        }
        return baseliner;
    }

    @Activate
    void activate(BundleContext context) throws IOException {
        this.context = context;
        try {
            start(context);
        } catch (IOException | RuntimeException e) {
            // no Deployer is coming: say so to whoever waits for one (the launcher), with why, rather than let it time out
            java.util.Hashtable<String, Object> failed = new java.util.Hashtable<>();
            failed.put(Restoring.FAILURE, String.valueOf(e.getMessage()));
            context.registerService(Restoring.class, new Restoring() {
                @Override
                public int deployments() {
                    return 0;
                }

                @Override
                public int installed() {
                    return 0;
                }
            }, failed);
            releaseAfterFailedStart();
            throw e;
        }
    }

    /** What a start that failed half-way holds: the data directory's lock, the journal or the store. */
    private void releaseAfterFailedStart() {
        try {
            if (journal != null) {
                journal.close();
            }
            if (lock != null) {
                lock.release();
                lockChannel.close();
            }
        } catch (IOException ignored) {
            // the process is about to give up anyway
        }
    }

    private void start(BundleContext context) throws IOException {
        Settings settings = Settings.from(context::getProperty);
        lockDataDirectory(settings.data());

        ArtifactStore store = new ArtifactStore(settings.data().resolve("artifacts"));
        StoreConfig fleetStore = StoreConfig.from(context::getProperty, System::getenv);
        RecordedState state;
        if (fleetStore == null) {
            journal = new Journal(settings.data().resolve("journal.jsonl"), JsonSupport.mapper());
            state = RecordedState.open(journal, new SnapshotFile(settings.data().resolve("snapshot.json"),
                    JsonSupport.mapper()), new HistoryArchive(settings.data().resolve("history"), JsonSupport.mapper(),
                            settings.historyKeep(), 10_000), settings.snapshotEvery());
        } else {
            // the store is the journal; the data directory keeps this instance's id, token and artifact cache
            refuseALocalJournal(settings.data(), fleetStore);
            instanceId = InstanceId.of(settings.data());
            String runtime = context.getProperty("mosaic.version"); // the launcher's
            pgStore = new PgStore(fleetStore, instanceId, store, JsonSupport.mapper(), settings.snapshotEvery(),
                    settings.historyKeep(), runtime != null ? runtime : "(deployer " + context.getBundle().getVersion() + ")");
            journal = pgStore;
            try {
                state = RecordedState.fromLog(pgStore);
            } catch (IOException e) {
                pgStore.close();
                String why = e.getCause() instanceof java.sql.SQLException sql ? sql.getMessage() : e.getMessage();
                throw new IOException("the fleet's store " + fleetStore.display() + " cannot be read at start-up (" + why
                        + "); an instance serves only once it has the store's state: "
                        + (e instanceof dev.mosaic.deployer.internal.store.ChangeLog.Unavailable
                                ? "start it when the store answers"
                                : "check the URL, the user, and the password (MOSAIC_STORE_PASSWORD or --store-password-file)"), e);
            }
            LOG.info("fleet instance {} of group {}: the store {} is at revision {}", instanceId, fleetStore.group(),
                    fleetStore.display(), state.sequence());
        }
        int orphans = store.removeUnreferenced(state.read(Registry::artifactKeys));
        if (orphans > 0) {
            LOG.info("removed {} stored artifact(s) of changes that never committed", orphans);
        }
        Map<UnitKey, String> problems = new ConcurrentHashMap<>();
        LeakWatch leakWatch = new LeakWatch(settings.leakGcInterval());
        TenantResolverHook hook = new TenantResolverHook();
        Installer installer = new Installer(context, hook, scr, settings.activation(), leakWatch, this::instant);
        platform = new PlatformPackages(context);
        ChangeProtocol protocol = new ChangeProtocol(state, store, installer, gateway, settings.drain(), listeners, problems,
                () -> instant().toString());
        Views views = new Views(state, installer, gateway, context, leakWatch, settings, problems, this::instant);
        DeployerService service = new DeployerService(settings, state, store, installer, platform, changes, protocol, views,
                listeners, problems, this::instant, backends, this::baseliner, gateway);

        if (pgStore != null) {
            PgStore pg = pgStore;
            remote = service.remoteApply(new RemoteApply.Store() {
                @Override
                public java.util.List<dev.mosaic.deployer.internal.model.Event> after(long revision) throws IOException {
                    return pg.after(revision);
                }

                @Override
                public void fetchArtifact(String sha256, Path into) throws IOException {
                    pg.fetchArtifact(sha256, into);
                }
            });
            changes.beforeEach(() -> {
                remote.catchUp(); // plan on the store's last revision: a change made on an older one would conflict
                return null;
            });
            fleetSync = new FleetSync(pgStore, fleetStore.group(), () -> address(fleetStore), state::sequence, () -> {
                String[] problem = new String[1];
                changes.runInternal(() -> {
                    try {
                        remote.catchUp();
                    } catch (DeployException e) {
                        problem[0] = e.getMessage();
                    }
                });
                return problem[0];
            }, fleetStore.heartbeat().toMillis(), fleetStore.forgetAfter());
            fleetSync.starting();
            FleetService fleet = new FleetService(pgStore, fleetSync, instanceId, state::sequence, fleetStore.liveFor());
            service.inFleet(fleetView(fleet, pg, instanceId, fleetStore.group()));
            fleetRegistration = context.registerService(Fleet.class, fleet, null);
        }

        hookRegistration = context.registerService(ResolverHookFactory.class, hook, null);
        collisionRegistration = context.registerService(CollisionHook.class, new TenantCollisionHook(), null);
        service.removeStrayTenants(context);

        restoring.set(context.registerService(Restoring.class, new Restoring() {
            @Override
            public int deployments() {
                // read as it is asked: a first start records the examples it seeds while it restores
                return state.read(Registry::size);
            }

            @Override
            public int installed() {
                int n = 0;
                for (Bundle b : context.getBundles()) {
                    n += TenantResolverHook.isTenant(b) ? 1 : 0;
                }
                return Math.min(n, deployments()); // a seeded bundle is installed just before it is recorded
            }
        }, null));
        restorer = new Thread(() -> {
            if (remote != null) {
                long t0 = System.nanoTime();
                try {
                    int fetched = remote.fetchForRestore();
                    if (fetched > 0) {
                        LOG.info("fetched {} artifact(s) this instance did not have from the store in {} ms", fetched,
                                (System.nanoTime() - t0) / 1_000_000);
                    }
                } catch (DeployException e) {
                    LOG.error("fetching the artifacts of the recorded deployments from the store failed: {}", e.getMessage());
                }
            }
            try {
                service.restore();
            } catch (RuntimeException | LinkageError e) {
                // whatever went wrong, the runtime registers its Deployer: it must stay manageable
                LOG.error("restoring the recorded deployments failed; serving what was restored", e);
            }
            if (fleetSync != null && !changes.closing()) {
                fleetSync.start(); // catches up with what was committed during the restore, then follows the store
            }
            if (!changes.closing()) {
                // the Deployer appears before Restoring goes: a watcher never sees neither
                registration = context.registerService(Deployer.class, service, null);
                unregisterRestoring();
                long sweep = settings.ttlSweep().toMillis();
                sweeper = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "mosaic-ttl"));
                sweeper.scheduleWithFixedDelay(service::expireDue, sweep, sweep, TimeUnit.MILLISECONDS);
                judge = service.judge();
                judging = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "mosaic-judge"));
                long every = settings.judgeEvery().toMillis();
                judging.scheduleWithFixedDelay(judge::tick, every, every, TimeUnit.MILLISECONDS);
            }
        }, "mosaic-restore");
        restorer.start();
    }

    /** What the rollouts need of the fleet: its groups and how far they have got, and the samples instances share. */
    private static dev.mosaic.deployer.internal.flow.FleetView fleetView(FleetService fleet, PgStore pg, String instanceId,
            String group) {
        return new dev.mosaic.deployer.internal.flow.FleetView() {
            @Override
            public String instance() {
                return instanceId;
            }

            @Override
            public String group() {
                return group;
            }

            @Override
            public Map<String, Long> liveGroups() throws IOException {
                Map<String, Long> lowest = new java.util.TreeMap<>();
                try {
                    for (Fleet.FleetInstance i : fleet.instances()) {
                        if (i.live()) {
                            lowest.merge(i.group(), i.applied(), Math::min);
                        }
                    }
                } catch (DeployException e) {
                    throw new IOException(e.getMessage(), e);
                }
                return lowest;
            }

            @Override
            public void publish(java.util.List<dev.mosaic.deployer.internal.model.Model.SampleRow> rows) throws IOException {
                pg.publishSamples(rows);
            }

            @Override
            public java.util.List<dev.mosaic.deployer.internal.model.Model.SampleRow> samples(String env, String adapter,
                    String since) throws IOException {
                return pg.samples(env, adapter, since);
            }

            @Override
            public String whyNotAll(dev.mosaic.deployer.internal.model.Event change) throws IOException {
                return pg.whyNotAll(change);
            }
        };
    }

    @Deactivate
    void deactivate() throws Exception {
        changes.close();
        restorer.join(60_000);
        unregisterRestoring();
        if (sweeper != null) {
            sweeper.shutdownNow();
            sweeper.awaitTermination(30, TimeUnit.SECONDS);
        }
        if (judging != null) {
            judging.shutdownNow();
            judging.awaitTermination(30, TimeUnit.SECONDS);
            judge.close();
        }
        ServiceRegistration<Deployer> r = registration;
        if (r != null) {
            r.unregister();
        }
        if (fleetRegistration != null) {
            fleetRegistration.unregister();
        }
        if (fleetSync != null) {
            fleetSync.close();
        }
        changes.lastly(() -> {
            hookRegistration.unregister();
            collisionRegistration.unregister();
            platform.close();
            try {
                journal.close();
                lock.release();
                lockChannel.close();
            } catch (IOException e) {
                LOG.warn("closing the data directory failed: {}", e.getMessage());
            }
        });
    }

    private void lockDataDirectory(Path data) throws IOException {
        Files.createDirectories(data);
        lockChannel = FileChannel.open(data.resolve("registry.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IllegalStateException("data directory " + data + " is in use by another Mosaic runtime; give this one its own --data");
        }
    }

    /**
     * A data directory where a runtime without a store recorded changes holds deployments the
     * fleet's store does not have: starting an instance on it would serve the store's and leave
     * those unserved without a word. It is refused, saying what to do.
     */
    private static void refuseALocalJournal(Path data, StoreConfig store) throws IOException {
        for (String file : new String[] { "journal.jsonl", "snapshot.json" }) {
            Path p = data.resolve(file);
            if (Files.isRegularFile(p) && Files.size(p) > 0) {
                throw new IOException("the data directory " + data + " holds the registry of a runtime that ran without a"
                        + " store (" + file + "); a fleet instance of " + store.display() + " serves what the store holds"
                        + " and would leave those deployments unserved: give the instance a data directory of its own"
                        + " (--data), and deploy what it should serve through the fleet");
            }
        }
    }

    /** @return this instance's device address, as the fleet lists it: host name and the port the gateway listens on */
    private String address(StoreConfig config) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        int port;
        try {
            port = gateway.port();
        } catch (RuntimeException e) {
            port = -1;
        }
        return port > 0 ? host + ":" + port : host;
    }

    private void unregisterRestoring() {
        ServiceRegistration<Restoring> r = restoring.getAndSet(null);
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping
            }
        }
    }

    private Instant instant() {
        Clock c = clock;
        return (c == null ? Clock.systemUTC() : c).instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }
}
