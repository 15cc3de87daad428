package dev.mosaic.deployer.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.osgi.framework.Version;

import dev.mosaic.deployer.internal.Event.MoveRecord;
import dev.mosaic.deployer.internal.Model.Artifact;
import dev.mosaic.deployer.internal.Model.Kind;
import dev.mosaic.deployer.internal.Model.UnitKey;

/**
 * What is deployed where, and bound to what: the state the journal's events add up to.
 * Changes happen only through {@link #apply(Event)}; a {@link #copy()} lets the deployer
 * work out a change on a hypothetical state before committing it.
 *
 * <p>Not thread-safe: the deployer serialises changes and hands out copies to readers.
 */
final class Registry {

    /** One deployment. */
    static final class Unit {
        final UnitKey key;
        final Kind kind;
        final String sha256;
        final String deployedAt;
        final String deployedBy;
        boolean yanked;
        /** When it is undeployed automatically (ISO-8601), or null. */
        String expiresAt;
        /** For module versions: since when no consumer is bound to it (ISO-8601), or null while in use. */
        String unusedSince;
        /** Module name to module version. */
        Map<String, String> bindings;

        Unit(UnitKey key, Kind kind, String sha256, String deployedAt, String deployedBy, Map<String, String> bindings) {
            this.key = key;
            this.kind = kind;
            this.sha256 = sha256;
            this.deployedAt = deployedAt;
            this.deployedBy = deployedBy;
            this.bindings = new TreeMap<>(bindings == null ? Map.of() : bindings);
        }

        Unit copy() {
            Unit u = new Unit(key, kind, sha256, deployedAt, deployedBy, bindings);
            u.yanked = yanked;
            u.expiresAt = expiresAt;
            u.unusedSince = unusedSince;
            return u;
        }
    }

    private final Map<String, Artifact> artifacts;
    private final TreeMap<UnitKey, Unit> units;
    /** Adapter versions that served before the current one, per env/name, most recent last. */
    private final Map<String, Deque<String>> previous;
    private final List<Event> events;
    private long sequence;

    Registry() {
        this(new TreeMap<>(), new TreeMap<>(), new HashMap<>(), new ArrayList<>(), 0);
    }

    private Registry(Map<String, Artifact> artifacts, TreeMap<UnitKey, Unit> units, Map<String, Deque<String>> previous,
            List<Event> events, long sequence) {
        this.artifacts = artifacts;
        this.units = units;
        this.previous = previous;
        this.events = events;
        this.sequence = sequence;
    }

    /** @return a copy whose units can be changed without touching this registry (history is not copied) */
    Registry copy() {
        TreeMap<UnitKey, Unit> u = new TreeMap<>();
        units.forEach((k, v) -> u.put(k, v.copy()));
        Map<String, Deque<String>> p = new HashMap<>();
        previous.forEach((k, v) -> p.put(k, new ArrayDeque<>(v)));
        return new Registry(new TreeMap<>(artifacts), u, p, new ArrayList<>(), sequence);
    }

    static String artifactKey(String name, String version) {
        return name + "@" + version;
    }

    private static String slot(String env, String name) {
        return env + "/" + name;
    }

    void apply(Event e) {
        switch (e.op) {
            case Event.DEPLOY, Event.ROLLBACK -> putAdapter(e, Event.DEPLOY.equals(e.op));
            case Event.RELEASE -> putModule(e);
            case Event.PROMOTE -> {
                if (e.artifact.kind() == Kind.ADAPTER) {
                    putAdapter(e, true);
                } else {
                    putModule(e);
                }
            }
            case Event.UNDEPLOY, Event.EXPIRE, Event.SUNSET -> {
                Unit removed = units.remove(new UnitKey(e.env, e.name, e.version));
                if (removed != null && removed.kind == Kind.ADAPTER) {
                    previous.remove(slot(e.env, e.name));
                }
            }
            case Event.YANK -> unit(new UnitKey(e.env, e.name, e.version)).yanked = true;
            case Event.UNYANK -> unit(new UnitKey(e.env, e.name, e.version)).yanked = false;
            case Event.TTL -> unit(new UnitKey(e.env, e.name, e.version)).expiresAt = e.expiresAt;
            case Event.ADOPT -> {
                // only moves
            }
            default -> throw new IllegalStateException("journal entry " + e.seq + " has unknown operation '" + e.op + "'");
        }
        applyMoves(e.env, e.moves);
        markUnused(e.env, e.time);
        sequence = Math.max(sequence, e.seq);
        events.add(e);
    }

    /** An adapter takes its slot; a deploy (not a rollback) remembers the version it replaced. */
    private void putAdapter(Event e, boolean rememberReplaced) {
        artifacts.putIfAbsent(artifactKey(e.artifact.name(), e.artifact.version()), e.artifact);
        Unit old = adapter(e.env, e.name);
        Deque<String> stack = previous.computeIfAbsent(slot(e.env, e.name), k -> new ArrayDeque<>());
        if (old != null) {
            units.remove(old.key);
            if (rememberReplaced && !old.key.version().equals(e.version)) {
                stack.addLast(old.key.version());
            }
        }
        if (!rememberReplaced && !stack.isEmpty()) {
            stack.removeLast();
        }
        UnitKey key = new UnitKey(e.env, e.name, e.version);
        Unit unit = new Unit(key, Kind.ADAPTER, e.artifact.sha256(), e.time, e.actor, e.bindings);
        unit.expiresAt = e.expiresAt;
        units.put(key, unit);
    }

    private void putModule(Event e) {
        artifacts.putIfAbsent(artifactKey(e.artifact.name(), e.artifact.version()), e.artifact);
        UnitKey key = new UnitKey(e.env, e.name, e.version);
        Unit unit = new Unit(key, Kind.MODULE, e.artifact.sha256(), e.time, e.actor, e.bindings);
        unit.expiresAt = e.expiresAt;
        units.put(key, unit);
    }

    /** Keeps, for every module version of the environment, since when nobody is bound to it. */
    void markUnused(String env, String time) {
        Map<UnitKey, Integer> consumers = new HashMap<>();
        for (Unit u : units(env)) {
            for (Map.Entry<String, String> b : u.bindings.entrySet()) {
                consumers.merge(new UnitKey(env, b.getKey(), b.getValue()), 1, Integer::sum);
            }
        }
        for (Unit u : units(env)) {
            if (u.kind != Kind.MODULE) {
                continue;
            }
            if (consumers.containsKey(u.key)) {
                u.unusedSince = null;
            } else if (u.unusedSince == null) {
                u.unusedSince = time;
            }
        }
    }

    void applyMoves(String env, List<MoveRecord> moves) {
        if (moves == null) {
            return;
        }
        for (MoveRecord m : moves) {
            Unit u = units.get(new UnitKey(env, m.name(), m.version()));
            if (u != null) {
                u.bindings = new TreeMap<>(m.to());
            }
        }
    }

    long sequence() {
        return sequence;
    }

    List<Event> events() {
        return events;
    }

    Unit unit(UnitKey key) {
        return units.get(key);
    }

    void put(Unit unit) {
        units.put(unit.key, unit);
    }

    void remove(UnitKey key) {
        units.remove(key);
    }

    Artifact artifact(String name, String version) {
        return artifacts.get(artifactKey(name, version));
    }

    Artifact artifact(UnitKey key) {
        return artifact(key.name(), key.version());
    }

    void putArtifact(Artifact a) {
        artifacts.putIfAbsent(artifactKey(a.name(), a.version()), a);
    }

    Set<String> artifactKeys() {
        return new TreeSet<>(artifacts.keySet());
    }

    /** @return the adapter of that name in the environment, or null */
    Unit adapter(String env, String name) {
        for (Unit u : units.subMap(new UnitKey(env, name, "0.0.0"), true, new UnitKey(env, name + "\0", "0.0.0"), false).values()) {
            if (u.kind == Kind.ADAPTER && u.key.name().equals(name)) {
                return u;
            }
        }
        return null;
    }

    /** @return every unit of that name in the environment, lowest version first */
    List<Unit> named(String env, String name) {
        List<Unit> list = new ArrayList<>();
        for (Unit u : units.values()) {
            if (u.key.env().equals(env) && u.key.name().equals(name)) {
                list.add(u);
            }
        }
        list.sort((a, b) -> Version.parseVersion(a.key.version()).compareTo(Version.parseVersion(b.key.version())));
        return list;
    }

    /** @return every unit in the environment, or everywhere for null */
    List<Unit> units(String env) {
        List<Unit> list = new ArrayList<>();
        for (Unit u : units.values()) {
            if (env == null || u.key.env().equals(env)) {
                list.add(u);
            }
        }
        return list;
    }

    /** @return the environments something is deployed to */
    Set<String> environments() {
        Set<String> envs = new TreeSet<>();
        for (UnitKey k : units.keySet()) {
            envs.add(k.env());
        }
        return envs;
    }

    /** @return the previous adapter versions of that slot, most recent last */
    List<String> previousVersions(String env, String name) {
        Deque<String> stack = previous.get(slot(env, name));
        return stack == null ? List.of() : List.copyOf(stack);
    }

    /** @return the units in the environment bound to that module version */
    List<Unit> consumersOf(String env, String module, String version) {
        List<Unit> list = new ArrayList<>();
        for (Unit u : units(env)) {
            if (version.equals(u.bindings.get(module))) {
                list.add(u);
            }
        }
        return list;
    }
}
