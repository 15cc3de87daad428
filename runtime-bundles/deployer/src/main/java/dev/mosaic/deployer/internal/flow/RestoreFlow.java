package dev.mosaic.deployer.internal.flow;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.deployer.ChangeListener;
import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.internal.checks.ArtifactReader;
import dev.mosaic.deployer.internal.framework.TenantResolverHook;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Registry.Unit;
import dev.mosaic.gateway.Gateway;

/**
 * At start-up the runtime serves exactly what is recorded, whether it was stopped cleanly or
 * killed in the middle of a change: the framework's cache is not trusted (tenant bundles it
 * kept are removed), and every recorded deployment is installed, wired as recorded, started
 * and routed — an environment at once, or, if that fails, one deployment at a time, providers
 * before consumers, so that one broken deployment does not keep the others from serving. An
 * empty registry is seeded with the examples.
 */
final class RestoreFlow {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreFlow.class);

    private final Context ctx;
    private final Listeners listeners;
    private final Deploys deploys;
    private final BackendFlow backends;

    RestoreFlow(Context ctx, Listeners listeners, Deploys deploys, BackendFlow backends) {
        this.ctx = ctx;
        this.listeners = listeners;
        this.deploys = deploys;
        this.backends = backends;
    }

    /** Tenant bundles from a previous run that the framework kept in its cache: the journal decides, not the cache. */
    void removeStrayTenants(BundleContext context) {
        List<Bundle> strays = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (TenantResolverHook.isTenant(b)) {
                strays.add(b);
            }
        }
        if (!strays.isEmpty()) {
            LOG.info("removing {} tenant bundle(s) left in the framework cache", strays.size());
            ctx.installer().retire(strays);
        }
    }

    /** Restores every recorded deployment, then seeds an empty registry. Runs with changes held off. */
    void restore() {
        long start = System.nanoTime();
        ctx.changes().runInternal(() -> {
            try {
                listeners.tell(ChangeListener.Phase.RESTORING, new ChangeListener.Change(null, null, null, null));
                backends.applyAll(); // before any adapter serves: its calls find their backends
                Registry registry = ctx.state().copy();
                int count = registry.size();
                if (count > 0) {
                    LOG.info("restoring {} recorded deployment(s) in {}", count, registry.environments());
                }
                for (String env : registry.environments()) {
                    restoreEnvironment(registry, env);
                }
                LOG.info("restored {} deployment(s) in {} ms{}", count, (System.nanoTime() - start) / 1_000_000,
                        ctx.problems().isEmpty() ? "" : "; " + ctx.problems().size() + " failed: " + ctx.problems().keySet());
                Path seed = ctx.settings().seed();
                if (seed != null && count == 0) {
                    seed(seed);
                }
            } catch (RuntimeException | LinkageError e) {
                // a class that cannot be loaded (a platform bundle going away mid-restore) must not leave the runtime
                // without its Deployer: it takes changes, and what failed is in the log and the health report
                LOG.error("restoring the recorded deployments failed", e);
            }
        });
    }

    /** @return this instance's group in the fleet (a release in waves binds by it), or null */
    private String group() {
        FleetView fleet = ctx.fleet();
        return fleet == null ? null : fleet.group();
    }

    private void restoreEnvironment(Registry registry, String env) {
        Map<UnitKey, Map<String, String>> units = new LinkedHashMap<>();
        for (Unit u : registry.units(env)) {
            units.put(u.key, registry.bindingsIn(u, group()));
        }
        try {
            ctx.protocol().bringUp(env, units, registry);
        } catch (DeployException e) {
            LOG.warn("restoring environment {} as a whole failed ({}); restoring its deployments one by one", env, e.getMessage());
            restoreOneByOne(registry, env);
        }
    }

    /** Providers before consumers; a unit whose provider failed fails with that reason. */
    private void restoreOneByOne(Registry registry, String env) {
        Map<UnitKey, String> problems = ctx.problems();
        List<Unit> pending = new ArrayList<>(registry.units(env));
        pending.sort((a, b) -> Boolean.compare(a.kind == Kind.ADAPTER, b.kind == Kind.ADAPTER));
        boolean progress = true;
        while (!pending.isEmpty() && progress) {
            progress = false;
            for (Unit u : new ArrayList<>(pending)) {
                Map<String, String> bindings = registry.bindingsIn(u, group());
                boolean providersReady = bindings.entrySet().stream()
                        .allMatch(b -> ctx.installer().live(new UnitKey(env, b.getKey(), b.getValue())) != null);
                boolean providerFailed = bindings.entrySet().stream()
                        .anyMatch(b -> problems.containsKey(new UnitKey(env, b.getKey(), b.getValue())));
                if (!providersReady && !providerFailed) {
                    continue;
                }
                pending.remove(u);
                progress = true;
                if (providerFailed) {
                    problems.put(u.key, "a module it is bound to failed to start: " + bindings);
                    continue;
                }
                try {
                    ctx.protocol().bringUp(env, Map.of(u.key, bindings), registry);
                } catch (DeployException e) {
                    problems.put(u.key, e.getMessage());
                    LOG.error("could not restore {}: {}", u.key, e.getMessage());
                }
            }
        }
        for (Unit u : pending) {
            problems.put(u.key, "its modules never became available: " + u.bindings);
        }
    }

    /**
     * Declares the backends of the seed's {@code backends.json} (environment to backend name to
     * options, where {@code {examples}} stands for the example backend server's URL), when the
     * launcher started that server.
     */
    private void seedBackends(Path dir) {
        Path file = dir.resolve("backends.json");
        String url = ctx.settings().exampleBackendsUrl();
        if (!Files.isRegularFile(file) || url == null) {
            return;
        }
        try {
            Map<String, Map<String, Map<String, List<String>>>> declared = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readValue(Files.readString(file).replace("{examples}", url),
                            new com.fasterxml.jackson.core.type.TypeReference<>() {
                            });
            for (Map.Entry<String, Map<String, Map<String, List<String>>>> env : declared.entrySet()) {
                for (Map.Entry<String, Map<String, List<String>>> b : env.getValue().entrySet()) {
                    backends.set(env.getKey(), b.getKey(), b.getValue(), "seed", false);
                }
            }
        } catch (IOException | DeployException e) {
            LOG.error("the example backends of {} were not declared: {}", file, e.getMessage());
        }
    }

    /** Deploys the bundles of a directory into an empty registry: modules first, then adapters. */
    private void seed(Path dir) {
        seedBackends(dir);
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
                try (java.io.InputStream in = Files.newInputStream(jar)) {
                    deploys.deploy(in, DeployOptions.to(Gateway.DEFAULT_ENVIRONMENT, "seed"));
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
}
