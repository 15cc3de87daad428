package dev.mosaic.deployer.internal.plan;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.MoveReason;
import dev.mosaic.deployer.internal.model.Event.MoveRecord;
import dev.mosaic.deployer.internal.model.Fit;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.Export;
import dev.mosaic.deployer.internal.model.Model.Import;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry.Unit;
import dev.mosaic.deployer.internal.model.Registry;

/**
 * Decides which module version each consumer is bound to, and who moves when a module
 * version comes, goes or is yanked. The framework is then made to wire exactly that (see
 * {@link TenantResolverHook}): the resolver's own preference for already-resolved
 * exporters never decides.
 *
 * <p>The rules:
 * <ul>
 * <li>A consumer's imports of the packages of one module are served by one version of that
 * module: the newest version, not yanked, whose exports satisfy all of them.</li>
 * <li>A consumer with manual uptake keeps its current version while that version is still
 * acceptable; {@code adopt} lifts that once.</li>
 * <li>When a module version gets a new generation (its own bindings changed), everything
 * bound to it is re-wired too, with unchanged bindings: chains move together.</li>
 * </ul>
 */
public final class Planner {

    /** A consumer would be left without an acceptable version of a module. */
    public static final class Unresolvable extends Exception {
        private static final long serialVersionUID = 1L;
        public final String consumer;
        public final String module;

        public Unresolvable(String consumer, String module, String message) {
            super(message);
            this.consumer = consumer;
            this.module = module;
        }
    }

    private Planner() {
    }

    /** @return package name to the name of the module exporting it in the environment */
    public static Map<String, String> owners(Registry registry, String env) {
        Map<String, String> owners = new TreeMap<>();
        for (Unit u : registry.modules(env)) {
            for (Export e : registry.artifact(u.key).exports()) {
                owners.putIfAbsent(e.pkg(), u.key.name());
            }
        }
        return owners;
    }

    /** @return the modules the artifact imports packages of, in the environment */
    public static Set<String> importedModules(Registry registry, String env, Artifact artifact) {
        return importedModules(owners(registry, env), artifact);
    }

    private static Set<String> importedModules(Map<String, String> owners, Artifact artifact) {
        Set<String> modules = new TreeSet<>();
        for (Import i : artifact.imports()) {
            String owner = owners.get(i.pkg());
            if (owner != null && !owner.equals(artifact.name())) {
                modules.add(owner);
            }
        }
        return modules;
    }

    /**
     * Chooses the module versions for a consumer's imports.
     *
     * @param current the consumer's bindings now (may be empty)
     * @param keepCurrent keep a current version that is still acceptable (manual uptake)
     * @param only decide only for these modules; null for all it imports
     * @return module name to version, for every module with an acceptable version
     * @throws Unresolvable if a required import has no acceptable version
     */
    public static Map<String, String> bind(Registry registry, String env, Artifact consumer, Map<String, String> current,
            boolean keepCurrent, Set<String> only) throws Unresolvable {
        return bind(registry, env, owners(registry, env), consumer, current, keepCurrent, only, Fit.ANY, null);
    }

    /**
     * The same, skipping versions the consumer does not {@link Fit}.
     *
     * @param misfits where a version skipped for that is noted (consumer name and version, then
     *        what it uses that the version lacks); may be null
     */
    public static Map<String, String> bind(Registry registry, String env, Artifact consumer, Map<String, String> current,
            boolean keepCurrent, Set<String> only, Fit fit, Map<String, String> misfits) throws Unresolvable {
        return bind(registry, env, owners(registry, env), consumer, current, keepCurrent, only, fit, misfits);
    }

    /** The same, with the environment's package owners worked out already ({@link #owners}). */
    private static Map<String, String> bind(Registry registry, String env, Map<String, String> owners, Artifact consumer,
            Map<String, String> current, boolean keepCurrent, Set<String> only, Fit fit, Map<String, String> misfits)
            throws Unresolvable {
        Map<String, List<Import>> byModule = new TreeMap<>();
        for (Import i : consumer.imports()) {
            String owner = owners.get(i.pkg());
            if (owner == null || owner.equals(consumer.name()) || (only != null && !only.contains(owner))) {
                continue; // a platform package, or nobody's: the framework decides
            }
            byModule.computeIfAbsent(owner, k -> new ArrayList<>()).add(i);
        }
        Map<String, String> chosen = new TreeMap<>();
        for (Map.Entry<String, List<Import>> entry : byModule.entrySet()) {
            String module = entry.getKey();
            List<Import> imports = entry.getValue();
            List<Unit> versions = new ArrayList<>(registry.named(env, module));
            versions.removeIf(u -> u.kind != Kind.MODULE);
            String keep = keepCurrent ? current.get(module) : null;
            String pick = null;
            if (keep != null) {
                for (Unit u : versions) {
                    if (u.key.version().equals(keep) && !u.yanked && accepts(imports, registry.artifact(u.key))) {
                        pick = keep;
                    }
                }
            }
            String misfit = null;
            if (pick == null) {
                for (int k = versions.size() - 1; k >= 0; k--) {
                    Unit u = versions.get(k);
                    Artifact candidate = registry.artifact(u.key);
                    if (u.yanked || !accepts(imports, candidate)) {
                        continue;
                    }
                    String why = u.key.version().equals(current.get(module)) ? null : fit.misfit(consumer, candidate);
                    if (why == null) {
                        pick = u.key.version();
                        break;
                    }
                    if (misfit == null) {
                        misfit = module + " " + u.key.version() + ": " + why; // the newest it would have had
                    }
                }
            }
            if (misfit != null && misfits != null) {
                misfits.put(consumer.name() + "@" + consumer.version(), misfit);
            }
            if (pick != null) {
                chosen.put(module, pick);
            } else if (imports.stream().anyMatch(i -> !i.optional())) {
                throw new Unresolvable(consumer.name(), module, consumer.name() + " " + consumer.version() + " imports "
                        + describe(imports) + " from module " + module + ", and no version of it in environment " + env
                        + " fits: " + (misfit != null ? "its code does not run on " + misfit
                                : whyNot(registry, imports, versions) + elsewhere(registry, env, module, imports)));
            }
        }
        return chosen;
    }

    /** @return the consumer's imports of packages the module exports, given the environment's {@link #owners} */
    public static List<Import> importsFrom(Map<String, String> owners, Artifact consumer, String module) {
        List<Import> imports = new ArrayList<>();
        for (Import i : consumer.imports()) {
            if (module.equals(owners.get(i.pkg()))) {
                imports.add(i);
            }
        }
        return imports;
    }

    /** @return whether those imports would accept that module version */
    public static boolean admits(List<Import> imports, Artifact module) {
        return accepts(imports, module);
    }

    /** @return whether every import admits exactly one version */
    public static boolean isPin(List<Import> imports) {
        return !imports.isEmpty() && imports.stream().allMatch(i -> i.range().isExact());
    }

    /** Every required import satisfied, and at least one import at all (optional ones alone may find nothing). */
    private static boolean accepts(List<Import> imports, Artifact module) {
        boolean any = false;
        for (Import i : imports) {
            Export e = module.exports().stream().filter(x -> x.pkg().equals(i.pkg())).findFirst().orElse(null);
            boolean satisfied = e != null && i.range().includes(e.version());
            if (!satisfied && !i.optional()) {
                return false;
            }
            any |= satisfied;
        }
        return any;
    }

    private static String describe(List<Import> imports) {
        List<String> parts = new ArrayList<>();
        for (Import i : imports) {
            parts.add(i + (i.optional() ? " (optional)" : ""));
        }
        return String.join(", ", parts);
    }

    private static final int MAX_VERSIONS_SHOWN = 8;

    /** @return each version of the module and why it does not fit: yanked, or which import it does not satisfy */
    private static String whyNot(Registry registry, List<Import> imports, List<Unit> versions) {
        if (versions.isEmpty()) {
            return "it has no version there";
        }
        List<String> parts = new ArrayList<>();
        for (int k = versions.size() - 1; k >= 0 && parts.size() < MAX_VERSIONS_SHOWN; k--) { // newest first
            Unit u = versions.get(k);
            Artifact m = registry.artifact(u.key);
            parts.add(u.key.version() + (accepts(imports, m) ? " is yanked" : " is out of range" + miss(imports, m)));
        }
        return String.join("; ", parts) + (versions.size() > MAX_VERSIONS_SHOWN ? "; and "
                + (versions.size() - MAX_VERSIONS_SHOWN) + " older" : "");
    }

    /** @return where else a version would fit (a release not made to this environment yet), or "" */
    private static String elsewhere(Registry registry, String env, String module, List<Import> imports) {
        List<String> found = new ArrayList<>();
        for (String other : registry.environments()) {
            if (other.equals(env)) {
                continue;
            }
            for (Unit u : registry.named(other, module)) {
                if (u.kind == Kind.MODULE && !u.yanked && accepts(imports, registry.artifact(u.key))) {
                    found.add(u.key.version() + " in " + other);
                }
            }
        }
        return found.isEmpty() ? "" : ". Versions that would fit are deployed elsewhere: " + String.join(", ", found)
                + " (promote one to " + env + ")";
    }

    /** @return what the first required import it does not satisfy finds in that version */
    private static String miss(List<Import> imports, Artifact module) {
        for (Import i : imports) {
            if (i.optional()) {
                continue;
            }
            Export e = module.exports().stream().filter(x -> x.pkg().equals(i.pkg())).findFirst().orElse(null);
            if (e == null) {
                return " (it has no package " + i.pkg() + ")";
            }
            if (!i.range().includes(e.version())) {
                return " (it exports " + i.pkg() + " " + e.version() + ")";
            }
        }
        return "";
    }

    /**
     * Works out who moves after a change to the modules {@code affected}, on a registry that
     * already holds the change (a copy). Applies the moves to that registry.
     *
     * @param adopt consumers moving to the newest acceptable versions regardless of uptake policy
     * @param exclude a unit that is the subject of the change itself and does not move (may be null)
     * @return the moves: bindings that change, then consumers re-wired transitively
     * @throws Unresolvable if a consumer would be left without an acceptable version
     */
    public static List<MoveRecord> rebind(Registry registry, String env, Set<String> affected, Set<UnitKey> adopt, MoveReason reason,
            UnitKey exclude) throws Unresolvable {
        return rebind(registry, env, affected, adopt, reason, exclude, Fit.ANY, null);
    }

    /**
     * The same, never moving a consumer to a version it does not {@link Fit}.
     *
     * @param misfits where each consumer kept off a version for that is noted (see {@link #bind}); may be null
     */
    public static List<MoveRecord> rebind(Registry registry, String env, Set<String> affected, Set<UnitKey> adopt, MoveReason reason,
            UnitKey exclude, Fit fit, Map<String, String> misfits) throws Unresolvable {
        List<MoveRecord> moves = new ArrayList<>();
        Set<UnitKey> moving = new HashSet<>();
        // once, not per consumer: with thousands of adapters this loop is most of a release
        Map<String, String> owners = owners(registry, env);
        for (Unit u : registry.units(env)) {
            if (u.key.equals(exclude)) {
                continue;
            }
            Artifact artifact = registry.artifact(u.key);
            boolean adopting = adopt.contains(u.key);
            Set<String> concerned = importedModules(owners, artifact);
            concerned.addAll(u.bindings.keySet());
            if (!adopting) {
                concerned.retainAll(affected);
            }
            if (concerned.isEmpty()) {
                continue;
            }
            Map<String, String> chosen = bind(registry, env, owners, artifact, u.bindings,
                    artifact.manualUptake() && !adopting, concerned, fit, misfits);
            Map<String, String> next = new TreeMap<>(u.bindings);
            for (String module : concerned) {
                String v = chosen.get(module);
                if (v == null) {
                    requireNotGone(registry, env, artifact, module, u.bindings.get(module));
                    next.remove(module);
                } else {
                    next.put(module, v);
                }
            }
            if (!next.equals(u.bindings)) {
                moves.add(new MoveRecord(u.key.name(), u.key.version(), Map.copyOf(u.bindings), Map.copyOf(next),
                        (adopting ? MoveReason.ADOPT : reason).toString()));
                moving.add(u.key);
            }
        }
        registry.applyMoves(env, moves);
        moves.addAll(transitive(registry, env, moving, exclude));
        return moves;
    }

    /**
     * A consumer bound to a module that has no version left in the environment (its last one
     * removed) is left without it only if it imports nothing of that module it requires: the
     * module's packages are no longer anybody's, so {@link #bind} cannot tell, but the version
     * it was bound to still says what they were.
     */
    private static void requireNotGone(Registry registry, String env, Artifact consumer, String module, String was)
            throws Unresolvable {
        Artifact old = was == null ? null : registry.artifact(module, was);
        if (old == null) {
            return;
        }
        List<Import> needed = new ArrayList<>();
        for (Import i : consumer.imports()) {
            if (!i.optional() && old.exports().stream().anyMatch(e -> e.pkg().equals(i.pkg()))) {
                needed.add(i);
            }
        }
        if (!needed.isEmpty() && registry.named(env, module).stream().noneMatch(u -> u.kind == Kind.MODULE)) {
            throw new Unresolvable(consumer.name(), module, consumer.name() + " " + consumer.version() + " imports "
                    + describe(needed) + " from module " + module + ", and no version of it would be left in environment "
                    + env);
        }
    }

    /**
     * @param regenerated units getting a new generation (installed anew)
     * @return consumers of regenerated module versions, and their consumers in turn, which
     *         must be re-wired to the new generations with unchanged bindings
     */
    public static List<MoveRecord> transitive(Registry registry, String env, Set<UnitKey> regenerated, UnitKey exclude) {
        List<MoveRecord> moves = new ArrayList<>();
        Set<UnitKey> done = new HashSet<>(regenerated);
        Deque<UnitKey> work = new ArrayDeque<>();
        for (UnitKey k : regenerated) {
            if (registry.unit(k) != null && registry.unit(k).kind == Kind.MODULE) {
                work.add(k);
            }
        }
        while (!work.isEmpty()) {
            UnitKey module = work.poll();
            for (Unit consumer : registry.consumersOf(env, module.name(), module.version())) {
                if (consumer.key.equals(exclude) || !done.add(consumer.key)) {
                    continue;
                }
                Map<String, String> same = Map.copyOf(consumer.bindings);
                moves.add(new MoveRecord(consumer.key.name(), consumer.key.version(), same, same, MoveReason.TRANSITIVE.toString()));
                if (consumer.kind == Kind.MODULE) {
                    work.add(consumer.key);
                }
            }
        }
        return moves;
    }
}
