package dev.mosaic.deployer.internal.framework;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.Import;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.store.ArtifactStore;
import dev.mosaic.deployer.internal.plan.Planner;
import dev.mosaic.deployer.internal.model.Registry;

/**
 * The framework side of a change: installs new generations of units next to the live ones,
 * resolves them together with the planned wiring, starts them and checks their components,
 * and later retires what they replace. Knows nothing of the journal or the gateway's routes.
 *
 * <p>A generation is one installed bundle for a unit. A unit gets a new generation when it
 * is deployed, and when its bindings (or those of a module it uses) change: the old
 * generation keeps serving until the new one is ready, which is what makes every change
 * make-before-break.
 */
public final class Installer implements Generations {

    private static final Logger LOG = LoggerFactory.getLogger(Installer.class);
    private static final Pattern MISSING_PACKAGE = Pattern.compile("osgi\\.wiring\\.package=([^)]+)\\)");

    private final BundleContext context;
    private final FrameworkWiring wiring;
    private final TenantResolverHook hook;
    private final ServiceComponentRuntime scr;
    private final Duration activationTimeout;
    private final LeakWatch leaks;
    private final java.util.function.Supplier<java.time.Instant> clock;
    private final AtomicLong generations = new AtomicLong();
    /** The generation serving for each unit. */
    private final Map<UnitKey, Bundle> live = new ConcurrentHashMap<>();
    /** Bundle ids of {@link #live}, to check refreshes cheaply. */
    private final Set<Long> liveIds = ConcurrentHashMap.newKeySet();

    public Installer(BundleContext context, TenantResolverHook hook, ServiceComponentRuntime scr, Duration activationTimeout,
            LeakWatch leaks, java.util.function.Supplier<java.time.Instant> clock) {
        this.context = context;
        this.leaks = leaks;
        this.clock = clock;
        this.wiring = context.getBundle(0).adapt(FrameworkWiring.class);
        this.hook = hook;
        this.scr = scr;
        this.activationTimeout = activationTimeout;
    }

    @Override
    public Bundle live(UnitKey key) {
        return live.get(key);
    }

    public Map<UnitKey, Bundle> liveUnits() {
        return Map.copyOf(live);
    }

    /** Makes the bundles the serving generations of their units. */
    @Override
    public void makeLive(Map<UnitKey, Bundle> installed, Collection<UnitKey> removed) {
        for (UnitKey k : removed) {
            Bundle b = live.remove(k);
            if (b != null) {
                liveIds.remove(b.getBundleId());
            }
        }
        for (Map.Entry<UnitKey, Bundle> e : installed.entrySet()) {
            Bundle old = live.put(e.getKey(), e.getValue());
            if (old != null) {
                liveIds.remove(old.getBundleId());
            }
            liveIds.add(e.getValue().getBundleId());
        }
    }

    /**
     * Installs one new generation per unit, each wired as {@code bindings} say: to the new
     * generation of a provider installed in the same call, else to the live one.
     *
     * @param units unit to its bindings, providers before consumers or in any order
     * @param sources where a unit's jar is, if not in the store yet
     * @param registry the state the change leads to (for imports, exports and owners)
     * @return the installed, resolved bundles, modules first
     * @throws DeployException if a bundle cannot be installed or resolved; nothing stays installed then
     */
    @Override
    public Map<UnitKey, Bundle> install(String env, Map<UnitKey, Map<String, String>> units, Map<UnitKey, Path> sources,
            ArtifactStore store, Registry registry) throws DeployException {
        Map<UnitKey, Bundle> installed = new LinkedHashMap<>();
        try {
            for (UnitKey key : units.keySet()) {
                Path source = sources.getOrDefault(key, store.path(key.name(), key.version()));
                String location = TenantResolverHook.LOCATION_PREFIX + key.env() + "/" + key.name() + "/" + key.version()
                        + "#" + generations.incrementAndGet();
                try (InputStream in = Files.newInputStream(source)) {
                    installed.put(key, context.installBundle(location, in));
                } catch (IOException e) {
                    throw new DeployException(DeployException.INTERNAL, "cannot read the stored artifact of " + key
                            + " (" + source + "): " + e.getMessage(), e);
                } catch (BundleException e) {
                    throw new DeployException(DeployException.INVALID_BUNDLE, "the framework refused to install "
                            + key.name() + " " + key.version() + ": " + e.getMessage(), e);
                }
            }
            Map<String, String> owners = Planner.owners(registry, env);
            for (Map.Entry<UnitKey, Bundle> e : installed.entrySet()) {
                Map<String, String> providers = new LinkedHashMap<>();
                Artifact artifact = registry.artifact(e.getKey());
                Map<String, String> bindings = units.get(e.getKey());
                for (Import i : artifact.imports()) {
                    String module = owners.get(i.pkg());
                    String version = module == null ? null : bindings.get(module);
                    if (version == null) {
                        continue;
                    }
                    UnitKey provider = new UnitKey(env, module, version);
                    Bundle b = installed.containsKey(provider) ? installed.get(provider) : live.get(provider);
                    if (b != null) {
                        providers.put(i.pkg(), b.getLocation());
                    }
                }
                Registry.Unit unit = registry.unit(e.getKey());
                hook.plan(e.getValue().getLocation(), providers, unit == null ? Set.of() : unit.unwired);
            }
            wiring.resolveBundles(installed.values());
            for (Map.Entry<UnitKey, Bundle> e : installed.entrySet()) {
                if ((e.getValue().getState() & (Bundle.INSTALLED | Bundle.UNINSTALLED)) != 0) {
                    throw new DeployException(DeployException.UNRESOLVABLE,
                            explainUnresolved(e.getKey(), e.getValue(), owners));
                }
            }
            return sortModulesFirst(installed, registry);
        } catch (DeployException | RuntimeException e) {
            discard(installed.values());
            throw e;
        }
    }

    private static Map<UnitKey, Bundle> sortModulesFirst(Map<UnitKey, Bundle> installed, Registry registry) {
        Map<UnitKey, Bundle> sorted = new LinkedHashMap<>();
        installed.forEach((k, b) -> {
            if (registry.artifact(k).kind() == Kind.MODULE) {
                sorted.put(k, b);
            }
        });
        installed.forEach((k, b) -> sorted.putIfAbsent(k, b));
        return sorted;
    }

    /**
     * Starts the installed bundles, modules first, and waits until every component of each
     * is satisfied.
     *
     * @throws DeployException if one fails to start or a component cannot be satisfied;
     *         nothing stays installed then
     */
    @Override
    public void start(Map<UnitKey, Bundle> installed) throws DeployException {
        try {
            for (Map.Entry<UnitKey, Bundle> e : installed.entrySet()) {
                try {
                    e.getValue().start();
                } catch (BundleException | IllegalStateException x) {
                    throw new DeployException(DeployException.START_FAILED, e.getKey().name() + " " + e.getKey().version()
                            + " failed to start: " + rootMessage(x), x);
                }
            }
            for (Map.Entry<UnitKey, Bundle> e : installed.entrySet()) {
                awaitComponents(e.getKey(), e.getValue());
            }
        } catch (DeployException | RuntimeException e) {
            discard(installed.values());
            throw e;
        }
    }

    private void awaitComponents(UnitKey key, Bundle bundle) throws DeployException {
        long deadline = System.nanoTime() + activationTimeout.toNanos();
        List<String> names = componentNames(bundle);
        while (true) {
            String waiting = null;
            for (ComponentDescriptionDTO d : descriptions(bundle, names)) {
                if (!scr.isComponentEnabled(d)) {
                    continue;
                }
                Collection<ComponentConfigurationDTO> configurations = scr.getComponentConfigurationDTOs(d);
                if (configurations.isEmpty()) {
                    waiting = "component " + d.name + " has no configuration (configuration-policy is "
                            + d.configurationPolicy + ")";
                }
                for (ComponentConfigurationDTO c : configurations) {
                    if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        throw new DeployException(DeployException.START_FAILED, "component " + d.name + " of "
                                + key.name() + " " + key.version() + " failed to activate: " + firstLine(c.failure));
                    }
                    if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE) {
                        List<String> refs = new ArrayList<>();
                        for (UnsatisfiedReferenceDTO r : c.unsatisfiedReferences) {
                            refs.add(r.name + (r.target == null ? "" : " " + r.target));
                        }
                        waiting = "component " + d.name + " waits for services nobody provides: " + String.join(", ", refs);
                    } else if (c.state == ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION) {
                        waiting = "component " + d.name + " waits for a configuration";
                    }
                }
            }
            if (waiting == null) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new DeployException(DeployException.START_FAILED, key.name() + " " + key.version()
                        + " did not become ready within " + activationTimeout.toMillis() + " ms: " + waiting);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeployException(DeployException.INTERNAL, "interrupted while starting " + key);
            }
        }
    }

    private static final Pattern COMPONENT_TAG = Pattern.compile("<(?:[A-Za-z0-9_.-]+:)?component\\b([^>]*)>");
    private static final Pattern NAME_ATTRIBUTE = Pattern.compile("\\sname\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)')");

    /**
     * The names of the bundle's components, from the descriptions its Service-Component
     * header lists, so that SCR can be asked about each by name: asking SCR about a bundle
     * walks the components of every bundle, which among ten thousand adapters is most of
     * a deploy's time.
     *
     * @return the names, or null if they cannot be told (then SCR is asked about the bundle)
     */
    public static List<String> componentNames(Bundle bundle) {
        String header = bundle.getHeaders("").get("Service-Component");
        if (header == null || header.isBlank()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String path : header.split(",")) {
            path = path.trim();
            java.net.URL entry = path.isEmpty() || path.contains("*") ? null : bundle.getEntry(path);
            if (entry == null) {
                return null;
            }
            try (InputStream in = entry.openStream()) {
                List<String> inFile = componentNames(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                if (inFile == null) {
                    return null;
                }
                names.addAll(inFile);
            } catch (IOException e) {
                return null;
            }
        }
        return names;
    }

    /** @return the names of the components a description declares, or null if one has none (it is named after its class) */
    public static List<String> componentNames(String xml) {
        List<String> names = new ArrayList<>();
        Matcher tag = COMPONENT_TAG.matcher(xml);
        while (tag.find()) {
            Matcher name = NAME_ATTRIBUTE.matcher(tag.group(1));
            if (!name.find()) {
                return null;
            }
            names.add(name.group(1) != null ? name.group(1) : name.group(2));
        }
        return names;
    }

    private List<ComponentDescriptionDTO> descriptions(Bundle bundle, List<String> names) {
        if (names != null) {
            List<ComponentDescriptionDTO> found = new ArrayList<>(names.size());
            for (String name : names) {
                ComponentDescriptionDTO d = scr.getComponentDescriptionDTO(bundle, name);
                if (d == null) {
                    break;
                }
                found.add(d);
            }
            if (found.size() == names.size()) {
                return found;
            }
        }
        return new ArrayList<>(scr.getComponentDescriptionDTOs(bundle));
    }

    /** @return why a component of the bundle is not active, from SCR, or null if none says */
    @Override
    public String componentFailure(Bundle bundle) {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(bundle)) {
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                    return "component " + d.name + " failed to activate: " + firstLine(c.failure);
                }
            }
        }
        return null;
    }

    /** Stops and uninstalls bundles of a change that did not happen. */
    @Override
    public void discard(Collection<Bundle> bundles) {
        retire(bundles);
    }

    /**
     * Stops, uninstalls and refreshes generations that no longer serve. The refresh is
     * skipped, and logged, if it would reach a live bundle: leaking a class loader is better
     * than restarting something that serves.
     */
    @Override
    public void retire(Collection<Bundle> bundles) {
        if (bundles.isEmpty()) {
            return;
        }
        for (Bundle b : bundles) {
            if (b.getState() != Bundle.UNINSTALLED) {
                leaks.watch(b, clock.get());
            }
            try {
                if (b.getState() != Bundle.UNINSTALLED) {
                    b.stop();
                }
            } catch (BundleException | IllegalStateException e) {
                LOG.warn("stopping {} {} failed: {}", b.getSymbolicName(), b.getVersion(), e.getMessage());
            }
        }
        List<Bundle> uninstalled = new ArrayList<>();
        for (Bundle b : bundles) {
            hook.forget(b.getLocation());
            try {
                if (b.getState() != Bundle.UNINSTALLED) {
                    b.uninstall();
                }
                uninstalled.add(b);
            } catch (BundleException | IllegalStateException e) {
                LOG.warn("uninstalling {} {} failed: {}", b.getSymbolicName(), b.getVersion(), e.getMessage());
            }
        }
        refresh(uninstalled);
    }

    private void refresh(Collection<Bundle> bundles) {
        Set<Bundle> closure = new HashSet<>(wiring.getDependencyClosure(bundles));
        for (Bundle b : closure) {
            if (liveIds.contains(b.getBundleId())) {
                LOG.error("not refreshing {} retired bundle(s): live bundle {} {} still depends on them; their class"
                        + " loaders stay until the next restart", bundles.size(), b.getSymbolicName(), b.getVersion());
                return;
            }
        }
        CountDownLatch done = new CountDownLatch(1);
        wiring.refreshBundles(bundles, event -> done.countDown());
        try {
            if (!done.await(30, TimeUnit.SECONDS)) {
                LOG.warn("refreshing {} retired bundle(s) took more than 30 s", bundles.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String explainUnresolved(UnitKey key, Bundle bundle, Map<String, String> owners) {
        String felix;
        try {
            bundle.start(Bundle.START_TRANSIENT);
            bundle.stop(Bundle.STOP_TRANSIENT);
            felix = "the framework could not resolve it together with the rest of the change";
        } catch (BundleException | IllegalStateException e) {
            felix = e.getMessage();
        }
        Matcher m = MISSING_PACKAGE.matcher(felix == null ? "" : felix);
        if (m.find()) {
            String pkg = m.group(1);
            String range = rangeIn(felix.substring(m.start()));
            if (owners.get(pkg) == null) {
                return key.name() + " " + key.version() + " cannot be resolved: it imports package " + pkg + " " + range
                        + ", which no module in environment " + key.env()
                        + " and no platform bundle exports. Deploy a module exporting it first, or remove the import";
            }
            return key.name() + " " + key.version() + " cannot be resolved: its import of " + pkg + " " + range
                    + " (from module " + owners.get(pkg) + ") does not fit the rest of its wiring. Framework says: " + felix;
        }
        return key.name() + " " + key.version() + " cannot be resolved: " + felix;
    }

    /** Turns the version part of a requirement filter back into a range, for messages. */
    public static String rangeIn(String filter) {
        String low = group(filter, "\\(version>=([^)]+)\\)");
        String lowExclusive = group(filter, "\\(!\\(version<=([^)]+)\\)\\)");
        String high = group(filter, "\\(!\\(version>=([^)]+)\\)\\)");
        String highInclusive = group(filter, "\\(version<=([^)]+)\\)");
        if (low == null && lowExclusive == null && high == null && highInclusive == null) {
            return "(any version)";
        }
        StringBuilder b = new StringBuilder();
        b.append(lowExclusive != null ? "(" + lowExclusive : "[" + (low == null ? "0.0.0" : low));
        if (high != null) {
            b.append(',').append(high).append(')');
        } else if (highInclusive != null) {
            b.append(',').append(highInclusive).append(']');
        } else {
            return ">= " + (low == null ? lowExclusive : low);
        }
        return b.toString();
    }

    private static String group(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        return m.find() ? m.group(1) : null;
    }

    public static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String own = t.getMessage();
        return c == t ? String.valueOf(own) : own + " (caused by " + c + ")";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no reason given)";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
