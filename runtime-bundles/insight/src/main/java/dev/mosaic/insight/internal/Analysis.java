package dev.mosaic.insight.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.ImportInfo;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.Stay;
import dev.mosaic.deployer.StayReason;
import dev.mosaic.insight.Consumer;
import dev.mosaic.insight.DependencyNode;
import dev.mosaic.insight.Dependents;
import dev.mosaic.insight.Graph;
import dev.mosaic.insight.ImportEdge;
import dev.mosaic.insight.Uptake;
import dev.mosaic.insight.internal.Snapshot.Wire;

/** The answers of the insight, computed from a {@link Snapshot}: no framework needed. */
final class Analysis {

    private static final Comparator<DeploymentInfo> BY_VERSION = Comparator.comparing(d -> Version.parseVersion(d.version()));

    private final Snapshot snapshot;

    /** Whether a consumer's code runs on a module version (the deployer's check of both bytecodes); null if it does. */
    interface Misfits {
        Misfits NONE = (env, consumer, consumerVersion, module, moduleVersion) -> null;

        String misfit(String env, String consumer, String consumerVersion, String module, String moduleVersion);
    }

    private final Misfits misfits;

    Analysis(Snapshot snapshot) {
        this(snapshot, Misfits.NONE);
    }

    Analysis(Snapshot snapshot, Misfits misfits) {
        this.snapshot = snapshot;
        this.misfits = misfits;
    }

    private List<DeploymentInfo> versions(String env, String module) {
        List<DeploymentInfo> list = new ArrayList<>();
        for (DeploymentInfo d : snapshot.deployments) {
            if (d.environment().equals(env) && d.name().equals(module) && d.kind() == Kind.MODULE) {
                list.add(d);
            }
        }
        list.sort(BY_VERSION);
        return list;
    }

    private Set<String> environments(String env) {
        Set<String> envs = new TreeSet<>();
        for (DeploymentInfo d : snapshot.deployments) {
            if (env == null || d.environment().equals(env)) {
                envs.add(d.environment());
            }
        }
        return envs;
    }

    /** @return the version of the module the deployment is wired to, or null */
    private String wiredTo(DeploymentInfo consumer, String module) {
        for (Wire w : snapshot.wires(consumer)) {
            if (w.provider() != null && w.provider().name().equals(module)) {
                return w.providerVersion();
            }
        }
        return null;
    }

    /** @return the consumer's imports of packages any version of the module exports */
    private static List<ImportInfo> importsOf(DeploymentInfo consumer, List<DeploymentInfo> moduleVersions) {
        Set<String> pkgs = new HashSet<>();
        for (DeploymentInfo v : moduleVersions) {
            pkgs.addAll(v.exports().keySet());
        }
        List<ImportInfo> imports = new ArrayList<>();
        for (ImportInfo i : consumer.imports()) {
            if (pkgs.contains(i.pkg())) {
                imports.add(i);
            }
        }
        return imports;
    }

    /** Every required import satisfied by the version's exports, and at least one import at all. */
    static boolean admits(List<ImportInfo> imports, DeploymentInfo version) {
        boolean any = false;
        for (ImportInfo i : imports) {
            String exported = version.exports().get(i.pkg());
            boolean ok = exported != null && new VersionRange(i.range()).includes(Version.parseVersion(exported));
            if (!ok && !i.optional()) {
                return false;
            }
            any |= ok;
        }
        return any;
    }

    private static String newest(List<DeploymentInfo> versions) {
        String newest = null;
        for (DeploymentInfo v : versions) {
            if (!v.yanked()) {
                newest = v.version();
            }
        }
        return newest;
    }

    List<Dependents> dependents(String env, String module, String version) {
        return dependents(env, module, version, false);
    }

    /** @param transitive also the consumers of the modules that use it, and theirs, with the module they use it through */
    List<Dependents> dependents(String env, String module, String version, boolean transitive) {
        if (module.startsWith(BACKEND)) {
            return callers(env, module.substring(BACKEND.length()), version);
        }
        List<Dependents> result = new ArrayList<>();
        for (String e : environments(env)) {
            List<DeploymentInfo> versions = versions(e, module);
            String newest = newest(versions);
            for (DeploymentInfo v : versions) {
                if (version != null && !Version.parseVersion(version).equals(Version.parseVersion(v.version()))) {
                    continue;
                }
                List<Consumer> wired = new ArrayList<>();
                List<Consumer> elsewhere = new ArrayList<>();
                for (DeploymentInfo c : snapshot.deployments) {
                    String on = c.environment().equals(e) ? wiredTo(c, module) : null;
                    if (on == null || c.name().equals(module)) {
                        continue;
                    }
                    List<ImportInfo> imports = importsOf(c, versions);
                    List<String> ranges = imports.stream().map(ImportInfo::toString).toList();
                    if (on.equals(v.version())) {
                        wired.add(new Consumer(c.environment(), c.name(), c.version(), c.kind(), ranges, c.uptake(), on, true,
                                null, null, null));
                        continue;
                    }
                    boolean admits = admits(imports, v);
                    Stay stay = Stay.of(e, c.name(), c.version(), c.bindings(), imports, admits, v.version(), v.yanked(), on,
                            c.uptake());
                    if (stay.why() == StayReason.NOT_MOVED_YET || stay.why() == StayReason.MANUAL_UPTAKE) {
                        // its ranges admit the version: whether its code runs there says why it is not on it
                        String misfit = misfits.misfit(e, c.name(), c.version(), module, v.version());
                        if (misfit != null) {
                            stay = new Stay(e, c.name(), c.version(), c.bindings(), StayReason.INCOMPATIBLE, "incompatible: "
                                    + misfit + "; stays on " + on);
                        }
                    }
                    elsewhere.add(new Consumer(c.environment(), c.name(), c.version(), c.kind(), ranges, c.uptake(), on,
                            admits, stay.why(), stay.reason(), null));
                }
                if (transitive) {
                    wired.addAll(through(e, wired, new java.util.HashSet<>(Set.of(module + "@" + v.version()))));
                }
                result.add(new Dependents(e, module, v.version(), v.yanked(), v.version().equals(newest), wired, elsewhere));
            }
        }
        return result;
    }

    /**
     * @return the deployments wired to the module versions among {@code direct}, and to theirs in turn, each with the
     *         module version it uses the module through
     */
    private List<Consumer> through(String env, List<Consumer> direct, Set<String> seen) {
        List<Consumer> found = new ArrayList<>();
        for (Consumer m : direct) {
            if (m.kind() != Kind.MODULE || !seen.add(m.name() + "@" + m.version())) {
                continue;
            }
            List<Consumer> next = new ArrayList<>();
            for (DeploymentInfo c : snapshot.deployments) {
                String on = c.environment().equals(env) && !c.name().equals(m.name()) ? wiredTo(c, m.name()) : null;
                if (on != null && on.equals(m.version())) {
                    String via = (m.via() == null ? "" : m.via() + " > ") + m.name() + " " + m.version();
                    next.add(new Consumer(c.environment(), c.name(), c.version(), c.kind(), List.of(), c.uptake(), on, true, null,
                            null, via));
                }
            }
            found.addAll(next);
            found.addAll(through(env, next, seen));
        }
        return found;
    }

    List<DependencyNode> dependencies(String env, String name, String version) {
        List<DependencyNode> roots = new ArrayList<>();
        for (DeploymentInfo d : snapshot.deployments) {
            if (d.environment().equals(env) && d.name().equals(name)
                    && (version == null || d.kind() == Kind.ADAPTER
                            || Version.parseVersion(version).equals(Version.parseVersion(d.version())))) {
                roots.add(node(d, new LinkedHashSet<>()));
            }
        }
        return roots;
    }

    private DependencyNode node(DeploymentInfo d, Set<DeploymentInfo> path) {
        List<ImportEdge> edges = new ArrayList<>();
        path.add(d);
        Map<String, Wire> byPkg = new LinkedHashMap<>();
        for (Wire w : snapshot.wires(d)) {
            byPkg.put(w.pkg(), w);
        }
        for (ImportInfo i : d.imports()) {
            Wire w = byPkg.get(i.pkg());
            if (w == null && d.exports().containsKey(i.pkg())) {
                // it imports a package it exports itself, and the framework chose its own: no wire, but served
                edges.add(new ImportEdge(i.pkg(), i.range(), i.optional(), d.name(), d.version(), null, null, false, null));
                continue;
            }
            if (w == null) {
                edges.add(new ImportEdge(i.pkg(), i.range(), i.optional(), null, null, null, null, false, null));
                continue;
            }
            String inRange = null;
            String newestOverall = null;
            DependencyNode further = null;
            if (w.provider() != null) {
                List<DeploymentInfo> versions = versions(d.environment(), w.providerName());
                List<ImportInfo> one = List.of(i);
                for (DeploymentInfo v : versions) {
                    if (!v.yanked() && admits(one, v)) {
                        inRange = v.version();
                    }
                }
                newestOverall = newest(versions);
                if (!path.contains(w.provider())) {
                    further = node(w.provider(), path);
                }
            }
            boolean major = newestOverall != null
                    && Version.parseVersion(newestOverall).getMajor() > Version.parseVersion(w.providerVersion()).getMajor();
            edges.add(new ImportEdge(i.pkg(), i.range(), i.optional(), w.providerName(), w.providerVersion(), inRange,
                    newestOverall, major, further));
        }
        path.remove(d);
        return new DependencyNode(d.environment(), d.name(), d.version(), d.kind(), edges, backends(d));
    }

    List<Uptake> uptake(String env, String module) {
        List<Uptake> result = new ArrayList<>();
        for (String e : environments(env)) {
            Set<String> modules = new TreeSet<>();
            for (DeploymentInfo d : snapshot.deployments) {
                if (d.environment().equals(e) && d.kind() == Kind.MODULE && (module == null || d.name().equals(module))) {
                    modules.add(d.name());
                }
            }
            for (String m : modules) {
                // one row per major version line: a consumer of 1.x cannot move to 2.0.0, so 2.0.0 is not its newest
                Map<Integer, List<DeploymentInfo>> lines = new TreeMap<>();
                for (DeploymentInfo v : versions(e, m)) {
                    lines.computeIfAbsent(Version.parseVersion(v.version()).getMajor(), k -> new ArrayList<>()).add(v);
                }
                for (Map.Entry<Integer, List<DeploymentInfo>> line : lines.entrySet()) {
                    List<DeploymentInfo> versions = line.getValue();
                    String newest = newest(versions);
                    Map<String, Integer> consumers = new LinkedHashMap<>();
                    for (DeploymentInfo v : versions) {
                        consumers.put(v.version(), 0);
                    }
                    int total = 0;
                    for (DeploymentInfo c : snapshot.deployments) {
                        String on = c.environment().equals(e) && !c.name().equals(m) ? wiredTo(c, m) : null;
                        if (on != null && consumers.containsKey(on)) {
                            consumers.merge(on, 1, Integer::sum);
                            total++;
                        }
                    }
                    int onNewest = newest == null ? 0 : consumers.getOrDefault(newest, 0);
                    result.add(new Uptake(e, m, line.getKey() + ".x", newest, consumers, total,
                            total == 0 ? 0 : (double) onNewest / total));
                }
            }
        }
        return result;
    }

    /** How {@code dependents} names a backend, as the graph does: {@code backend:recommendations}. */
    static final String BACKEND = "backend:";

    /**
     * @return per environment, the adapters whose {@code Mosaic-Backends} names the backend
     *         (an environment given is listed even when none does)
     */
    private List<Dependents> callers(String env, String backend, String version) {
        if (version != null) {
            throw new IllegalArgumentException("a backend has no versions: ask for the dependents of " + BACKEND + backend
                    + " without one");
        }
        java.util.Map<String, List<Consumer>> byEnv = new java.util.TreeMap<>();
        if (env != null) {
            byEnv.put(env, new ArrayList<>());
        }
        for (DeploymentInfo d : snapshot.deployments) {
            if ((env == null || d.environment().equals(env)) && backends(d).contains(backend)) {
                byEnv.computeIfAbsent(d.environment(), k -> new ArrayList<>()).add(new Consumer(d.environment(), d.name(),
                        d.version(), d.kind(), List.of(), d.uptake(), null, true, null, null, null));
            }
        }
        List<Dependents> result = new ArrayList<>();
        byEnv.forEach((e, callers) -> result.add(new Dependents(e, BACKEND + backend, "", false, false, callers, List.of())));
        return result;
    }

    /** @return the backends an adapter names in {@code Mosaic-Backends}, in order */
    static List<String> backends(DeploymentInfo d) {
        String header = d.metadata() == null ? null : d.metadata().get("Mosaic-Backends");
        if (header == null || d.kind() != Kind.ADAPTER) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String part : header.split(",")) {
            if (!part.isBlank()) {
                names.add(part.trim());
            }
        }
        return names;
    }

    Graph graph(String env) {
        List<Graph.Node> nodes = new ArrayList<>();
        List<Graph.Edge> edges = new ArrayList<>();
        List<Graph.Call> calls = new ArrayList<>();
        for (DeploymentInfo d : snapshot.deployments) {
            if (env != null && !d.environment().equals(env)) {
                continue;
            }
            nodes.add(new Graph.Node(id(d), d.environment(), d.name(), d.version(), d.kind(), d.owner(), d.yanked(),
                    d.state()));
            for (Wire w : snapshot.wires(d)) {
                if (w.provider() == null) {
                    continue;
                }
                String range = d.imports().stream().filter(i -> i.pkg().equals(w.pkg())).map(ImportInfo::range).findFirst()
                        .orElse(null);
                edges.add(new Graph.Edge(id(d), id(w.provider()), w.pkg(), range));
            }
            for (String b : backends(d)) {
                calls.add(new Graph.Call(id(d), d.environment() + "/backend:" + b, d.environment(), b));
            }
        }
        return new Graph(nodes, edges, calls);
    }

    static String id(DeploymentInfo d) {
        return d.environment() + "/" + d.name() + "@" + d.version();
    }

    /** Graphviz: one cluster per environment, adapters as boxes, modules as ellipses, yanked ones dashed. */
    static String dot(Graph g) {
        StringBuilder b = new StringBuilder("digraph mosaic {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
                + "  edge [fontname=\"Helvetica\", fontsize=8];\n");
        Map<String, List<Graph.Node>> byEnv = new LinkedHashMap<>();
        for (Graph.Node n : g.nodes()) {
            byEnv.computeIfAbsent(n.environment(), k -> new ArrayList<>()).add(n);
        }
        int cluster = 0;
        for (Map.Entry<String, List<Graph.Node>> env : byEnv.entrySet()) {
            b.append("  subgraph cluster_").append(cluster++).append(" {\n    label=").append(quote(env.getKey())).append(";\n");
            java.util.Set<String> backends = new java.util.TreeSet<>();
            g.calls().stream().filter(c -> c.environment().equals(env.getKey())).forEach(c -> backends.add(c.to()));
            for (String backend : backends) {
                b.append("    ").append(quote(backend)).append(" [label=").append(quote(backend.substring(backend.indexOf(':') + 1)))
                        .append(", shape=cylinder];\n");
            }
            for (Graph.Node n : env.getValue()) {
                b.append("    ").append(quote(n.id())).append(" [label=").append(quote(n.name() + "\n" + n.version()))
                        .append(", shape=").append(n.kind() == Kind.ADAPTER ? "box" : "ellipse")
                        .append(n.yanked() ? ", style=dashed" : "").append("];\n");
            }
            b.append("  }\n");
        }
        for (Graph.Edge e : g.edges()) {
            b.append("  ").append(quote(e.from())).append(" -> ").append(quote(e.to())).append(" [label=")
                    .append(quote(e.pkg() + (e.range() == null ? "" : "\n" + e.range()))).append("];\n");
        }
        for (Graph.Call c : g.calls()) {
            b.append("  ").append(quote(c.from())).append(" -> ").append(quote(c.to())).append(" [style=dotted, label=\"calls\"];\n");
        }
        return b.append("}\n").toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
