package dev.mosaic.deployer.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.Version;
import org.osgi.framework.hooks.bundle.CollisionHook;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.Health;
import dev.mosaic.deployer.HistoryEntry;
import dev.mosaic.deployer.ImportInfo;
import dev.mosaic.deployer.Move;
import dev.mosaic.deployer.Restoring;
import dev.mosaic.deployer.RouteView;
import dev.mosaic.deployer.internal.Event.MoveRecord;
import dev.mosaic.deployer.internal.Model.Artifact;
import dev.mosaic.deployer.internal.Model.Kind;
import dev.mosaic.deployer.internal.Model.UnitKey;
import dev.mosaic.deployer.internal.Registry.Unit;
import dev.mosaic.gateway.Gateway;
import dev.mosaic.gateway.RouteInfo;
import dev.mosaic.gateway.RoutingException;

/**
 * The deployer: owns the data directory (artifact store and journal), restores the recorded
 * deployments at start, and performs every change make-before-break.
 *
 * <p>It registers the {@link Deployer} service itself, once the recorded state is serving
 * again: the presence of that service means "ready".
 *
 * <p>Configuration (framework properties): {@code mosaic.data} (data directory, default
 * {@code mosaic-data}), {@code mosaic.seed} (a directory of bundles deployed to {@code prod}
 * when the registry is empty), {@code mosaic.deploy.drainMillis} (how long retiring
 * handlers may finish their requests, default 10000), {@code mosaic.deploy.activationMillis}
 * (how long components of a new bundle may take to become satisfied, default 5000).
 */
@Component(immediate = true, service = {})
public final class DeployerComponent implements Deployer {

    private static final Logger LOG = LoggerFactory.getLogger(DeployerComponent.class);

    @Reference
    private Gateway gateway;

    @Reference
    private ServiceComponentRuntime scr;

    private final ReentrantLock changes = new ReentrantLock(true);
    /** Guards {@link #registry}: applied to under the changes lock, read by queries. */
    private final Object state = new Object();
    private final TenantResolverHook hook = new TenantResolverHook();
    private final Map<UnitKey, String> problems = new ConcurrentHashMap<>();
    /** Units whose expiry had to wait (a module version still in use), so it is logged once. */
    private final Set<UnitKey> postponed = ConcurrentHashMap.newKeySet();

    /** A clock registered with {@code mosaic.clock} replaces the system clock (tests of TTLs and sunsets). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, target = "(mosaic.clock=*)")
    private volatile Clock clock;

    private BundleContext context;
    private Registry registry = new Registry();
    private Journal journal;
    private ArtifactStore store;
    private Installer installer;
    private FileChannel lockChannel;
    private FileLock lock;
    private Duration drainTimeout;
    private ServiceRegistration<ResolverHookFactory> hookRegistration;
    private ServiceRegistration<CollisionHook> collisionRegistration;
    /** The platform's packages and their bundles; worked out again when a platform bundle changes. */
    private volatile Map<String, String> platformPackages;
    private final org.osgi.framework.SynchronousBundleListener platformChanges = event -> {
        if (!TenantResolverHook.isTenant(event.getBundle())) {
            platformPackages = null;
        }
    };
    private volatile ServiceRegistration<Deployer> registration;
    /** Registered while the recorded deployments are being restored (see {@link Restoring}). */
    private final java.util.concurrent.atomic.AtomicReference<ServiceRegistration<Restoring>> restoring =
            new java.util.concurrent.atomic.AtomicReference<>();
    private Thread restorer;
    private ScheduledExecutorService lifecycle;
    private volatile boolean closing;
    /** Fault injection for crash tests: {@code point:millis}, e.g. {@code beforeCommit:5000}. Off unless set. */
    private String testPause;
    private Path policyFile;
    private LeakWatch leakWatch;
    private Duration leakGrace;
    private ArtifactReader.ArchiveLimits archiveLimits;
    private long maxUploadBytes;
    private final com.fasterxml.jackson.databind.ObjectMapper json = JsonSupport.mapper();

    @Activate
    void activate(BundleContext context) throws IOException {
        this.context = context;
        Path data = Path.of(property("mosaic.data", "mosaic-data")).toAbsolutePath().normalize();
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
        drainTimeout = Duration.ofMillis(Long.parseLong(property("mosaic.deploy.drainMillis", "10000")));
        testPause = context.getProperty("mosaic.test.pause");
        String policy = context.getProperty("mosaic.policy");
        policyFile = policy == null || policy.isBlank() ? data.resolve("policy.json") : Path.of(policy);
        archiveLimits = new ArtifactReader.ArchiveLimits(
                Integer.parseInt(property("mosaic.deploy.maxEntries", "10000")),
                Long.parseLong(property("mosaic.deploy.maxInflatedBytes", Long.toString(256L << 20))),
                Integer.parseInt(property("mosaic.deploy.maxCompressionRatio", "200")));
        maxUploadBytes = Long.parseLong(property("mosaic.deploy.maxBytes", Long.toString(64L << 20)));
        Duration activation = Duration.ofMillis(Long.parseLong(property("mosaic.deploy.activationMillis", "5000")));

        store = new ArtifactStore(data.resolve("artifacts"));
        journal = new Journal(data.resolve("journal.jsonl"), JsonSupport.mapper());
        Registry restored = new Registry();
        for (Event e : journal.open()) {
            restored.apply(e);
        }
        registry = restored;
        int orphans = store.removeUnreferenced(registry.artifactKeys());
        if (orphans > 0) {
            LOG.info("removed {} stored artifact(s) of changes that never committed", orphans);
        }
        leakWatch = new LeakWatch(Duration.ofMillis(Long.parseLong(property("mosaic.leaks.gcIntervalMillis", "10000"))));
        leakGrace = Duration.ofMillis(Long.parseLong(property("mosaic.leaks.graceMillis", "10000")));
        installer = new Installer(context, hook, scr, activation, leakWatch, this::instant);
        context.addBundleListener(platformChanges);
        hookRegistration = context.registerService(ResolverHookFactory.class, hook, null);
        collisionRegistration = context.registerService(CollisionHook.class, new TenantCollisionHook(), null);
        removeStrayTenants();

        String seed = context.getProperty("mosaic.seed");
        int recorded = registry.size();
        restoring.set(context.registerService(Restoring.class, new Restoring() {
            @Override
            public int deployments() {
                return recorded;
            }

            @Override
            public int installed() {
                int n = 0;
                for (Bundle b : context.getBundles()) {
                    n += TenantResolverHook.isTenant(b) ? 1 : 0;
                }
                return n;
            }
        }, null));
        restorer = new Thread(() -> restoreThenServe(seed == null || seed.isBlank() ? null : Path.of(seed)), "mosaic-restore");
        restorer.start();
    }

    @Deactivate
    void deactivate() throws Exception {
        closing = true;
        restorer.join(60_000);
        unregisterRestoring();
        if (lifecycle != null) {
            lifecycle.shutdownNow();
            lifecycle.awaitTermination(30, TimeUnit.SECONDS);
        }
        ServiceRegistration<Deployer> r = registration;
        if (r != null) {
            r.unregister();
        }
        changes.lock();
        try {
            hookRegistration.unregister();
            collisionRegistration.unregister();
            context.removeBundleListener(platformChanges);
            journal.close();
            lock.release();
            lockChannel.close();
        } finally {
            changes.unlock();
        }
    }

    // ------------------------------------------------------------------ start-up

    private void restoreThenServe(Path seed) {
        long start = System.nanoTime();
        changes.lock();
        try {
            testPause("restore");
            int count = registry.size();
            if (count > 0) {
                LOG.info("restoring {} recorded deployment(s) in {}", count, registry.environments());
            }
            for (String env : registry.environments()) {
                restoreEnvironment(env);
            }
            LOG.info("restored {} deployment(s) in {} ms{}", count, (System.nanoTime() - start) / 1_000_000,
                    problems.isEmpty() ? "" : "; " + problems.size() + " failed: " + problems.keySet());
            if (seed != null && registry.size() == 0) {
                seed(seed);
            }
        } catch (RuntimeException e) {
            LOG.error("restoring the recorded deployments failed", e);
        } finally {
            changes.unlock();
        }
        if (!closing) {
            // the Deployer appears before Restoring goes: a watcher never sees neither
            registration = context.registerService(Deployer.class, this, null);
            unregisterRestoring();
            long sweep = Long.parseLong(property("mosaic.ttl.sweepMillis", "1000"));
            lifecycle = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "mosaic-ttl"));
            lifecycle.scheduleWithFixedDelay(this::expireDue, sweep, sweep, TimeUnit.MILLISECONDS);
        }
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

    private void restoreEnvironment(String env) {
        Map<UnitKey, Map<String, String>> units = new LinkedHashMap<>();
        for (Unit u : registry.units(env)) {
            units.put(u.key, u.bindings);
        }
        try {
            Map<UnitKey, Bundle> installed = installer.install(env, units, Map.of(), store, registry);
            installer.start(installed);
            List<Bundle> adapters = adapters(installed, registry);
            gateway.prepare(env, adapters, List.of());
            gateway.switchRoutes(env, adapters, List.of());
            installer.makeLive(installed, List.of());
        } catch (DeployException | RoutingException e) {
            LOG.warn("restoring environment {} as a whole failed ({}); restoring its deployments one by one", env, e.getMessage());
            restoreOneByOne(env);
        }
    }

    /** Providers before consumers; a unit whose provider failed fails with that reason. */
    private void restoreOneByOne(String env) {
        List<Unit> pending = new ArrayList<>(registry.units(env));
        pending.sort((a, b) -> Boolean.compare(a.kind == Kind.ADAPTER, b.kind == Kind.ADAPTER));
        boolean progress = true;
        while (!pending.isEmpty() && progress) {
            progress = false;
            for (Unit u : new ArrayList<>(pending)) {
                boolean providersReady = u.bindings.entrySet().stream()
                        .allMatch(b -> installer.live(new UnitKey(env, b.getKey(), b.getValue())) != null);
                boolean providerFailed = u.bindings.entrySet().stream()
                        .anyMatch(b -> problems.containsKey(new UnitKey(env, b.getKey(), b.getValue())));
                if (!providersReady && !providerFailed) {
                    continue;
                }
                pending.remove(u);
                progress = true;
                if (providerFailed) {
                    problems.put(u.key, "a module it is bound to failed to start: " + u.bindings);
                    continue;
                }
                try {
                    Map<UnitKey, Bundle> installed = installer.install(env, Map.of(u.key, u.bindings), Map.of(), store, registry);
                    installer.start(installed);
                    List<Bundle> adapters = adapters(installed, registry);
                    gateway.prepare(env, adapters, List.of());
                    gateway.switchRoutes(env, adapters, List.of());
                    installer.makeLive(installed, List.of());
                } catch (DeployException | RoutingException e) {
                    problems.put(u.key, e.getMessage());
                    LOG.error("could not restore {}: {}", u.key, e.getMessage());
                }
            }
        }
        for (Unit u : pending) {
            problems.put(u.key, "its modules never became available: " + u.bindings);
        }
    }

    /** Deploys the bundles of a directory into an empty registry: modules first, then adapters. */
    private void seed(Path dir) {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.jar")) {
            s.forEach(jars::add);
        } catch (IOException e) {
            LOG.error("cannot read seed directory {}: {}", dir, e.getMessage());
            return;
        }
        Map<Path, Artifact> artifacts = new LinkedHashMap<>();
        for (Path jar : jars) {
            try {
                artifacts.put(jar, ArtifactReader.read(jar));
            } catch (DeployException e) {
                LOG.error("seed {} is not deployable: {}", jar.getFileName(), e.getMessage());
            }
        }
        List<Path> order = new ArrayList<>(artifacts.keySet());
        order.sort((x, y) -> {
            Artifact a = artifacts.get(x);
            Artifact b = artifacts.get(y);
            int c = Boolean.compare(a.kind() == Kind.ADAPTER, b.kind() == Kind.ADAPTER);
            c = c != 0 ? c : a.name().compareTo(b.name());
            return c != 0 ? c : Version.parseVersion(a.version()).compareTo(Version.parseVersion(b.version()));
        });
        // A module may need another: repeat passes while they make progress.
        boolean progress = true;
        Map<Path, String> failures = new LinkedHashMap<>();
        while (!order.isEmpty() && progress) {
            progress = false;
            failures.clear();
            for (Path jar : new ArrayList<>(order)) {
                try {
                    deploy(Files.readAllBytes(jar), DeployOptions.to(Gateway.DEFAULT_ENVIRONMENT, "seed"));
                    order.remove(jar);
                    progress = true;
                } catch (DeployException | IOException e) {
                    failures.put(jar, e.getMessage());
                }
            }
        }
        failures.forEach((jar, why) -> LOG.error("seed {} was not deployed: {}", jar.getFileName(), why));
        LOG.info("seeded {} example bundle(s) from {}", artifacts.size() - failures.size(), dir);
    }

    /** Tenant bundles from a previous run that the framework kept in its cache: the journal decides, not the cache. */
    private void removeStrayTenants() {
        List<Bundle> strays = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (TenantResolverHook.isTenant(b)) {
                strays.add(b);
            }
        }
        if (!strays.isEmpty()) {
            LOG.info("removing {} tenant bundle(s) left in the framework cache", strays.size());
            installer.retire(strays);
        }
    }

    // ------------------------------------------------------------------ changes

    /** A change worked out on a copy of the registry, ready to be carried out. */
    private record Change(String env, String op, UnitKey subject, Artifact artifact, Path upload,
            Map<UnitKey, Map<String, String>> install, Set<UnitKey> retire, List<MoveRecord> moves,
            Map<String, String> bindings, String replaced, String actor, String expiresAt, String from, Registry target) {
    }

    @Override
    public DeployResult deploy(byte[] jar, DeployOptions options) throws DeployException {
        long start = System.nanoTime();
        String env = checkEnvironment(options.environment);
        if (options.ttl != null) {
            Durations.parse(options.ttl, "TTL");
        }
        if (jar == null || jar.length == 0) {
            throw new DeployException(DeployException.INVALID_BUNDLE, "the upload is empty; send the bundle jar");
        }
        if (jar.length > maxUploadBytes) {
            throw new DeployException(DeployException.INVALID_BUNDLE, "the upload is " + jar.length + " bytes; the limit is "
                    + maxUploadBytes + " (mosaic.deploy.maxBytes)");
        }
        Path upload;
        try {
            upload = store.receive(jar);
        } catch (IOException e) {
            throw new DeployException(DeployException.INTERNAL, "cannot store the upload: " + e.getMessage(), e);
        }
        changes.lock();
        try {
            checkOpen();
            Artifact artifact = ArtifactReader.read(upload, archiveLimits);
            List<String> violations = new ArrayList<>();
            try {
                Policy policy = Policy.load(policyFile, json);
                checkImports(policy, env, artifact);
                BytecodeScanner.check(upload, artifact, policy);
            } catch (DeployException e) {
                if (!options.dryRun || !DeployException.POLICY_VIOLATION.equals(e.code())) {
                    throw e;
                }
                violations.add(e.getMessage());
            }
            Artifact known;
            synchronized (state) {
                known = registry.artifact(artifact.name(), artifact.version());
            }
            if (known != null && !known.sha256().equals(artifact.sha256())) {
                throw new DeployException(DeployException.ARTIFACT_CONFLICT, artifact.name() + " " + artifact.version()
                        + " was deployed before with different content (sha256 " + known.sha256().substring(0, 12)
                        + "..., this upload " + artifact.sha256().substring(0, 12) + "...). A version is never reused"
                        + " for different bytes: give the bundle a new Bundle-Version");
            }
            String op = artifact.kind() == Kind.ADAPTER ? Event.DEPLOY : Event.RELEASE;
            // a known artifact whose bytes were sunset is stored again from the upload
            boolean stored = known != null && store.contains(artifact.name(), artifact.version());
            DeployResult result = place(env, artifact, stored ? null : upload, options, op, null, start);
            if (!violations.isEmpty()) {
                result.problems.addAll(0, violations);
                result.summary = result.summary.replace("dry run: would ", "dry run: would fail to ");
            }
            return result;
        } finally {
            changes.unlock();
            store.discard(upload);
        }
    }

    /**
     * Puts an artifact in an environment: an adapter takes the place of its previous version,
     * a module version joins the others and its range consumers move to it.
     *
     * @param upload the artifact's bytes if they are not in the store yet
     * @param op {@link Event#DEPLOY}, {@link Event#RELEASE} or {@link Event#PROMOTE}
     * @param from for a promote, the environment the artifact comes from
     */
    private DeployResult place(String env, Artifact a, Path upload, DeployOptions options, String op, String from,
            long start) throws DeployException {
        UnitKey key = new UnitKey(env, a.name(), a.version());
        Registry target;
        synchronized (state) {
            target = registry.copy();
        }
        List<Unit> sameName = target.named(env, a.name());
        if (sameName.stream().anyMatch(u -> (u.kind == Kind.ADAPTER) != (a.kind() == Kind.ADAPTER))) {
            throw new DeployException(DeployException.CONFLICT, a.name() + " is deployed as " + (a.kind() == Kind.ADAPTER
                    ? "a shared module" : "an adapter") + " in " + env + "; a name is either an adapter or a module");
        }
        Unit current = a.kind() == Kind.ADAPTER ? target.adapter(env, a.name()) : target.unit(key);
        if (current != null && current.key.equals(key) && installer.live(key) != null) {
            return unchanged(op, key, a.name() + " " + a.version() + " already serves in " + env
                    + " with these exact bytes; nothing to do", start);
        }
        List<String> problems = new ArrayList<>();
        if (a.kind() == Kind.MODULE) {
            checkExports(target, env, a, options.dryRun ? problems : null);
        }
        target.putArtifact(a);
        if (current != null) {
            target.remove(current.key);
        }
        Map<String, String> bindings;
        try {
            bindings = Planner.bind(target, env, a, Map.of(), false, null);
        } catch (Planner.Unresolvable u) {
            if (!options.dryRun) {
                throw new DeployException(DeployException.UNRESOLVABLE, u.getMessage());
            }
            problems.add(u.getMessage());
            bindings = Map.of();
        }
        String expiresAt = expiry(a, env, options.ttl);
        Unit unit = new Unit(key, a.kind(), a.sha256(), now(), options.actor, bindings);
        unit.expiresAt = expiresAt;
        target.put(unit);
        List<MoveRecord> moves = a.kind() == Kind.MODULE
                ? rebind(target, env, Set.of(a.name()), Set.of(), Planner.UPTAKE, key, null)
                : List.of();
        List<Move> stays = a.kind() == Kind.MODULE ? stays(target, env, a, moves) : List.of();
        if (options.dryRun) {
            problems.addAll(platformGaps(target, env, a));
            return dryRun(op, env, a, bindings, moves, stays, problems, start);
        }
        Map<UnitKey, Map<String, String>> install = new LinkedHashMap<>();
        install.put(key, bindings);
        Set<UnitKey> retire = new LinkedHashSet<>();
        if (current != null) {
            retire.add(current.key);
        }
        addMoves(env, moves, install, retire);
        String replaced = a.kind() == Kind.ADAPTER && current != null ? current.key.version() : null;
        long seq = apply(new Change(env, op, key, a, upload, install, retire, moves, bindings, replaced, options.actor,
                expiresAt, from, target));
        String verb = Event.PROMOTE.equals(op) ? "promoted " : a.kind() == Kind.MODULE ? "released " : "deployed ";
        String where = from != null ? " from " + from + " to " + env : a.kind() == Kind.MODULE ? " in " + env : " to " + env;
        String summary = verb + a.name() + " " + a.version() + where
                + (replaced == null ? "" : ", replacing " + replaced)
                + (a.kind() == Kind.MODULE ? "; " + movedSummary(moves) : "")
                + (expiresAt == null ? "" : "; expires " + expiresAt);
        DeployResult r = result(op, env, summary, key, replaced, moves, seq, start);
        r.stays = stays;
        return r;
    }

    /** The policy's import rules, with the shared modules of the environment allowed. */
    private void checkImports(Policy policy, String env, Artifact a) throws DeployException {
        Set<String> modulePackages;
        synchronized (state) {
            modulePackages = Planner.owners(registry, env).keySet();
        }
        Set<String> own = new java.util.HashSet<>();
        a.exports().forEach(e -> own.add(e.pkg()));
        policy.checkImports(a, modulePackages, own, platformPackages().keySet());
    }

    /** A module's packages are its own in the environment, and never the platform's. */
    private void checkExports(Registry target, String env, Artifact a, List<String> problems) throws DeployException {
        Map<String, String> owners = Planner.owners(target, env);
        Map<String, String> platform = platformPackages();
        for (Model.Export e : a.exports()) {
            String owner = owners.get(e.pkg());
            String problem = null;
            String code = DeployException.CONFLICT;
            if (owner != null && !owner.equals(a.name())) {
                problem = a.name() + " " + a.version() + " exports package " + e.pkg() + ", which module " + owner
                        + " already exports in " + env + "; a package belongs to one module";
            } else if (platform.containsKey(e.pkg())) {
                problem = a.name() + " " + a.version() + " exports package " + e.pkg() + ", which the platform provides ("
                        + platform.get(e.pkg()) + "); a shared module cannot replace platform packages";
                code = DeployException.INVALID_BUNDLE;
            }
            if (problem != null) {
                if (problems == null) {
                    throw new DeployException(code, problem);
                }
                problems.add(problem);
            }
        }
    }

    /** For a dry run: required imports that neither a module of the environment nor the platform provides. */
    private List<String> platformGaps(Registry target, String env, Artifact a) {
        Map<String, String> owners = Planner.owners(target, env);
        Map<String, String> platform = platformPackages();
        List<String> gaps = new ArrayList<>();
        for (Model.Import i : a.imports()) {
            if (!i.optional() && !owners.containsKey(i.pkg()) && !platform.containsKey(i.pkg())) {
                gaps.add(a.name() + " " + a.version() + " imports package " + i.pkg() + " " + i.range()
                        + ", which no module in " + env + " and no platform bundle exports");
            }
        }
        return gaps;
    }

    /** Consumers of a released module that do not move to it, and why. */
    private static List<Move> stays(Registry target, String env, Artifact released, List<MoveRecord> moves) {
        Set<String> moving = new java.util.HashSet<>();
        for (MoveRecord m : moves) {
            moving.add(m.name() + "@" + m.version());
        }
        List<Move> stays = new ArrayList<>();
        Map<String, String> owners = null;
        for (Unit u : target.units(env)) {
            String on = u.bindings.get(released.name());
            if (on == null || moving.contains(u.key.name() + "@" + u.key.version()) || on.equals(released.version())) {
                continue;
            }
            Artifact consumer = target.artifact(u.key);
            if (owners == null) {
                owners = Planner.owners(target, env);
            }
            List<Model.Import> fromModule = Planner.importsFrom(owners, consumer, released.name());
            String reason;
            if (!Planner.admits(fromModule, released)) {
                reason = Planner.isPin(fromModule) ? "pinned: " + describe(fromModule)
                        : "out of range: " + describe(fromModule) + " excludes " + released.version();
            } else if (consumer.manualUptake()) {
                reason = "manual uptake: stays on " + on + " until adopt";
            } else {
                reason = "on a newer version in range: " + on;
            }
            Move stay = new Move();
            stay.environment = env;
            stay.consumer = u.key.name();
            stay.consumerVersion = u.key.version();
            stay.from = new TreeMap<>(u.bindings);
            stay.to = new TreeMap<>(u.bindings);
            stay.reason = reason;
            stays.add(stay);
        }
        return stays;
    }

    private static String describe(List<Model.Import> imports) {
        return imports.stream().map(i -> i.pkg() + " " + i.range()).collect(Collectors.joining(", "));
    }

    private DeployResult dryRun(String op, String env, Artifact a, Map<String, String> bindings, List<MoveRecord> moves,
            List<Move> stays, List<String> problems, long start) {
        DeployResult r = new DeployResult();
        r.operation = op;
        r.dryRun = true;
        r.changed = false;
        r.moves = moves(env, moves);
        r.stays = stays;
        r.problems = new ArrayList<>(problems);
        DeploymentInfo d = new DeploymentInfo();
        d.environment = env;
        d.name = a.name();
        d.version = a.version();
        d.kind = a.kind().label();
        d.sha256 = a.sha256();
        d.bindings = new TreeMap<>(bindings);
        r.deployment = d;
        r.summary = "dry run: " + (problems.isEmpty() ? "would " : "would fail to ") + (a.kind() == Kind.MODULE ? "release " : "deploy ")
                + a.name() + " " + a.version() + (a.kind() == Kind.MODULE ? " in " : " to ") + env
                + (problems.isEmpty() ? "" : " (" + problems.size() + " problem(s))")
                + (a.kind() == Kind.MODULE ? "; " + movedSummary(moves).replace("moved:", "would move:") : "")
                + "; nothing was changed";
        r.millis = (System.nanoTime() - start) / 1_000_000;
        return r;
    }

    /** When a deployment of this artifact in this environment expires: the option, else the header, else the environment's default. */
    private String expiry(Artifact a, String env, String option) throws DeployException {
        Duration ttl;
        if (option != null) {
            ttl = Durations.parse(option, "TTL");
        } else if (a.metadata().get(ArtifactReader.TTL) != null) {
            ttl = Durations.parse(a.metadata().get(ArtifactReader.TTL), ArtifactReader.TTL + " of " + a.name() + " " + a.version());
        } else {
            ttl = defaultTtl(env);
        }
        return ttl == null ? null : instant().plus(ttl).toString();
    }

    /** {@code mosaic.ttl.default.<env>} if set; else none for prod, and {@code mosaic.ttl.default} (7d) elsewhere. */
    private Duration defaultTtl(String env) throws DeployException {
        String specific = context.getProperty("mosaic.ttl.default." + env);
        if (specific != null && !specific.isBlank()) {
            return Durations.parse(specific, "mosaic.ttl.default." + env);
        }
        if (Gateway.DEFAULT_ENVIRONMENT.equals(env)) {
            return null;
        }
        return Durations.parse(property("mosaic.ttl.default", "7d"), "mosaic.ttl.default");
    }

    @Override
    public DeployResult promote(String name, String version, String fromEnvironment, String toEnvironment, String actor)
            throws DeployException {
        long start = System.nanoTime();
        String from = checkEnvironment(fromEnvironment);
        String to = checkEnvironment(toEnvironment);
        checkName(name);
        if (from.equals(to)) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "promote needs two different environments; got " + from + " twice");
        }
        changes.lock();
        try {
            checkOpen();
            Artifact a;
            synchronized (state) {
                if (registry.units(from).isEmpty()) {
                    throw new DeployException(DeployException.NOT_FOUND, "nothing is deployed in environment '" + from
                            + "' to promote from; environments with deployments: " + registry.environments());
                }
                a = registry.artifact(find(from, name, version, "to promote").key);
            }
            if (!store.contains(a.name(), a.version())) {
                throw new DeployException(DeployException.INTERNAL, "the artifact of " + a.name() + " " + a.version()
                        + " is missing from the store");
            }
            checkImports(Policy.load(policyFile, json), to, a);
            return place(to, a, null, DeployOptions.to(to, actor), Event.PROMOTE, from, start);
        } finally {
            changes.unlock();
        }
    }

    @Override
    public DeployResult setTtl(String environment, String name, String version, String ttl, String actor)
            throws DeployException {
        long start = System.nanoTime();
        String env = checkEnvironment(environment);
        checkName(name);
        Duration duration = Durations.parse(ttl, "TTL");
        changes.lock();
        try {
            checkOpen();
            Unit unit = find(env, name, version, "whose TTL to set");
            Event e = new Event();
            e.time = now();
            e.actor = actorOrUnknown(actor);
            e.op = Event.TTL;
            e.env = env;
            e.name = name;
            e.version = unit.key.version();
            e.expiresAt = duration == null ? null : instant().plus(duration).toString();
            long seq = record(e);
            postponed.remove(unit.key);
            return result(Event.TTL, env, name + " " + unit.key.version() + " in " + env + (duration == null
                    ? " no longer expires" : " now expires " + e.expiresAt + " (in " + Durations.format(duration) + ")"),
                    unit.key, null, List.of(), seq, start);
        } finally {
            changes.unlock();
        }
    }

    @Override
    public DeployResult undeploy(String environment, String name, String version, boolean force, String actor)
            throws DeployException {
        long start = System.nanoTime();
        String env = checkEnvironment(environment);
        checkName(name);
        changes.lock();
        try {
            checkOpen();
            return remove(find(env, name, version, "to undeploy"), force, Event.UNDEPLOY, actor, start);
        } finally {
            changes.unlock();
        }
    }

    /**
     * The adapter of that name (when {@code version} is null or its own), or that version of
     * the module; when there is none, the exception says what there is.
     *
     * @param whatFor finishes "say which version ..." in the message
     */
    private Unit find(String env, String name, String version, String whatFor) throws DeployException {
        synchronized (state) {
            Unit adapter = registry.adapter(env, name);
            if (adapter != null && (version == null || adapter.key.version().equals(canonical(version)))) {
                return adapter;
            }
            List<Unit> named = registry.named(env, name);
            if (named.isEmpty()) {
                throw notDeployed(env, name);
            }
            if (version == null) {
                throw new DeployException(DeployException.INVALID_ARGUMENT, name + " is a shared module in " + env
                        + " with versions " + versions(named) + "; say which version " + whatFor);
            }
            Unit unit = registry.unit(new UnitKey(env, name, canonical(version)));
            if (unit == null) {
                throw new DeployException(DeployException.NOT_FOUND, name + " " + canonical(version) + " is not deployed in "
                        + env + "; deployed versions: " + versions(named));
            }
            return unit;
        }
    }

    /**
     * Takes a unit away: an adapter's routes stop (404); a module version's consumers first move
     * to the best other version in their range. Called with the changes lock held.
     *
     * @param force for a module version in use: move its consumers rather than refuse
     * @param op {@link Event#UNDEPLOY}, {@link Event#EXPIRE} or {@link Event#SUNSET}
     */
    private DeployResult remove(Unit unit, boolean force, String op, String actor, long start) throws DeployException {
        UnitKey key = unit.key;
        String env = key.env();
        Registry target;
        DeploymentInfo before;
        synchronized (state) {
            target = registry.copy();
            before = info(unit);
        }
        List<MoveRecord> moves = List.of();
        Map<UnitKey, Map<String, String>> install = new LinkedHashMap<>();
        Set<UnitKey> retire = new LinkedHashSet<>();
        retire.add(key);
        if (unit.kind == Kind.MODULE) {
            List<Unit> consumers = target.consumersOf(env, key.name(), key.version());
            if (!consumers.isEmpty() && !force) {
                throw new DeployException(DeployException.IN_USE, key.name() + " " + key.version() + " is in use in " + env
                        + " by " + consumers.stream().map(c -> c.key.name() + " " + c.key.version()).collect(Collectors.joining(", "))
                        + ". Yank it first (its consumers move to another version in their range), or undeploy with force");
            }
            target.remove(key);
            moves = rebind(target, env, Set.of(key.name()), Set.of(), Planner.UNDEPLOY, null,
                    "cannot remove " + key.name() + " " + key.version());
            addMoves(env, moves, install, retire);
        } else {
            target.remove(key);
        }
        long seq = apply(new Change(env, op, key, null, null, install, retire, moves, null, null, actor, null, null, target));
        String verb = switch (op) {
            case Event.EXPIRE -> "expired ";
            case Event.SUNSET -> "sunset ";
            default -> "undeployed ";
        };
        String summary = verb + key.name() + " " + key.version() + " from " + env
                + (unit.kind == Kind.ADAPTER ? "; its routes answer 404" : "; " + movedSummary(moves));
        DeployResult r = result(op, env, summary, null, null, moves, seq, start);
        r.removed = List.of(before);
        return r;
    }

    /** Undeploys what has expired. Runs on the TTL thread; a module version still in use waits, logged once. */
    void expireDue() {
        if (closing) {
            return;
        }
        changes.lock();
        try {
            Instant now = instant();
            List<Unit> due = new ArrayList<>();
            synchronized (state) {
                for (Unit u : registry.units(null)) {
                    if (u.expiresAt != null && !Instant.parse(u.expiresAt).isAfter(now)) {
                        due.add(u);
                    }
                }
            }
            // adapters first: a module version often expires along with the adapters using it
            due.sort((a, b) -> Boolean.compare(a.kind == Kind.MODULE, b.kind == Kind.MODULE));
            for (Unit u : due) {
                try {
                    DeployResult r = remove(u, true, Event.EXPIRE, "ttl", System.nanoTime());
                    LOG.info("{}", r.summary);
                    postponed.remove(u.key);
                } catch (DeployException e) {
                    if (postponed.add(u.key)) {
                        LOG.warn("{} expired but stays: {}", u.key, e.getMessage());
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.error("expiring deployments failed", e);
        } finally {
            changes.unlock();
        }
    }

    @Override
    public List<DeploymentInfo> sunsetCandidates(String environment, String unusedFor) throws DeployException {
        String env = environment == null ? null : checkEnvironment(environment);
        Duration period = unusedFor == null ? Durations.parse(property("mosaic.sunset.after", "30d"), "mosaic.sunset.after")
                : Durations.parse(unusedFor, "sunset period");
        if (period == null) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "a sunset period cannot be 'none'; say how long unused, e.g. 30d");
        }
        Instant cutoff = instant().minus(period);
        synchronized (state) {
            List<DeploymentInfo> candidates = new ArrayList<>();
            for (Unit u : registry.modules(env)) {
                if (u.unusedSince != null && !Instant.parse(u.unusedSince).isAfter(cutoff)
                        && registry.consumersOf(u.key.env(), u.key.name(), u.key.version()).isEmpty()) {
                    candidates.add(info(u));
                }
            }
            return candidates;
        }
    }

    @Override
    public DeployResult sunset(String environment, String module, String version, String unusedFor, String actor)
            throws DeployException {
        long start = System.nanoTime();
        if (version != null && (module == null || environment == null)) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "to sunset one version, name its environment and module");
        }
        changes.lock();
        try {
            checkOpen();
            List<DeploymentInfo> candidates = new ArrayList<>(sunsetCandidates(environment, unusedFor));
            String only = version == null ? null : canonical(version);
            if (module != null) {
                checkName(module);
                candidates.removeIf(c -> !c.name.equals(module) || (only != null && !c.version.equals(only)));
            }
            if (only != null && candidates.isEmpty()) {
                throw notASunsetCandidate(checkEnvironment(environment), module, only, unusedFor);
            }
            List<DeploymentInfo> removed = new ArrayList<>();
            long seq = 0;
            for (DeploymentInfo c : candidates) {
                Unit unit;
                synchronized (state) {
                    unit = registry.unit(new UnitKey(c.environment, c.name, c.version));
                }
                DeployResult r = remove(unit, false, Event.SUNSET, actor, start);
                seq = r.sequence;
                removed.add(c);
                dropUnusedArtifact(c.name, c.version);
            }
            DeployResult r = new DeployResult();
            r.operation = Event.SUNSET;
            r.changed = !removed.isEmpty();
            r.removed = removed;
            r.moves = List.of();
            r.sequence = seq;
            r.summary = removed.isEmpty() ? "no module version has been unused long enough to sunset; nothing to do"
                    : "sunset " + removed.size() + " module version(s) nobody used: "
                            + removed.stream().map(d -> d.name + " " + d.version + " in " + d.environment).collect(Collectors.joining(", "));
            r.millis = (System.nanoTime() - start) / 1_000_000;
            return r;
        } finally {
            changes.unlock();
        }
    }

    /** Why one module version cannot be sunset: it is not one, it is in use, or unused for too short a time. */
    private DeployException notASunsetCandidate(String env, String module, String version, String unusedFor)
            throws DeployException {
        Unit unit = find(env, module, version, "to sunset");
        if (unit.kind != Kind.MODULE) {
            return new DeployException(DeployException.INVALID_ARGUMENT, module + " is an adapter; sunset removes module"
                    + " versions nobody uses. Use undeploy for adapters");
        }
        List<Unit> consumers;
        synchronized (state) {
            consumers = registry.consumersOf(env, module, version);
        }
        if (!consumers.isEmpty()) {
            return new DeployException(DeployException.IN_USE, module + " " + version + " is in use in " + env + " by "
                    + consumers.stream().map(c -> c.key.name() + " " + c.key.version()).collect(Collectors.joining(", "))
                    + "; sunset removes only versions nobody uses. Yank it to move its consumers off it");
        }
        return new DeployException(DeployException.CONFLICT, module + " " + version + " in " + env + " has been unused only since "
                + unit.unusedSince + ", less than " + (unusedFor == null ? property("mosaic.sunset.after", "30d") : unusedFor)
                + "; give a shorter --unused-for, or undeploy it");
    }

    /** The bytes go when no environment uses them any more; the record stays, so the version is never reused. */
    private void dropUnusedArtifact(String name, String version) {
        synchronized (state) {
            for (String env : registry.environments()) {
                if (registry.unit(new UnitKey(env, name, version)) != null) {
                    return;
                }
            }
        }
        try {
            Files.deleteIfExists(store.path(name, version));
        } catch (IOException e) {
            LOG.warn("could not delete the artifact of sunset {} {}: {}", name, version, e.getMessage());
        }
    }

    @Override
    public DeployResult rollback(String environment, String name, String actor) throws DeployException {
        long start = System.nanoTime();
        String env = checkEnvironment(environment);
        checkName(name);
        changes.lock();
        try {
            checkOpen();
            Registry target;
            synchronized (state) {
                target = registry.copy();
            }
            Unit current = target.adapter(env, name);
            if (current == null) {
                if (!target.named(env, name).isEmpty()) {
                    throw new DeployException(DeployException.INVALID_ARGUMENT, name + " is a shared module; rollback"
                            + " is for adapters. To withdraw a bad module version, yank it");
                }
                throw notDeployed(env, name);
            }
            List<String> previous = target.previousVersions(env, name);
            if (previous.isEmpty()) {
                throw new DeployException(DeployException.CONFLICT, name + " " + current.key.version() + " is the first"
                        + " version deployed to " + env + "; there is no previous version to roll back to");
            }
            String version = previous.get(previous.size() - 1);
            Artifact a = target.artifact(name, version);
            if (a == null || !store.contains(name, version)) {
                throw new DeployException(DeployException.INTERNAL, "the artifact of " + name + " " + version
                        + " is missing from the store; deploy it again instead");
            }
            UnitKey key = new UnitKey(env, name, version);
            target.remove(current.key);
            Map<String, String> bindings = bind(target, env, a);
            target.put(new Unit(key, Kind.ADAPTER, a.sha256(), now(), actor, bindings));
            long seq = apply(new Change(env, Event.ROLLBACK, key, a, null, Map.of(key, bindings), Set.of(current.key),
                    List.of(), bindings, current.key.version(), actor, expiry(a, env, null), null, target));
            return result(Event.ROLLBACK, env, "rolled " + name + " in " + env + " back from " + current.key.version() + " to "
                    + version, key, current.key.version(), List.of(), seq, start);
        } finally {
            changes.unlock();
        }
    }

    @Override
    public DeployResult yank(String environment, String name, String version, String actor) throws DeployException {
        return setYanked(environment, name, version, actor, true);
    }

    @Override
    public DeployResult unyank(String environment, String name, String version, String actor) throws DeployException {
        return setYanked(environment, name, version, actor, false);
    }

    private DeployResult setYanked(String environment, String name, String version, String actor, boolean yank)
            throws DeployException {
        long start = System.nanoTime();
        String env = checkEnvironment(environment);
        checkName(name);
        String op = yank ? Event.YANK : Event.UNYANK;
        changes.lock();
        try {
            checkOpen();
            Registry target;
            synchronized (state) {
                target = registry.copy();
            }
            UnitKey key = new UnitKey(env, name, canonical(version));
            Unit unit = target.unit(key);
            if (unit == null) {
                List<Unit> named = target.named(env, name);
                if (named.isEmpty()) {
                    throw notDeployed(env, name);
                }
                throw new DeployException(DeployException.NOT_FOUND, name + " " + key.version() + " is not deployed in "
                        + env + "; deployed versions: " + versions(named));
            }
            if (unit.kind != Kind.MODULE) {
                throw new DeployException(DeployException.INVALID_ARGUMENT, name + " is an adapter; " + op
                        + " is for shared-module versions. Use rollback or undeploy for adapters");
            }
            if (unit.yanked == yank) {
                return unchanged(op, key, name + " " + key.version() + " is " + (yank ? "already" : "not") + " yanked in "
                        + env + "; nothing to do", start);
            }
            target.writable(key).yanked = yank;
            List<MoveRecord> moves = rebind(target, env, Set.of(name), Set.of(), yank ? Planner.YANK : Planner.UPTAKE, null,
                    "cannot yank " + name + " " + key.version());
            Map<UnitKey, Map<String, String>> install = new LinkedHashMap<>();
            Set<UnitKey> retire = new LinkedHashSet<>();
            addMoves(env, moves, install, retire);
            long seq = apply(new Change(env, op, key, null, null, install, retire, moves, null, null, actor, null, null, target));
            return result(op, env, (yank ? "yanked " : "unyanked ") + name + " " + key.version() + " in " + env + "; "
                    + movedSummary(moves), key, null, moves, seq, start);
        } finally {
            changes.unlock();
        }
    }

    @Override
    public DeployResult adopt(String environment, String name, String actor) throws DeployException {
        long start = System.nanoTime();
        String env = checkEnvironment(environment);
        checkName(name);
        changes.lock();
        try {
            checkOpen();
            Registry target;
            synchronized (state) {
                target = registry.copy();
            }
            List<Unit> units = target.named(env, name);
            if (units.isEmpty()) {
                throw notDeployed(env, name);
            }
            Set<UnitKey> adopting = units.stream().map(u -> u.key).collect(Collectors.toSet());
            List<MoveRecord> moves = rebind(target, env, Set.of(), adopting, Planner.ADOPT, null, "cannot adopt for " + name);
            UnitKey subject = units.get(units.size() - 1).key;
            if (moves.isEmpty()) {
                return unchanged(Event.ADOPT, subject, name + " in " + env
                        + " is already on the newest module versions its ranges admit; nothing to do", start);
            }
            Map<UnitKey, Map<String, String>> install = new LinkedHashMap<>();
            Set<UnitKey> retire = new LinkedHashSet<>();
            addMoves(env, moves, install, retire);
            long seq = apply(new Change(env, Event.ADOPT, subject, null, null, install, retire, moves, null, null, actor, null,
                    null, target));
            return result(Event.ADOPT, env, "adopted for " + name + " in " + env + ": " + movedSummary(moves), subject, null,
                    moves, seq, start);
        } finally {
            changes.unlock();
        }
    }

    /**
     * Carries out a change: new generations installed, resolved, started and their routes
     * prepared next to what serves; then recorded durably; then switched to; then what they
     * replace is drained and retired. Before the record nothing that serves has changed.
     *
     * @return the sequence number of the recorded change
     */
    private long apply(Change c) throws DeployException {
        Map<UnitKey, Bundle> leaving = new LinkedHashMap<>();
        for (UnitKey k : c.retire()) {
            Bundle b = installer.live(k);
            if (b != null) {
                leaving.put(k, b);
            }
        }
        Map<UnitKey, Path> sources = c.upload() == null ? Map.of() : Map.of(c.subject(), c.upload());
        Map<UnitKey, Bundle> installed = installer.install(c.env(), c.install(), sources, store, c.target());
        installer.start(installed);
        List<Bundle> joiningAdapters = adapters(installed, c.target());
        List<Bundle> leavingAdapters = new ArrayList<>();
        synchronized (state) {
            leavingAdapters.addAll(adapters(leaving, registry));
        }
        try {
            List<RouteInfo> routes = gateway.prepare(c.env(), joiningAdapters, leavingAdapters);
            for (Bundle b : joiningAdapters) {
                if (routes.stream().noneMatch(r -> r.bundleId == b.getBundleId())) {
                    throw new DeployException(DeployException.INVALID_BUNDLE, b.getSymbolicName() + " " + b.getVersion()
                            + " is an adapter but provides no route handler: write a @Component implementing"
                            + " dev.mosaic.api.RouteHandler with @Route(method = ..., path = ...)");
                }
            }
        } catch (RoutingException e) {
            String why = e.getMessage();
            if (RoutingException.HANDLER_UNAVAILABLE.equals(e.code())) {
                for (Bundle b : joiningAdapters) {
                    String failure = installer.componentFailure(b);
                    if (failure != null) {
                        why = b.getSymbolicName() + " " + b.getVersion() + ": " + failure;
                    }
                }
            }
            installer.discard(installed.values());
            throw new DeployException(routingCode(e), why, e);
        } catch (DeployException | RuntimeException e) {
            installer.discard(installed.values());
            throw e;
        }

        testPause("beforeCommit");
        Event event = event(c);
        try {
            if (c.upload() != null) {
                store.commit(c.upload(), c.artifact().name(), c.artifact().version());
            }
            record(event);
        } catch (IOException | DeployException e) {
            installer.discard(installed.values());
            throw e instanceof DeployException d ? d : new DeployException(DeployException.INTERNAL,
                    "could not store the artifact (" + e.getMessage() + "); nothing changed", e);
        }

        testPause("afterCommit");
        try {
            gateway.switchRoutes(c.env(), joiningAdapters, leavingAdapters);
        } catch (RoutingException e) {
            LOG.error("switching routes after recording change {} failed: {}", event.seq, e.getMessage(), e);
        }
        Set<UnitKey> removed = new HashSet<>(c.retire());
        removed.removeAll(installed.keySet());
        installer.makeLive(installed, removed);
        for (UnitKey k : installed.keySet()) {
            problems.remove(k);
        }
        for (UnitKey k : removed) {
            problems.remove(k);
        }
        retire(leavingAdapters, leaving.values());
        return event.seq;
    }

    /**
     * Commits an event: appended to the journal and forced to disk, then applied to the
     * registry. The one place where the recorded state changes.
     *
     * @return its sequence number
     */
    private long record(Event event) throws DeployException {
        synchronized (state) {
            event.seq = registry.sequence() + 1;
            try {
                journal.append(event);
            } catch (IOException e) {
                throw new DeployException(DeployException.INTERNAL, "could not record the change durably ("
                        + e.getMessage() + "); nothing changed", e);
            }
            registry.apply(event);
            return event.seq;
        }
    }

    /**
     * Holds a change made once the runtime serves at a named point, so a test can kill the
     * process there; or, at the point {@code restore}, the restore at start-up.
     */
    private void testPause(String point) {
        if (testPause == null || !testPause.startsWith(point + ":") || (registration == null) != point.equals("restore")) {
            return;
        }
        long millis = Long.parseLong(testPause.substring(point.length() + 1));
        LOG.warn("test pause: holding the change at {} for {} ms (mosaic.test.pause)", point, millis);
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void retire(List<Bundle> adapters, Collection<Bundle> all) {
        try {
            if (!gateway.awaitIdle(adapters, drainTimeout)) {
                LOG.warn("requests still running in {} after {} ms; retiring them anyway",
                        adapters.stream().map(b -> b.getSymbolicName() + " " + b.getVersion()).toList(), drainTimeout.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Bundle> ordered = new ArrayList<>(adapters);
        for (Bundle b : all) {
            if (!ordered.contains(b)) {
                ordered.add(b);
            }
        }
        installer.retire(ordered);
    }

    private static String actorOrUnknown(String actor) {
        return actor == null || actor.isBlank() ? "unknown" : actor;
    }

    private Event event(Change c) {
        Event e = new Event();
        e.time = now();
        e.actor = actorOrUnknown(c.actor());
        e.op = c.op();
        e.env = c.env();
        e.name = c.subject().name();
        e.version = c.subject().version();
        if (c.artifact() != null) {
            e.artifact = c.artifact();
            e.bindings = c.bindings();
            e.expiresAt = c.expiresAt();
            e.from = c.from();
        }
        e.replaced = c.replaced();
        e.moves = c.moves().isEmpty() ? null : c.moves();
        return e;
    }

    private static void addMoves(String env, List<MoveRecord> moves, Map<UnitKey, Map<String, String>> install,
            Set<UnitKey> retire) {
        for (MoveRecord m : moves) {
            UnitKey k = new UnitKey(env, m.name(), m.version());
            install.put(k, m.to());
            retire.add(k);
        }
    }

    private static Map<String, String> bind(Registry target, String env, Artifact a) throws DeployException {
        try {
            return Planner.bind(target, env, a, Map.of(), false, null);
        } catch (Planner.Unresolvable u) {
            throw new DeployException(DeployException.UNRESOLVABLE, u.getMessage());
        }
    }

    private static List<MoveRecord> rebind(Registry target, String env, Set<String> affected, Set<UnitKey> adopt,
            String reason, UnitKey exclude, String refusal) throws DeployException {
        try {
            return Planner.rebind(target, env, affected, adopt, reason, exclude);
        } catch (Planner.Unresolvable u) {
            throw new DeployException(refusal == null ? DeployException.UNRESOLVABLE : DeployException.IN_USE,
                    (refusal == null ? "" : refusal + ": ") + u.getMessage());
        }
    }

    private static List<Bundle> adapters(Map<UnitKey, Bundle> bundles, Registry registry) {
        List<Bundle> adapters = new ArrayList<>();
        bundles.forEach((k, b) -> {
            Artifact a = registry.artifact(k);
            if (a != null && a.kind() == Kind.ADAPTER) {
                adapters.add(b);
            }
        });
        return adapters;
    }

    private static String routingCode(RoutingException e) {
        return switch (e.code()) {
            case RoutingException.ROUTE_CONFLICT -> DeployException.ROUTE_CONFLICT;
            case RoutingException.INVALID_ROUTE -> DeployException.INVALID_BUNDLE;
            case RoutingException.INVALID_ENVIRONMENT -> DeployException.INVALID_ARGUMENT;
            default -> DeployException.START_FAILED;
        };
    }

    /** @return package name to the bundle exporting it, for packages platform bundles export */
    /** @return package to the platform bundle exporting it, kept between deploys: among many tenants, the walk is not free */
    private Map<String, String> platformPackages() {
        Map<String, String> known = platformPackages;
        if (known == null) {
            platformPackages = known = Collections.unmodifiableMap(findPlatformPackages());
        }
        return known;
    }

    private Map<String, String> findPlatformPackages() {
        Map<String, String> packages = new TreeMap<>();
        for (Bundle b : context.getBundles()) {
            BundleRevision revision = b.adapt(BundleRevision.class);
            if (TenantResolverHook.isTenant(b) || revision == null) {
                continue;
            }
            for (BundleCapability c : revision.getDeclaredCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
                packages.putIfAbsent(String.valueOf(c.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE)),
                        b.getSymbolicName() + " " + b.getVersion());
            }
        }
        return packages;
    }

    // ------------------------------------------------------------------ queries

    @Override
    public List<DeploymentInfo> list(String environment, String owner, String kind) {
        synchronized (state) {
            List<DeploymentInfo> infos = new ArrayList<>();
            for (Unit u : registry.units(environment)) {
                DeploymentInfo i = info(u);
                if ((owner == null || owner.equals(i.owner)) && (kind == null || kind.equalsIgnoreCase(i.kind))) {
                    infos.add(i);
                }
            }
            return infos;
        }
    }

    @Override
    public List<RouteView> routes() {
        List<RouteView> views = new ArrayList<>();
        for (RouteInfo r : gateway.routes()) {
            RouteView v = new RouteView();
            v.environment = r.environment;
            v.method = r.method;
            v.path = r.path;
            v.adapter = r.adapter;
            v.adapterVersion = r.adapterVersion;
            v.requests = r.requests;
            v.failures = r.failures;
            v.timeoutMillis = r.timeoutMillis;
            v.concurrency = r.concurrency;
            v.timeouts = r.timeouts;
            v.rejected = r.rejected;
            v.modules = wiredModules(context.getBundle(r.bundleId));
            views.add(v);
        }
        return views;
    }

    /** @return module name to version for every tenant bundle this bundle is wired to, from the framework */
    static Map<String, String> wiredModules(Bundle bundle) {
        Map<String, String> modules = new TreeMap<>();
        BundleWiring wiring = bundle == null ? null : bundle.adapt(BundleWiring.class);
        if (wiring == null) {
            return modules;
        }
        for (BundleWire wire : wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            Bundle provider = wire.getProvider().getBundle();
            if (TenantResolverHook.isTenant(provider)) {
                modules.put(provider.getSymbolicName(), provider.getVersion().toString());
            }
        }
        return modules;
    }

    @Override
    public List<HistoryEntry> history(int limit) {
        synchronized (state) {
            List<Event> events = registry.events();
            List<HistoryEntry> entries = new ArrayList<>();
            for (Event e : events.subList(Math.max(0, events.size() - Math.max(0, limit)), events.size())) {
                HistoryEntry h = new HistoryEntry();
                h.sequence = e.seq;
                h.time = e.time;
                h.actor = e.actor;
                h.operation = e.op;
                h.environment = e.env;
                h.name = e.name;
                h.version = e.version;
                h.sha256 = e.artifact == null ? null : e.artifact.sha256();
                h.replacedVersion = e.replaced;
                h.moves = moves(e.env, e.moves);
                entries.add(h);
            }
            return entries;
        }
    }

    @Override
    public Health health() {
        Health h = new Health();
        h.failed = new ArrayList<>();
        synchronized (state) {
            List<Unit> all = registry.units(null);
            h.deployments = all.size();
            for (Unit u : all) {
                if (installer.live(u.key) != null) {
                    h.running++;
                } else {
                    h.failed.add(u.key + ": " + problems.getOrDefault(u.key, "not running"));
                }
            }
        }
        h.leaks = new ArrayList<>();
        for (LeakWatch.Retired r : leakWatch.leaks(instant(), leakGrace)) {
            Health.Leak leak = new Health.Leak();
            String afterPrefix = r.location().substring(TenantResolverHook.LOCATION_PREFIX.length());
            leak.environment = afterPrefix.substring(0, afterPrefix.indexOf('/'));
            leak.name = r.name();
            leak.version = r.version();
            leak.retiredAt = r.retiredAt().toString();
            leak.hint = "its class loader is still reachable: look for a thread it started and never stopped, an object of it"
                    + " kept in another library's static or thread-local, or a listener it registered and never removed";
            h.leaks.add(leak);
        }
        h.status = h.failed.isEmpty() && h.leaks.isEmpty() ? "ok" : "degraded";
        return h;
    }

    private DeploymentInfo info(Unit u) {
        Artifact a = registry.artifact(u.key);
        DeploymentInfo i = new DeploymentInfo();
        i.environment = u.key.env();
        i.name = u.key.name();
        i.version = u.key.version();
        i.kind = u.kind.label();
        i.sha256 = u.sha256;
        i.size = a.size();
        i.owner = a.metadata().get(ArtifactReader.OWNER);
        i.scmCommit = a.metadata().get(ArtifactReader.SCM_COMMIT);
        i.buildTime = a.metadata().get(ArtifactReader.BUILD_TIME);
        i.deployedAt = u.deployedAt;
        i.deployedBy = u.deployedBy;
        i.uptake = a.manualUptake() ? "manual" : "auto";
        i.yanked = u.yanked;
        i.bindings = new TreeMap<>(u.bindings);
        String problem = problems.get(u.key);
        i.state = problem != null ? "failed" : installer.live(u.key) != null ? "running" : "starting";
        i.problem = problem;
        i.metadata = new TreeMap<>(a.metadata());
        i.expiresAt = u.expiresAt;
        i.unusedSince = u.unusedSince;
        Bundle live = installer.live(u.key);
        i.bundleId = live == null ? -1 : live.getBundleId();
        i.exports = new TreeMap<>();
        for (Model.Export e : a.exports()) {
            i.exports.put(e.pkg(), e.version().toString());
        }
        i.imports = new ArrayList<>();
        for (Model.Import m : a.imports()) {
            ImportInfo ii = new ImportInfo();
            ii.pkg = m.pkg();
            ii.range = m.range().toString();
            ii.optional = m.optional();
            i.imports.add(ii);
        }
        return i;
    }

    private DeployResult result(String op, String env, String summary, UnitKey subject, String replaced,
            List<MoveRecord> moves, long seq, long start) {
        DeployResult r = new DeployResult();
        r.operation = op;
        r.changed = true;
        r.summary = summary;
        synchronized (state) {
            Unit u = subject == null ? null : registry.unit(subject);
            r.deployment = u == null ? null : info(u);
        }
        r.replacedVersion = replaced;
        r.moves = moves(env, moves);
        r.sequence = seq;
        r.millis = (System.nanoTime() - start) / 1_000_000;
        return r;
    }

    private DeployResult unchanged(String op, UnitKey subject, String summary, long start) {
        DeployResult r = result(op, subject.env(), summary, subject, null, List.of(), 0, start);
        r.changed = false;
        return r;
    }

    private static List<Move> moves(String env, List<MoveRecord> records) {
        List<Move> moves = new ArrayList<>();
        if (records == null) {
            return moves;
        }
        for (MoveRecord m : records) {
            Move move = new Move();
            move.environment = env;
            move.consumer = m.name();
            move.consumerVersion = m.version();
            move.from = new TreeMap<>(m.from());
            move.to = new TreeMap<>(m.to());
            move.reason = m.reason();
            moves.add(move);
        }
        return moves;
    }

    private static String movedSummary(List<MoveRecord> moves) {
        List<String> direct = new ArrayList<>();
        int transitive = 0;
        for (MoveRecord m : moves) {
            if (Planner.TRANSITIVE.equals(m.reason())) {
                transitive++;
                continue;
            }
            List<String> changes = new ArrayList<>();
            Set<String> modules = new java.util.TreeSet<>(m.from().keySet());
            modules.addAll(m.to().keySet());
            for (String module : modules) {
                String from = m.from().get(module);
                String to = m.to().get(module);
                if (from == null ? to != null : !from.equals(to)) {
                    changes.add(module + " " + (from == null ? "-" : from) + " -> " + (to == null ? "-" : to));
                }
            }
            direct.add(m.name() + " " + m.version() + " (" + String.join(", ", changes) + ")");
        }
        if (direct.isEmpty() && transitive == 0) {
            return "no consumer moved";
        }
        return "moved: " + String.join("; ", direct) + (transitive == 0 ? "" : "; re-wired " + transitive + " consumer(s) of moved modules");
    }

    // ------------------------------------------------------------------ helpers

    private void checkOpen() throws DeployException {
        if (closing) {
            throw new DeployException(DeployException.INTERNAL, "the runtime is shutting down; try again after it restarts");
        }
    }

    private static String checkEnvironment(String env) throws DeployException {
        String e = env == null || env.isBlank() ? Gateway.DEFAULT_ENVIRONMENT : env.trim();
        if (!Gateway.ENVIRONMENT_NAME.matcher(e).matches()) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "'" + e + "' is not an environment name: use lower"
                    + " case letters, digits and '-', starting with a letter, at most 32 characters (e.g. prod, test, pr-42)");
        }
        return e;
    }

    private static void checkName(String name) throws DeployException {
        if (name == null || !name.matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*") || name.length() > 200) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "'" + name + "' is not a bundle symbolic name"
                    + " (dot-separated tokens of letters, digits, '_' and '-')");
        }
    }

    private static String canonical(String version) throws DeployException {
        try {
            return Version.parseVersion(version == null ? "" : version.trim()).toString();
        } catch (IllegalArgumentException e) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "'" + version + "' is not a version (e.g. 1.2.0)");
        }
    }

    private static DeployException notDeployed(String env, String name) {
        return new DeployException(DeployException.NOT_FOUND, "nothing named " + name + " is deployed in " + env);
    }

    private static String versions(List<Unit> units) {
        return units.stream().map(u -> u.key.version() + (u.yanked ? " (yanked)" : "")).collect(Collectors.joining(", "));
    }

    private Instant instant() {
        Clock c = clock;
        return (c == null ? Clock.systemUTC() : c).instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    private String now() {
        return instant().toString();
    }

    private String property(String name, String defaultValue) {
        String v = context.getProperty(name);
        return v == null || v.isBlank() ? defaultValue : v.trim();
    }
}
