package dev.mosaic.deployer.internal.flow;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.Health;
import dev.mosaic.deployer.HistoryEntry;
import dev.mosaic.deployer.ImportInfo;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.RouteView;
import dev.mosaic.deployer.State;
import dev.mosaic.deployer.UptakePolicy;
import dev.mosaic.deployer.internal.checks.ArtifactReader;
import dev.mosaic.deployer.internal.framework.Installer;
import dev.mosaic.deployer.internal.framework.LeakWatch;
import dev.mosaic.deployer.internal.framework.TenantResolverHook;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Registry.Unit;
import dev.mosaic.gateway.Gateway;
import dev.mosaic.gateway.RouteInfo;

/** The read-only answers: deployments, routes, history, health. They change nothing. */
public final class Views {

    private static final String LEAK_HINT = "its class loader is still reachable: look for a thread it started and never"
            + " stopped, an object of it kept in another library's static or thread-local, or a listener it registered"
            + " and never removed";

    private final RecordedState state;
    private final Installer installer;
    private final Gateway gateway;
    private final BundleContext context;
    private final LeakWatch leakWatch;
    private final Settings settings;
    private final Map<UnitKey, String> problems;
    private final Supplier<Instant> clock;

    public Views(RecordedState state, Installer installer, Gateway gateway, BundleContext context, LeakWatch leakWatch,
            Settings settings, Map<UnitKey, String> problems, Supplier<Instant> clock) {
        this.state = state;
        this.installer = installer;
        this.gateway = gateway;
        this.context = context;
        this.leakWatch = leakWatch;
        this.settings = settings;
        this.problems = problems;
        this.clock = clock;
    }

    public List<DeploymentInfo> list(String environment, String owner, Kind kind) {
        return state.read(registry -> {
            List<DeploymentInfo> infos = new ArrayList<>();
            for (Unit u : registry.units(environment)) {
                DeploymentInfo i = info(registry, u);
                if ((owner == null || owner.equals(i.owner())) && (kind == null || kind == i.kind())) {
                    infos.add(i);
                }
            }
            return infos;
        });
    }

    /** @return the deployment as recorded now, or null if there is none */
    public DeploymentInfo info(UnitKey key) {
        return state.read(registry -> {
            Unit u = key == null ? null : registry.unit(key);
            return u == null ? null : info(registry, u);
        });
    }

    DeploymentInfo info(Registry registry, Unit u) {
        Artifact a = registry.artifact(u.key);
        Map<String, String> exports = new TreeMap<>();
        for (Model.Export e : a.exports()) {
            exports.put(e.pkg(), e.version().toString());
        }
        List<ImportInfo> imports = new ArrayList<>();
        for (Model.Import m : a.imports()) {
            imports.add(new ImportInfo(m.pkg(), m.range().toString(), m.optional()));
        }
        String problem = problems.get(u.key);
        Bundle live = installer.live(u.key);
        State s = problem != null ? State.FAILED : live != null ? State.RUNNING : State.STARTING;
        return new DeploymentInfo(u.key.env(), u.key.name(), u.key.version(), u.kind, u.sha256, a.size(),
                a.metadata().get(ArtifactReader.OWNER), a.metadata().get(ArtifactReader.SCM_COMMIT),
                a.metadata().get(ArtifactReader.BUILD_TIME), u.deployedAt, u.deployedBy,
                a.manualUptake() ? UptakePolicy.MANUAL : UptakePolicy.AUTO, u.yanked, new TreeMap<>(u.bindings), s, problem,
                new TreeMap<>(a.metadata()), u.expiresAt, u.unusedSince, live == null ? -1 : live.getBundleId(), exports,
                imports, u.findings);
    }

    public List<RouteView> routes() {
        List<RouteView> views = new ArrayList<>();
        for (RouteInfo r : gateway.routes()) {
            views.add(new RouteView(r.environment(), r.method(), r.path(), r.adapter(), r.adapterVersion(),
                    wiredModules(context.getBundle(r.bundleId())), r.requests(), r.failures(), r.timeoutMillis(), r.concurrency(),
                    r.timeouts(), r.rejected(), r.backends(), r.backendCalls()));
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

    public List<HistoryEntry> history(int limit, String environment, String name) {
        List<Event> events;
        try {
            events = state.history(Math.max(0, limit), new dev.mosaic.deployer.internal.model.EventFilter(environment, name));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("the history archive cannot be read: " + e.getMessage(), e);
        }
        List<HistoryEntry> entries = new ArrayList<>();
        for (Event e : events) {
            entries.add(new HistoryEntry(e.seq, e.time, e.actor, Operation.parse(e.op), e.env, e.name, e.version,
                    e.artifact == null ? null : e.artifact.sha256(), e.replaced, Results.moves(e.env, e.moves),
                    e.incompatible != null ? "released with --allow-incompatible: " + String.join(" | ", e.incompatible)
                            : e.verdict != null ? e.verdict : BackendFlow.detail(e)));
        }
        return entries;
    }

    public Health health() {
        List<String> failed = new ArrayList<>();
        List<String> findings = new ArrayList<>();
        int[] counts = new int[2];
        state.read(registry -> {
            for (Unit u : registry.units(null)) {
                counts[0]++;
                for (String f : u.findings) {
                    findings.add(u.key + ": " + f);
                }
                if (installer.live(u.key) != null) {
                    counts[1]++;
                } else {
                    failed.add(u.key + ": " + problems.getOrDefault(u.key, "not running"));
                }
            }
            return null;
        });
        List<Health.Leak> leaks = new ArrayList<>();
        for (LeakWatch.Retired r : leakWatch.leaks(clock.get(), settings.leakGrace())) {
            String afterPrefix = r.location().substring(TenantResolverHook.LOCATION_PREFIX.length());
            leaks.add(new Health.Leak(afterPrefix.substring(0, afterPrefix.indexOf('/')), r.name(), r.version(),
                    r.retiredAt().toString(), LEAK_HINT));
        }
        return new Health(failed.isEmpty() && leaks.isEmpty() ? Health.Status.OK : Health.Status.DEGRADED, counts[0],
                counts[1], failed, leaks, findings);
    }
}
