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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
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
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.HistoryEntry;
import dev.mosaic.deployer.Move;
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
    private final Clock clock = Clock.systemUTC();

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
    private volatile ServiceRegistration<Deployer> registration;
    private Thread restorer;
    private volatile boolean closing;
    /** Fault injection for crash tests: {@code point:millis}, e.g. {@code beforeCommit:5000}. Off unless set. */
    private String testPause;

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
        installer = new Installer(context, hook, scr, activation);
        hookRegistration = context.registerService(ResolverHookFactory.class, hook, null);
        collisionRegistration = context.registerService(CollisionHook.class, new TenantCollisionHook(), null);
        removeStrayTenants();

        String seed = context.getProperty("mosaic.seed");
        restorer = new Thread(() -> restoreThenServe(seed == null || seed.isBlank() ? null : Path.of(seed)), "mosaic-restore");
        restorer.start();
    }

    @Deactivate
    void deactivate() throws Exception {
        closing = true;
        restorer.join(60_000);
        ServiceRegistration<Deployer> r = registration;
        if (r != null) {
            r.unregister();
        }
        changes.lock();
        try {
            hookRegistration.unregister();
            collisionRegistration.unregister();
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
            int count = registry.units(null).size();
            for (String env : registry.environments()) {
                restoreEnvironment(env);
            }
            LOG.info("restored {} deployment(s) in {} ms{}", count, (System.nanoTime() - start) / 1_000_000,
                    problems.isEmpty() ? "" : "; " + problems.size() + " failed: " + problems.keySet());
            if (seed != null && registry.units(null).isEmpty()) {
                seed(seed);
            }
        } catch (RuntimeException e) {
            LOG.error("restoring the recorded deployments failed", e);
        } finally {
            changes.unlock();
        }
        if (!closing) {
            registration = context.registerService(Deployer.class, this, null);
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
            Map<String, String> bindings, String replaced, String actor, Registry target) {
    }

    @Override
    public DeployResult deploy(byte[] jar, DeployOptions options) throws DeployException {
        long start = System.nanoTime();
        String env = checkEnvironment(options.environment);
        if (jar == null || jar.length == 0) {
            throw new DeployException(DeployException.INVALID_BUNDLE, "the upload is empty; send the bundle jar");
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
            Artifact artifact = ArtifactReader.read(upload);
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
            Path source = known == null ? upload : null;
            return artifact.kind() == Kind.ADAPTER ? deployAdapter(env, artifact, source, options.actor, start)
                    : release(env, artifact, source, options.actor, start);
        } finally {
            changes.unlock();
            store.discard(upload);
        }
    }

    private DeployResult deployAdapter(String env, Artifact a, Path upload, String actor, long start) throws DeployException {
        Registry target;
        Unit current;
        synchronized (state) {
            current = registry.adapter(env, a.name());
            target = registry.copy();
        }
        if (!target.named(env, a.name()).stream().allMatch(u -> u.kind == Kind.ADAPTER)) {
            throw new DeployException(DeployException.CONFLICT, a.name() + " is deployed as a shared module in " + env
                    + "; a name is either an adapter or a module");
        }
        UnitKey key = new UnitKey(env, a.name(), a.version());
        if (current != null && current.key.equals(key) && installer.live(key) != null) {
            return unchanged(Event.DEPLOY, key, a.name() + " " + a.version() + " already serves in " + env
                    + " with these exact bytes; nothing to do", start);
        }
        target.putArtifact(a);
        if (current != null) {
            target.remove(current.key);
        }
        Map<String, String> bindings = bind(target, env, a);
        target.put(new Unit(key, Kind.ADAPTER, a.sha256(), now(), actor, bindings));
        Change change = new Change(env, Event.DEPLOY, key, a, upload, Map.of(key, bindings),
                current == null ? Set.of() : Set.of(current.key), List.of(), bindings,
                current == null ? null : current.key.version(), actor, target);
        long seq = apply(change);
        String summary = current == null ? "deployed " + a.name() + " " + a.version() + " to " + env
                : "deployed " + a.name() + " " + a.version() + " to " + env + ", replacing " + current.key.version();
        return result(Event.DEPLOY, env, summary, key, change.replaced(), List.of(), seq, start);
    }

    private DeployResult release(String env, Artifact a, Path upload, String actor, long start) throws DeployException {
        UnitKey key = new UnitKey(env, a.name(), a.version());
        Registry target;
        Unit existing;
        synchronized (state) {
            existing = registry.unit(key);
            target = registry.copy();
        }
        if (existing != null && installer.live(key) != null) {
            return unchanged(Event.RELEASE, key, a.name() + " " + a.version() + " is already released in " + env
                    + " with these exact bytes; nothing to do", start);
        }
        if (target.adapter(env, a.name()) != null) {
            throw new DeployException(DeployException.CONFLICT, a.name() + " is deployed as an adapter in " + env
                    + "; a name is either an adapter or a module");
        }
        Map<String, String> owners = Planner.owners(target, env);
        for (Model.Export e : a.exports()) {
            String owner = owners.get(e.pkg());
            if (owner != null && !owner.equals(a.name())) {
                throw new DeployException(DeployException.CONFLICT, a.name() + " " + a.version() + " exports package "
                        + e.pkg() + ", which module " + owner + " already exports in " + env
                        + "; a package belongs to one module");
            }
        }
        Map<String, String> platform = platformPackages();
        for (Model.Export e : a.exports()) {
            if (platform.containsKey(e.pkg())) {
                throw new DeployException(DeployException.INVALID_BUNDLE, a.name() + " " + a.version()
                        + " exports package " + e.pkg() + ", which the platform provides (" + platform.get(e.pkg())
                        + "); a shared module cannot replace platform packages");
            }
        }
        target.putArtifact(a);
        if (existing != null) {
            target.remove(key);
        }
        Map<String, String> bindings = bind(target, env, a);
        target.put(new Unit(key, Kind.MODULE, a.sha256(), now(), actor, bindings));
        List<MoveRecord> moves = rebind(target, env, Set.of(a.name()), Set.of(), Planner.UPTAKE, key, null);
        Map<UnitKey, Map<String, String>> install = new LinkedHashMap<>();
        install.put(key, bindings);
        Set<UnitKey> retire = new LinkedHashSet<>();
        if (existing != null) {
            retire.add(key);
        }
        addMoves(env, moves, install, retire);
        long seq = apply(new Change(env, Event.RELEASE, key, a, upload, install, retire, moves, bindings, null, actor, target));
        String summary = "released " + a.name() + " " + a.version() + " in " + env + "; " + movedSummary(moves);
        return result(Event.RELEASE, env, summary, key, null, moves, seq, start);
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
            Registry target;
            synchronized (state) {
                target = registry.copy();
            }
            Unit adapter = target.adapter(env, name);
            if (adapter != null && (version == null || adapter.key.version().equals(canonical(version)))) {
                target.remove(adapter.key);
                long seq = apply(new Change(env, Event.UNDEPLOY, adapter.key, null, null, Map.of(), Set.of(adapter.key),
                        List.of(), null, null, actor, target));
                return result(Event.UNDEPLOY, env, "undeployed " + name + " " + adapter.key.version() + " from " + env
                        + "; its routes answer 404", null, null, List.of(), seq, start);
            }
            List<Unit> named = target.named(env, name);
            if (named.isEmpty()) {
                throw notDeployed(env, name);
            }
            if (version == null) {
                throw new DeployException(DeployException.INVALID_ARGUMENT, name + " is a shared module in " + env
                        + " with versions " + versions(named) + "; say which version to undeploy");
            }
            UnitKey key = new UnitKey(env, name, canonical(version));
            Unit unit = target.unit(key);
            if (unit == null) {
                throw new DeployException(DeployException.NOT_FOUND, name + " " + key.version() + " is not deployed in "
                        + env + "; deployed versions: " + versions(named));
            }
            List<Unit> consumers = target.consumersOf(env, name, key.version());
            if (!consumers.isEmpty() && !force) {
                throw new DeployException(DeployException.IN_USE, name + " " + key.version() + " is in use in " + env
                        + " by " + consumers.stream().map(c -> c.key.name() + " " + c.key.version()).collect(Collectors.joining(", "))
                        + ". Yank it first (its consumers move to another version in their range), or undeploy with force");
            }
            target.remove(key);
            List<MoveRecord> moves = rebind(target, env, Set.of(name), Set.of(), Planner.UNDEPLOY, null,
                    "cannot undeploy " + name + " " + key.version());
            Map<UnitKey, Map<String, String>> install = new LinkedHashMap<>();
            Set<UnitKey> retire = new LinkedHashSet<>();
            retire.add(key);
            addMoves(env, moves, install, retire);
            long seq = apply(new Change(env, Event.UNDEPLOY, key, null, null, install, retire, moves, null, null, actor, target));
            return result(Event.UNDEPLOY, env, "undeployed " + name + " " + key.version() + " from " + env + "; "
                    + movedSummary(moves), null, null, moves, seq, start);
        } finally {
            changes.unlock();
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
                    List.of(), bindings, current.key.version(), actor, target));
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
            unit.yanked = yank;
            List<MoveRecord> moves = rebind(target, env, Set.of(name), Set.of(), yank ? Planner.YANK : Planner.UPTAKE, null,
                    "cannot yank " + name + " " + key.version());
            Map<UnitKey, Map<String, String>> install = new LinkedHashMap<>();
            Set<UnitKey> retire = new LinkedHashSet<>();
            addMoves(env, moves, install, retire);
            long seq = apply(new Change(env, op, key, null, null, install, retire, moves, null, null, actor, target));
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
            long seq = apply(new Change(env, Event.ADOPT, subject, null, null, install, retire, moves, null, null, actor, target));
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
            synchronized (state) {
                event.seq = registry.sequence() + 1;
                journal.append(event);
                registry.apply(event);
            }
        } catch (IOException e) {
            installer.discard(installed.values());
            throw new DeployException(DeployException.INTERNAL, "could not record the change durably ("
                    + e.getMessage() + "); nothing changed", e);
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

    /** Holds a change made once the runtime serves at a named point, so a test can kill the process there. */
    private void testPause(String point) {
        if (testPause == null || registration == null || !testPause.startsWith(point + ":")) {
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

    private Event event(Change c) {
        Event e = new Event();
        e.time = now();
        e.actor = c.actor() == null || c.actor().isBlank() ? "unknown" : c.actor();
        e.op = c.op();
        e.env = c.env();
        e.name = c.subject().name();
        e.version = c.subject().version();
        if (Event.DEPLOY.equals(c.op()) || Event.RELEASE.equals(c.op()) || Event.ROLLBACK.equals(c.op())) {
            e.artifact = c.artifact();
            e.bindings = c.bindings();
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
    private Map<String, String> platformPackages() {
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
    public List<DeploymentInfo> list(String environment) {
        synchronized (state) {
            List<DeploymentInfo> infos = new ArrayList<>();
            for (Unit u : registry.units(environment)) {
                infos.add(info(u));
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

    private String now() {
        return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
    }

    private String property(String name, String defaultValue) {
        String v = context.getProperty(name);
        return v == null || v.isBlank() ? defaultValue : v.trim();
    }
}
