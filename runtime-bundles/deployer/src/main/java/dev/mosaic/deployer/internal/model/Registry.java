package dev.mosaic.deployer.internal.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.pcollections.HashPMap;
import org.pcollections.HashTreePMap;
import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

import dev.mosaic.backends.BackendSpec;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.internal.model.Event.MoveRecord;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.internal.model.Model.UnitKey;

/**
 * What is deployed where, and bound to what: the state the journal's events add up to.
 * Changes happen only through {@link #apply(Event)}; a {@link #copy()} lets the deployer
 * work out a change on a hypothetical state before committing it.
 *
 * <p>A copy costs nothing that grows with what is deployed: the maps are persistent
 * (pcollections: a change makes a new version of a map in O(log n) and leaves the old one
 * as it was), so a copy starts out sharing every map with the registry it was copied from.
 * The units themselves are shared too until one side changes a unit, which it then copies
 * first ({@link #writable}). With ten thousand adapters deployed, working out one more
 * deploy copies neither ten thousand map entries nor ten thousand units.
 *
 * <p>Not thread-safe: the deployer serialises changes and hands out copies to readers.
 */
public final class Registry {

    /** One deployment. Change its fields only through the registry's {@link Registry#writable} copy of it. */
    public static final class Unit {
        public final UnitKey key;
        public final Kind kind;
        public final String sha256;
        public final String deployedAt;
        public final String deployedBy;
        public boolean yanked;
        /** When it is undeployed automatically (ISO-8601), or null. */
        public String expiresAt;
        /** For module versions: since when no consumer is bound to it (ISO-8601), or null while in use. */
        public String unusedSince;
        /** Module name to module version; replaced, never changed in place. */
        public Map<String, String> bindings;
        /** What the deploy policy reported of it without refusing it (reflection in a library, say). */
        public List<String> findings = List.of();
        /** Packages it imports optionally and may not have: the framework leaves them unwired. */
        public Set<String> unwired = Set.of();
        /** For adapters: a version next to the serving one, with a share of its requests (its routes are not the table's). */
        public boolean canary;
        /** For adapters whose requests are shared among versions: this version's share, out of 100; null when not shared. */
        public Integer weight;
        /** For the serving version of a shared adapter: what keeps a client on one version, or null (random). */
        public String sticky;
        /** For a judged canary: its judgement; null otherwise. */
        public Model.Rollout rollout;
        /** For the new version of a rollout in waves: the fleet's groups where it takes every request; null otherwise. */
        public Set<String> groups;
        /** For a consumer moved by a release in waves under way: its bindings in the groups the release has not reached. */
        public Model.Staged staged;

        public Unit(UnitKey key, Kind kind, String sha256, String deployedAt, String deployedBy, Map<String, String> bindings) {
            this.key = key;
            this.kind = kind;
            this.sha256 = sha256;
            this.deployedAt = deployedAt;
            this.deployedBy = deployedBy;
            this.bindings = Collections.unmodifiableMap(new TreeMap<>(bindings == null ? Map.of() : bindings));
        }

        public Unit copy() {
            Unit u = new Unit(key, kind, sha256, deployedAt, deployedBy, Map.of());
            u.bindings = bindings;
            u.yanked = yanked;
            u.expiresAt = expiresAt;
            u.unusedSince = unusedSince;
            u.findings = findings;
            u.unwired = unwired;
            u.canary = canary;
            u.weight = weight;
            u.sticky = sticky;
            u.rollout = rollout;
            u.groups = groups;
            u.staged = staged;
            return u;
        }
    }

    private TreePMap<String, Artifact> artifacts;
    private TreePMap<UnitKey, Unit> units;
    /** The units this registry may change in place: those it made or copied since it was last copied. */
    private Set<Unit> owned = newOwnedSet();
    /** How many units are bound to each module version (absent: none). */
    private HashPMap<UnitKey, Integer> bound;
    /** The keys of the module units, a few among many adapters. */
    private TreePSet<UnitKey> modules;
    /** Adapter versions that served before the current one, per env/name, most recent last; immutable lists. */
    private HashPMap<String, List<String>> previous;
    /** The backends declared, by {@code env/name}. */
    private TreePMap<String, BackendSpec> backends;
    private final List<Event> events;
    private long sequence;

    public Registry() {
        this(TreePMap.empty(), TreePMap.empty(), HashTreePMap.empty(), TreePSet.empty(), HashTreePMap.empty(),
                TreePMap.empty(), new ArrayList<>(), 0);
    }

    private Registry(TreePMap<String, Artifact> artifacts, TreePMap<UnitKey, Unit> units, HashPMap<UnitKey, Integer> bound,
            TreePSet<UnitKey> modules, HashPMap<String, List<String>> previous, TreePMap<String, BackendSpec> backends,
            List<Event> events, long sequence) {
        this.backends = backends;
        this.artifacts = artifacts;
        this.units = units;
        this.bound = bound;
        this.modules = modules;
        this.previous = previous;
        this.events = events;
        this.sequence = sequence;
    }

    private static Set<Unit> newOwnedSet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }

    /**
     * @return a copy whose units can be changed without touching this registry (history is not
     *         copied), in constant time: the persistent maps are shared, not copied
     */
    public Registry copy() {
        owned = newOwnedSet(); // shared from now on: both sides copy a unit before changing it
        return new Registry(artifacts, units, bound, modules, previous, backends, new ArrayList<>(), sequence);
    }

    /** @return the unit, this registry's own to change, or null if there is none */
    public Unit writable(UnitKey key) {
        Unit u = units.get(key);
        if (u == null || owned.contains(u)) {
            return u;
        }
        Unit copy = u.copy();
        units = units.plus(key, copy);
        owned.add(copy);
        return copy;
    }

    public static String artifactKey(String name, String version) {
        return name + "@" + version;
    }

    private static String slot(String env, String name) {
        return env + "/" + name;
    }

    public void apply(Event e) {
        Operation op;
        try {
            op = Operation.parse(e.op);
        } catch (IllegalArgumentException unknown) {
            throw new IllegalStateException("journal entry " + e.seq + " has unknown operation '" + e.op + "'");
        }
        switch (op) {
            case DEPLOY, ROLLBACK -> putAdapter(e, op == Operation.DEPLOY);
            case RELEASE -> {
                putModule(e);
                Unit released = existing(e);
                released.groups = e.groups == null ? null : Set.copyOf(e.groups);
                released.rollout = e.rollout;
            }
            case PROMOTE -> {
                if (e.artifact.kind() == Kind.ADAPTER) {
                    putAdapter(e, true);
                } else {
                    putModule(e);
                }
            }
            case UNDEPLOY, EXPIRE, SUNSET -> {
                Unit removed = remove(new UnitKey(e.env, e.name, e.version));
                if (removed != null && removed.kind == Kind.ADAPTER) {
                    previous = previous.minus(slot(e.env, e.name));
                }
            }
            case YANK -> existing(e).yanked = true;
            case UNYANK -> existing(e).yanked = false;
            case TTL -> existing(e).expiresAt = e.expiresAt;
            case ADOPT -> {
                // only moves
            }
            case BACKEND_SET -> backends = backends.plus(slot(e.env, e.name), e.backend);
            case BACKEND_REMOVE -> backends = backends.minus(slot(e.env, e.name));
            case CANARY -> {
                putArtifact(e.artifact);
                Unit unit = new Unit(new UnitKey(e.env, e.name, e.version), Kind.ADAPTER, e.artifact.sha256(), e.time, e.actor,
                        e.bindings);
                unit.expiresAt = e.expiresAt;
                unit.canary = true;
                unit.rollout = e.rollout;
                unit.groups = e.groups == null ? null : Set.copyOf(e.groups);
                admitted(unit, e);
                put(unit);
                share(e);
            }
            case SPLIT -> share(e);
            case ROLLOUT_PAUSE, ROLLOUT_RESUME, ROLLOUT_HALT, ROLLOUT_PASS -> existing(e).rollout = e.rollout;
            case ROLLOUT_WAVE -> {
                Unit u = existing(e);
                u.rollout = e.rollout;
                u.groups = e.groups == null ? null : Set.copyOf(e.groups);
            }
            case CANARY_PROMOTE -> {
                if (isModule(e)) {
                    unstage(e.env, e.name, e.version);
                    Unit released = existing(e);
                    released.groups = null;
                    released.rollout = null;
                    break;
                }
                Unit serving = adapter(e.env, e.name);
                for (Unit u : versions(e.env, e.name)) {
                    if (!u.key.version().equals(e.version)) {
                        remove(u.key);
                    }
                }
                if (serving != null && !serving.key.version().equals(e.version)) {
                    String slot = slot(e.env, e.name);
                    List<String> stack = new ArrayList<>(previous.getOrDefault(slot, List.of()));
                    stack.add(serving.key.version());
                    previous = previous.plus(slot, List.copyOf(stack));
                }
                Unit promoted = existing(e);
                promoted.canary = false;
                promoted.weight = null;
                promoted.sticky = null;
                promoted.rollout = null;
                promoted.groups = null;
            }
            case CANARY_ABORT -> {
                if (isModule(e)) {
                    unstage(e.env, e.name, e.version); // the consumers' bindings before: the event's moves, below
                    remove(new UnitKey(e.env, e.name, e.version));
                    break;
                }
                for (Unit u : versions(e.env, e.name)) {
                    if (u.canary) {
                        remove(u.key);
                    } else {
                        Unit w = writable(u.key);
                        w.weight = null;
                        w.sticky = null;
                    }
                }
            }
        }
        applyMoves(e.env, e.moves);
        if (op == Operation.RELEASE && e.groups != null) {
            stage(e.env, e.name, e.version, e.moves);
        }
        markUnused(e.env, e.time);
        sequence = Math.max(sequence, e.seq);
        events.add(e);
    }

    /** @return whether the event names a module version of this registry */
    private boolean isModule(Event e) {
        Unit u = units.get(new UnitKey(e.env, e.name, e.version));
        return u != null && u.kind == Kind.MODULE;
    }

    /** The consumers a release in waves moved keep, for the groups it has not reached, the bindings they had. */
    public void stage(String env, String module, String version, List<MoveRecord> moves) {
        if (moves == null) {
            return;
        }
        for (MoveRecord m : moves) {
            Unit u = writable(new UnitKey(env, m.name(), m.version()));
            if (u != null && !m.from().equals(m.to())) {
                u.staged = new Model.Staged(module, version, Map.copyOf(m.from()));
            }
        }
    }

    /** The release in waves is over (promoted or aborted): its consumers are staged no more. */
    private void unstage(String env, String module, String version) {
        for (Unit u : staged(env, module, version)) {
            writable(u.key).staged = null;
        }
    }

    /** @return the units of the environment a release in waves of that module version moved, and keeps staged */
    public List<Unit> staged(String env, String module, String version) {
        List<Unit> found = new ArrayList<>();
        for (Unit u : units(env)) {
            if (u.staged != null && u.staged.module().equals(module) && u.staged.version().equals(version)) {
                found.add(u);
            }
        }
        return found;
    }

    /**
     * @return the unit's bindings on an instance of the group: those it had before a release in waves that has not
     *         reached the group yet, else its own (outside a fleet, {@code group} null: its own)
     */
    public Map<String, String> bindingsIn(Unit u, String group) {
        if (u.staged == null || group == null) {
            return u.bindings;
        }
        Unit released = units.get(new UnitKey(u.key.env(), u.staged.module(), u.staged.version()));
        return released != null && released.groups != null && !released.groups.contains(group) ? u.staged.from() : u.bindings;
    }

    private Unit existing(Event e) {
        Unit u = writable(new UnitKey(e.env, e.name, e.version));
        if (u == null) {
            throw new IllegalStateException("journal entry " + e.seq + " (" + e.op + ") names " + e.name + " " + e.version
                    + " in " + e.env + ", which is not deployed there");
        }
        return u;
    }

    /** The shares the event gives the adapter's versions; the serving version keeps the sticky key. */
    private void share(Event e) {
        for (Unit u : versions(e.env, e.name)) {
            Unit w = writable(u.key);
            Integer weight = e.weights == null ? null : e.weights.get(u.key.version());
            w.weight = weight == null ? 0 : weight;
            w.sticky = u.canary ? null : e.sticky;
        }
    }

    /** @return the adapter's units in the environment: the serving version and its canaries, lowest version first */
    public List<Unit> versions(String env, String name) {
        List<Unit> found = new ArrayList<>();
        for (Unit u : named(env, name)) {
            if (u.kind == Kind.ADAPTER) {
                found.add(u);
            }
        }
        return found;
    }

    /** An adapter takes its slot; a deploy (not a rollback) remembers the version it replaced. */
    private void putAdapter(Event e, boolean rememberReplaced) {
        putArtifact(e.artifact);
        Unit old = adapter(e.env, e.name);
        String slot = slot(e.env, e.name);
        List<String> stack = new ArrayList<>(previous.getOrDefault(slot, List.of()));
        if (old != null) {
            remove(old.key);
            if (rememberReplaced && !old.key.version().equals(e.version)) {
                stack.add(old.key.version());
            }
        }
        if (!rememberReplaced && !stack.isEmpty()) {
            stack.remove(stack.size() - 1);
        }
        previous = previous.plus(slot, List.copyOf(stack));
        UnitKey key = new UnitKey(e.env, e.name, e.version);
        Unit unit = new Unit(key, Kind.ADAPTER, e.artifact.sha256(), e.time, e.actor, e.bindings);
        unit.expiresAt = e.expiresAt;
        admitted(unit, e);
        put(unit);
    }

    private void putModule(Event e) {
        putArtifact(e.artifact);
        UnitKey key = new UnitKey(e.env, e.name, e.version);
        Unit unit = new Unit(key, Kind.MODULE, e.artifact.sha256(), e.time, e.actor, e.bindings);
        unit.expiresAt = e.expiresAt;
        admitted(unit, e);
        put(unit);
    }

    /** What the policy said when the unit was put in place, as its event records it (nothing, in journals before it did). */
    private static void admitted(Unit unit, Event e) {
        unit.findings = e.findings == null ? List.of() : List.copyOf(e.findings);
        unit.unwired = e.unwired == null ? Set.of() : Set.copyOf(e.unwired);
    }

    /**
     * @return the module units of the environment, or everywhere for null, in key order, as
     *         {@link #units} lists them, without walking the adapters
     */
    public List<Unit> modules(String env) {
        List<Unit> found = new ArrayList<>();
        for (UnitKey k : modulesIn(env)) {
            found.add(units.get(k));
        }
        return found;
    }

    private Set<UnitKey> modulesIn(String env) {
        return env == null ? modules : modules.subSet(new UnitKey(env, "", "0.0.0"), new UnitKey(env + "\0", "", "0.0.0"));
    }

    /** Keeps, for every module version of the environment, since when nobody is bound to it. */
    public void markUnused(String env, String time) {
        for (UnitKey k : modulesIn(env)) {
            Unit u = units.get(k);
            if (bound.containsKey(u.key)) {
                if (u.unusedSince != null) {
                    writable(u.key).unusedSince = null;
                }
            } else if (u.unusedSince == null) {
                writable(u.key).unusedSince = time;
            }
        }
    }

    public void applyMoves(String env, List<MoveRecord> moves) {
        if (moves == null) {
            return;
        }
        for (MoveRecord m : moves) {
            Unit u = writable(new UnitKey(env, m.name(), m.version()));
            if (u != null) {
                count(u, -1);
                u.bindings = Collections.unmodifiableMap(new TreeMap<>(m.to()));
                count(u, +1);
            }
        }
    }

    /** Keeps {@link #bound} in step as a unit's bindings enter (+1) or leave (-1) the registry. */
    private void count(Unit u, int delta) {
        for (Map.Entry<String, String> b : u.bindings.entrySet()) {
            UnitKey k = new UnitKey(u.key.env(), b.getKey(), b.getValue());
            int n = bound.getOrDefault(k, 0) + delta;
            bound = n == 0 ? bound.minus(k) : bound.plus(k, n);
        }
    }

    public long sequence() {
        return sequence;
    }

    /** @return the changes applied since this registry was restored or last {@link #forgetEvents forgot} them, oldest first */
    public List<Event> events() {
        return events;
    }

    /** Forgets the changes kept in memory: they are in the history archive now. */
    public void forgetEvents() {
        events.clear();
    }

    /** @return what this registry holds now, at its sequence number (its history is not part of it) */
    /** @return the backends declared in the environment, by name */
    public List<BackendSpec> backends(String env) {
        return List.copyOf(backends.subMap(env + "/", env + "0").values());
    }

    /** @return the environments that declare backends, each with its backends */
    public Map<String, List<BackendSpec>> backends() {
        Map<String, List<BackendSpec>> all = new TreeMap<>();
        backends.forEach((slot, spec) -> all.computeIfAbsent(slot.substring(0, slot.indexOf('/')), k -> new ArrayList<>()).add(spec));
        return all;
    }

    /** @return the backend declared under that name in the environment, or null */
    public BackendSpec backend(String env, String name) {
        return backends.get(slot(env, name));
    }

    /** @return the backends an artifact names in its {@code Mosaic-Backends} header (an unreadable list counts as none) */
    public static Set<String> backendsOf(Artifact a) {
        try {
            return BackendSpec.namesIn(a.metadata().get(BackendSpec.MANIFEST_HEADER));
        } catch (IllegalArgumentException e) {
            return Set.of();
        }
    }

    /** @return the adapters deployed in the environment that name the backend */
    public List<Unit> backendUsers(String env, String backend) {
        List<Unit> users = new ArrayList<>();
        for (Unit u : units.subMap(new UnitKey(env, "", "0"), new UnitKey(env + "\u0000", "", "0")).values()) {
            Artifact a = u.kind == Kind.ADAPTER ? artifact(u.key) : null;
            if (a != null && backendsOf(a).contains(backend)) {
                users.add(u);
            }
        }
        return users;
    }

    public Snapshot snapshot() {
        List<Snapshot.UnitState> states = new ArrayList<>();
        for (Unit u : units.values()) {
            states.add(new Snapshot.UnitState(u.key.env(), u.key.name(), u.key.version(), u.kind, u.sha256, u.deployedAt,
                    u.deployedBy, u.yanked, u.expiresAt, u.unusedSince, u.bindings, u.findings, u.unwired, u.canary, u.weight,
                    u.sticky, u.rollout, u.groups, u.staged));
        }
        List<Snapshot.BackendState> declared = new ArrayList<>();
        backends.forEach((slot, spec) -> declared.add(new Snapshot.BackendState(slot.substring(0, slot.indexOf('/')), spec)));
        return new Snapshot(Snapshot.FORMAT, sequence, List.copyOf(artifacts.values()), states, Map.copyOf(previous),
                declared);
    }

    /** @return a registry holding what the snapshot holds, at its sequence number, with no events in memory */
    public static Registry restore(Snapshot snapshot) {
        if (snapshot.format() != Snapshot.FORMAT) {
            throw new IllegalStateException("the registry snapshot is in format " + snapshot.format() + "; this runtime reads "
                    + Snapshot.FORMAT + ". Start the runtime that wrote it, or move snapshot.json away to replay the journal");
        }
        Registry r = new Registry();
        for (Artifact a : snapshot.artifacts()) {
            r.putArtifact(a);
        }
        for (Snapshot.UnitState s : snapshot.units()) {
            Unit u = new Unit(new UnitKey(s.env(), s.name(), s.version()), s.kind(), s.sha256(), s.deployedAt(), s.deployedBy(),
                    s.bindings());
            u.yanked = s.yanked();
            u.expiresAt = s.expiresAt();
            u.unusedSince = s.unusedSince();
            u.findings = s.findings() == null ? List.of() : List.copyOf(s.findings());
            u.unwired = s.unwired() == null ? Set.of() : Set.copyOf(s.unwired());
            u.canary = s.canary();
            u.weight = s.weight();
            u.sticky = s.sticky();
            u.rollout = s.rollout();
            u.groups = s.groups() == null ? null : Set.copyOf(s.groups());
            u.staged = s.staged();
            r.put(u);
        }
        r.previous = HashTreePMap.from(snapshot.previous() == null ? Map.of() : snapshot.previous());
        if (snapshot.backends() != null) {
            for (Snapshot.BackendState b : snapshot.backends()) {
                r.backends = r.backends.plus(slot(b.env(), b.spec().name()), b.spec());
            }
        }
        r.sequence = snapshot.seq();
        return r;
    }

    public Unit unit(UnitKey key) {
        return units.get(key);
    }

    /** Adds a unit made for this registry (or replaces the one of its key). */
    public void put(Unit unit) {
        remove(unit.key);
        units = units.plus(unit.key, unit);
        owned.add(unit);
        count(unit, +1);
        if (unit.kind == Kind.MODULE) {
            modules = modules.plus(unit.key);
        }
    }

    /** @return the unit removed, or null */
    public Unit remove(UnitKey key) {
        Unit u = units.get(key);
        if (u != null) {
            units = units.minus(key);
            owned.remove(u);
            count(u, -1);
            modules = modules.minus(key);
        }
        return u;
    }

    /** @return whether some unit of the environment is bound to that module version */
    public boolean isBound(String env, String module, String version) {
        return bound.containsKey(new UnitKey(env, module, version));
    }

    public Artifact artifact(String name, String version) {
        return artifacts.get(artifactKey(name, version));
    }

    public Artifact artifact(UnitKey key) {
        return artifact(key.name(), key.version());
    }

    /** Records the artifact of a name and version: the first, or new bytes a development build replaced it with. */
    public void putArtifact(Artifact a) {
        String key = artifactKey(a.name(), a.version());
        Artifact known = artifacts.get(key);
        if (known == null || !known.sha256().equals(a.sha256())) {
            artifacts = artifacts.plus(key, a);
        }
    }

    public Set<String> artifactKeys() {
        return new TreeSet<>(artifacts.keySet());
    }

    /** @return the adapter of that name in the environment, or null */
    public Unit adapter(String env, String name) {
        for (Unit u : units.subMap(new UnitKey(env, name, "0.0.0"), true, new UnitKey(env, name + "\0", "0.0.0"), false).values()) {
            if (u.kind == Kind.ADAPTER && u.key.name().equals(name) && !u.canary) {
                return u;
            }
        }
        return null;
    }

    /** @return every unit of that name in the environment, lowest version first */
    public List<Unit> named(String env, String name) {
        return new ArrayList<>(units.subMap(new UnitKey(env, name, "0.0.0"), true, new UnitKey(env, name + "\0", "0.0.0"), false)
                .values());
    }

    /** @return how many units there are, in every environment */
    public int size() {
        return units.size();
    }

    /** @return every unit in the environment, or everywhere for null */
    public List<Unit> units(String env) {
        return new ArrayList<>(env == null ? units.values() : inEnvironment(env));
    }

    private Collection<Unit> inEnvironment(String env) {
        return units.subMap(new UnitKey(env, "", "0.0.0"), true, new UnitKey(env + "\0", "", "0.0.0"), false).values();
    }

    /** @return the environments something is deployed to */
    public Set<String> environments() {
        Set<String> envs = new TreeSet<>();
        for (UnitKey k = units.isEmpty() ? null : units.firstKey(); k != null;
                k = units.ceilingKey(new UnitKey(k.env() + "\0", "", "0.0.0"))) {
            envs.add(k.env());
        }
        return envs;
    }

    /** @return the previous adapter versions of that slot, most recent last */
    public List<String> previousVersions(String env, String name) {
        return previous.getOrDefault(slot(env, name), List.of());
    }

    /** @return the units in the environment bound to that module version */
    public List<Unit> consumersOf(String env, String module, String version) {
        List<Unit> list = new ArrayList<>();
        if (!isBound(env, module, version)) {
            return list;
        }
        for (Unit u : inEnvironment(env)) {
            if (version.equals(u.bindings.get(module))) {
                list.add(u);
            }
        }
        return list;
    }
}
