package dev.mosaic.deployer.internal.flow;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.deployer.ChangeListener.Change;
import dev.mosaic.deployer.ChangeListener.Phase;
import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.internal.framework.Generations;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.store.ArtifactStore;
import dev.mosaic.gateway.Gateway;
import dev.mosaic.gateway.RouteInfo;
import dev.mosaic.gateway.RoutingException;

/**
 * Make-before-break, in one place. Every change hands its {@link Plan} to {@link #carryOut}:
 *
 * <ol>
 * <li><b>install next to</b> what serves: one new generation per unit in the plan;</li>
 * <li><b>wire</b> each exactly as planned (the resolver hook pins every import) and resolve them together;</li>
 * <li><b>start</b> them and wait for their components;</li>
 * <li><b>check</b> their routes with the gateway (prepared, not served) — listeners hear {@link Phase#PREPARED};</li>
 * <li><b>record</b> the change: the artifact committed to the store, the event fsync'd to the journal
 *     — {@link Phase#RECORDED};</li>
 * <li><b>switch</b> the routes atomically to the new generations — {@link Phase#SWITCHED};</li>
 * <li><b>drain</b> the generations they replace (their requests in flight finish);</li>
 * <li><b>retire</b> them: stopped, uninstalled, refreshed.</li>
 * </ol>
 *
 * Anything that fails up to the record discards what was installed and changes nothing: the
 * old generations never stopped serving. After the record, the change has happened, and a
 * restart would restore it.
 */
public final class ChangeProtocol {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeProtocol.class);

    private final RecordedState state;
    private final ArtifactStore store;
    private final Generations installer;
    private final Gateway gateway;
    private final Duration drain;
    private final Listeners listeners;
    private final Map<UnitKey, String> problems;
    private final Supplier<String> now;
    /** This instance's group in a fleet (null outside one): a rollout in waves serves its new version in some groups only. */
    private volatile String group;

    public ChangeProtocol(RecordedState state, ArtifactStore store, Generations installer, Gateway gateway, Duration drain,
            Listeners listeners, Map<UnitKey, String> problems, Supplier<String> now) {
        this.state = state;
        this.store = store;
        this.installer = installer;
        this.gateway = gateway;
        this.drain = drain;
        this.listeners = listeners;
        this.problems = problems;
        this.now = now;
    }

    /** Makes this instance one of a fleet's group: a rollout in waves shares the requests by it. */
    public void inGroup(String group) {
        this.group = group;
    }

    /**
     * Carries out a planned change.
     *
     * @return the sequence number of the recorded change
     * @throws DeployException if it failed before it was recorded; then nothing changed
     */
    public long carryOut(Plan plan) throws DeployException {
        return carryOut(plan, true);
    }

    /**
     * Carries out a change another instance of the fleet committed: the same steps, but the
     * record is only the registry taking the change in (with the last plan, when a change that
     * touches several environments is one plan each: {@code committed} is null for the others).
     */
    public void carryOutCommitted(Plan plan, Event committed) throws DeployException {
        carryOut(plan, false);
        if (committed != null) {
            state.applyCommitted(committed);
        }
    }

    private long carryOut(Plan plan, boolean record) throws DeployException {
        Event event = plan.event();
        Change change = new Change(Operation.parse(event.op), event.env, event.name, event.version);
        Map<UnitKey, Bundle> leaving = new LinkedHashMap<>();
        for (UnitKey k : plan.retire()) {
            Bundle b = installer.live(k);
            if (b != null) {
                leaving.put(k, b);
            }
        }
        List<Bundle> leavingAdapters = state.read(registry -> adapters(leaving, registry, null));
        List<Bundle> leavingServed = state.read(registry -> adapters(leaving, registry, false));

        // install next to, wire, start
        Map<UnitKey, Path> sources = plan.upload() == null ? Map.of() : Map.of(plan.subject(), plan.upload());
        Map<UnitKey, Bundle> installed = installer.install(plan.env(), plan.install(), sources, store, plan.target());
        installer.start(installed);
        // check: the versions that serve through the table, and those that share an adapter's requests (canaries)
        List<Bundle> joiningAdapters = adapters(installed, plan.target(), false);
        check(plan.env(), installed, joiningAdapters, leavingServed, adapters(installed, plan.target(), true));
        listeners.tell(Phase.PREPARED, change);

        // record (a change committed by another instance of the fleet is in the store already)
        if (record) {
            try {
                Artifact artifact = event.artifact;
                if (plan.upload() != null) {
                    store.commit(plan.upload(), artifact.name(), artifact.version());
                }
                event.time = now.get();
                state.record(event);
            } catch (IOException | DeployException e) {
                installer.discard(installed.values());
                throw e instanceof DeployException d ? d : new DeployException(DeployException.INTERNAL,
                        "could not store the artifact (" + e.getMessage() + "); nothing changed", e);
            }
        }
        listeners.tell(Phase.RECORDED, change);

        // switch
        try {
            gateway.switchRoutes(plan.env(), joiningAdapters, leavingServed);
        } catch (RoutingException e) {
            LOG.error("switching routes after recording change {} failed: {}", event.seq, e.getMessage(), e);
        }
        Set<String> names = new java.util.TreeSet<>();
        plan.install().keySet().forEach(k -> names.add(k.name()));
        plan.retire().forEach(k -> names.add(k.name()));
        names.add(event.name);
        split(plan.env(), plan.target(), installed, names);
        Set<UnitKey> removed = new HashSet<>(plan.retire());
        removed.removeAll(installed.keySet());
        installer.makeLive(installed, removed);
        installed.keySet().forEach(problems::remove);
        removed.forEach(problems::remove);
        listeners.tell(Phase.SWITCHED, change);

        // drain, retire
        retire(leavingAdapters, leaving.values());
        return event.seq;
    }

    /**
     * Brings recorded units up without recording anything: installed, wired, started, their
     * routes checked and switched to. For the restore at start-up.
     *
     * @throws DeployException if one cannot be; nothing of them stays installed then
     */
    public void bringUp(String env, Map<UnitKey, Map<String, String>> units, Registry registry) throws DeployException {
        Map<UnitKey, Bundle> installed = installer.install(env, units, Map.of(), store, registry);
        installer.start(installed);
        List<Bundle> adapters = adapters(installed, registry, false);
        check(env, installed, adapters, List.of(), adapters(installed, registry, true));
        try {
            gateway.switchRoutes(env, adapters, List.of());
        } catch (RoutingException e) {
            installer.discard(installed.values());
            throw new DeployException(routingCode(e), e.getMessage(), e);
        }
        Set<String> names = new java.util.TreeSet<>();
        units.keySet().forEach(k -> names.add(k.name()));
        split(env, registry, installed, names);
        installer.makeLive(installed, List.of());
    }

    /**
     * Shares the requests of the named adapters among their versions as the registry says (a version's weight), or
     * stops sharing them: after the table's switch, so that every version named is serving or ready to.
     */
    private void split(String env, Registry registry, Map<UnitKey, Bundle> installed, Set<String> names) {
        for (String name : names) {
            List<Registry.Unit> versions = registry.versions(env, name);
            boolean shared = versions.stream().anyMatch(u -> u.weight != null);
            Map<Bundle, Integer> shares = new LinkedHashMap<>();
            String sticky = null;
            if (shared) {
                for (Registry.Unit u : versions) {
                    Bundle b = installed.containsKey(u.key) ? installed.get(u.key) : installer.live(u.key);
                    if (b != null) {
                        shares.put(b, share(u, versions, group));
                    }
                    sticky = u.canary ? sticky : u.sticky;
                }
            }
            try {
                gateway.split(env, name, shares, sticky);
            } catch (RoutingException e) {
                LOG.error("sharing the requests of {} in {} among {} failed: {}", name, env, shares.values(), e.getMessage());
            }
        }
    }

    /**
     * @return a version's share of the requests on an instance of the group: in a group a rollout in waves has reached,
     *         its new version takes every request; elsewhere (and outside a fleet) each version has its recorded share
     */
    static int share(Registry.Unit u, List<Registry.Unit> versions, String group) {
        for (Registry.Unit v : versions) {
            if (v.groups != null && group != null && v.groups.contains(group)) {
                return v == u ? 100 : 0;
            }
        }
        return u.weight == null ? 0 : u.weight;
    }

    /** The new adapters' routes are valid and free, and each adapter has at least one; else all is discarded. */
    private void check(String env, Map<UnitKey, Bundle> installed, List<Bundle> joining, List<Bundle> leaving,
            List<Bundle> sharing) throws DeployException {
        try {
            if (!sharing.isEmpty()) {
                gateway.prepareSplit(env, sharing); // versions that serve a share of an adapter's requests: routes of their own
            }
            List<RouteInfo> routes = gateway.prepare(env, joining, leaving);
            for (Bundle b : joining) {
                if (routes.stream().noneMatch(r -> r.bundleId() == b.getBundleId())) {
                    throw new DeployException(DeployException.INVALID_BUNDLE, b.getSymbolicName() + " " + b.getVersion()
                            + " is an adapter but provides no route handler: write a @Component implementing"
                            + " dev.mosaic.api.RouteHandler with @Route(method = ..., path = ...)");
                }
            }
        } catch (RoutingException e) {
            String why = e.getMessage();
            if (RoutingException.HANDLER_UNAVAILABLE.equals(e.code())) {
                for (Bundle b : joining) {
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
    }

    /** Waits for the leaving adapters' requests in flight (at most the drain time), then retires every leaving bundle. */
    private void retire(List<Bundle> adapters, Collection<Bundle> all) {
        try {
            if (!gateway.awaitIdle(adapters, drain)) {
                LOG.warn("requests still running in {} after {} ms; retiring them anyway",
                        adapters.stream().map(b -> b.getSymbolicName() + " " + b.getVersion()).toList(), drain.toMillis());
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

    /**
     * @param canary true: only the versions that share an adapter's requests next to the serving one; false: only the
     *        serving ones (whose routes are the table's); null: both
     */
    private static List<Bundle> adapters(Map<UnitKey, Bundle> bundles, Registry registry, Boolean canary) {
        List<Bundle> adapters = new ArrayList<>();
        bundles.forEach((k, b) -> {
            Artifact a = registry.artifact(k);
            Registry.Unit u = registry.unit(k);
            if (a != null && a.kind() == Kind.ADAPTER && (canary == null || (u != null && u.canary == canary))) {
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
}
