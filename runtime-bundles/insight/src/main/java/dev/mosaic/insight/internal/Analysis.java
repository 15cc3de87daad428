package dev.mosaic.insight.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.ImportInfo;
import dev.mosaic.insight.Consumer;
import dev.mosaic.insight.DependencyNode;
import dev.mosaic.insight.Dependents;
import dev.mosaic.insight.Graph;
import dev.mosaic.insight.ImportEdge;
import dev.mosaic.insight.Uptake;
import dev.mosaic.insight.internal.Snapshot.Wire;

/** The answers of the insight, computed from a {@link Snapshot}: no framework needed. */
final class Analysis {

    private static final Comparator<DeploymentInfo> BY_VERSION = Comparator.comparing(d -> Version.parseVersion(d.version));

    private final Snapshot snapshot;

    Analysis(Snapshot snapshot) {
        this.snapshot = snapshot;
    }

    private List<DeploymentInfo> versions(String env, String module) {
        List<DeploymentInfo> list = new ArrayList<>();
        for (DeploymentInfo d : snapshot.deployments) {
            if (d.environment.equals(env) && d.name.equals(module) && "module".equals(d.kind)) {
                list.add(d);
            }
        }
        list.sort(BY_VERSION);
        return list;
    }

    private Set<String> environments(String env) {
        Set<String> envs = new TreeSet<>();
        for (DeploymentInfo d : snapshot.deployments) {
            if (env == null || d.environment.equals(env)) {
                envs.add(d.environment);
            }
        }
        return envs;
    }

    /** @return the version of the module the deployment is wired to, or null */
    private String wiredTo(DeploymentInfo consumer, String module) {
        for (Wire w : snapshot.wires(consumer)) {
            if (w.provider() != null && w.provider().name.equals(module)) {
                return w.providerVersion();
            }
        }
        return null;
    }

    /** @return the consumer's imports of packages any version of the module exports */
    private static List<ImportInfo> importsOf(DeploymentInfo consumer, List<DeploymentInfo> moduleVersions) {
        Set<String> pkgs = new HashSet<>();
        for (DeploymentInfo v : moduleVersions) {
            pkgs.addAll(v.exports.keySet());
        }
        List<ImportInfo> imports = new ArrayList<>();
        for (ImportInfo i : consumer.imports) {
            if (pkgs.contains(i.pkg)) {
                imports.add(i);
            }
        }
        return imports;
    }

    /** Every required import satisfied by the version's exports, and at least one import at all. */
    static boolean admits(List<ImportInfo> imports, DeploymentInfo version) {
        boolean any = false;
        for (ImportInfo i : imports) {
            String exported = version.exports.get(i.pkg);
            boolean ok = exported != null && new VersionRange(i.range).includes(Version.parseVersion(exported));
            if (!ok && !i.optional) {
                return false;
            }
            any |= ok;
        }
        return any;
    }

    private static String newest(List<DeploymentInfo> versions) {
        String newest = null;
        for (DeploymentInfo v : versions) {
            if (!v.yanked) {
                newest = v.version;
            }
        }
        return newest;
    }

    List<Dependents> dependents(String env, String module, String version) {
        List<Dependents> result = new ArrayList<>();
        for (String e : environments(env)) {
            List<DeploymentInfo> versions = versions(e, module);
            String newest = newest(versions);
            for (DeploymentInfo v : versions) {
                if (version != null && !Version.parseVersion(version).equals(Version.parseVersion(v.version))) {
                    continue;
                }
                Dependents d = new Dependents();
                d.environment = e;
                d.module = module;
                d.version = v.version;
                d.yanked = v.yanked;
                d.newest = v.version.equals(newest);
                d.wired = new ArrayList<>();
                d.elsewhere = new ArrayList<>();
                for (DeploymentInfo c : snapshot.deployments) {
                    String on = c.environment.equals(e) ? wiredTo(c, module) : null;
                    if (on == null || c.name.equals(module)) {
                        continue;
                    }
                    List<ImportInfo> imports = importsOf(c, versions);
                    Consumer consumer = consumer(c, imports, on);
                    if (on.equals(v.version)) {
                        d.wired.add(consumer);
                        continue;
                    }
                    consumer.admits = admits(imports, v);
                    consumer.reason = reason(consumer, imports, v, on);
                    d.elsewhere.add(consumer);
                }
                result.add(d);
            }
        }
        return result;
    }

    private static Consumer consumer(DeploymentInfo c, List<ImportInfo> imports, String on) {
        Consumer consumer = new Consumer();
        consumer.environment = c.environment;
        consumer.name = c.name;
        consumer.version = c.version;
        consumer.kind = c.kind;
        consumer.uptake = c.uptake;
        consumer.wiredTo = on;
        consumer.ranges = imports.stream().map(ImportInfo::toString).toList();
        return consumer;
    }

    private static String reason(Consumer c, List<ImportInfo> imports, DeploymentInfo v, String on) {
        if (!c.admits) {
            boolean pinned = !imports.isEmpty() && imports.stream().allMatch(i -> new VersionRange(i.range).isExact());
            return (pinned ? "pinned to " : "its range excludes " + v.version + ": ") + String.join(", ", c.ranges);
        }
        if (v.yanked) {
            return v.version + " is yanked";
        }
        if (Version.parseVersion(on).compareTo(Version.parseVersion(v.version)) > 0) {
            return "on a newer version in range (" + on + ")";
        }
        if ("manual".equals(c.uptake)) {
            return "manual uptake: stays on " + on + " until adopt";
        }
        return "not moved yet (on " + on + ")";
    }

    List<DependencyNode> dependencies(String env, String name, String version) {
        List<DependencyNode> roots = new ArrayList<>();
        for (DeploymentInfo d : snapshot.deployments) {
            if (d.environment.equals(env) && d.name.equals(name)
                    && (version == null || "adapter".equals(d.kind)
                            || Version.parseVersion(version).equals(Version.parseVersion(d.version)))) {
                roots.add(node(d, new LinkedHashSet<>()));
            }
        }
        return roots;
    }

    private DependencyNode node(DeploymentInfo d, Set<DeploymentInfo> path) {
        DependencyNode n = new DependencyNode();
        n.environment = d.environment;
        n.name = d.name;
        n.version = d.version;
        n.kind = d.kind;
        n.imports = new ArrayList<>();
        path.add(d);
        Map<String, Wire> byPkg = new LinkedHashMap<>();
        for (Wire w : snapshot.wires(d)) {
            byPkg.put(w.pkg(), w);
        }
        for (ImportInfo i : d.imports) {
            ImportEdge e = new ImportEdge();
            e.pkg = i.pkg;
            e.range = i.range;
            e.optional = i.optional;
            Wire w = byPkg.get(i.pkg);
            if (w != null) {
                e.provider = w.providerName();
                e.wired = w.providerVersion();
                if (w.provider() != null) {
                    List<DeploymentInfo> versions = versions(d.environment, w.providerName());
                    List<ImportInfo> one = List.of(i);
                    String inRange = null;
                    for (DeploymentInfo v : versions) {
                        if (!v.yanked && admits(one, v)) {
                            inRange = v.version;
                        }
                    }
                    e.newestInRange = inRange;
                    e.newestOverall = newest(versions);
                    e.majorUpgradeAvailable = e.newestOverall != null
                            && Version.parseVersion(e.newestOverall).getMajor() > Version.parseVersion(e.wired).getMajor();
                    if (!path.contains(w.provider())) {
                        e.dependencies = node(w.provider(), path);
                    }
                }
            }
            n.imports.add(e);
        }
        path.remove(d);
        return n;
    }

    List<Uptake> uptake(String env, String module) {
        List<Uptake> result = new ArrayList<>();
        for (String e : environments(env)) {
            Set<String> modules = new TreeSet<>();
            for (DeploymentInfo d : snapshot.deployments) {
                if (d.environment.equals(e) && "module".equals(d.kind) && (module == null || d.name.equals(module))) {
                    modules.add(d.name);
                }
            }
            for (String m : modules) {
                List<DeploymentInfo> versions = versions(e, m);
                Uptake u = new Uptake();
                u.environment = e;
                u.module = m;
                u.newest = newest(versions);
                u.consumers = new LinkedHashMap<>();
                for (DeploymentInfo v : versions) {
                    u.consumers.put(v.version, 0);
                }
                for (DeploymentInfo c : snapshot.deployments) {
                    String on = c.environment.equals(e) && !c.name.equals(m) ? wiredTo(c, m) : null;
                    if (on != null) {
                        u.consumers.merge(on, 1, Integer::sum);
                        u.total++;
                    }
                }
                int onNewest = u.newest == null ? 0 : u.consumers.getOrDefault(u.newest, 0);
                u.shareOnNewest = u.total == 0 ? 0 : (double) onNewest / u.total;
                result.add(u);
            }
        }
        return result;
    }

    Graph graph(String env) {
        Graph g = new Graph();
        g.nodes = new ArrayList<>();
        g.edges = new ArrayList<>();
        for (DeploymentInfo d : snapshot.deployments) {
            if (env != null && !d.environment.equals(env)) {
                continue;
            }
            Graph.Node n = new Graph.Node();
            n.id = id(d);
            n.environment = d.environment;
            n.name = d.name;
            n.version = d.version;
            n.kind = d.kind;
            n.owner = d.owner;
            n.yanked = d.yanked;
            n.state = d.state;
            g.nodes.add(n);
            for (Wire w : snapshot.wires(d)) {
                if (w.provider() == null) {
                    continue;
                }
                Graph.Edge edge = new Graph.Edge();
                edge.from = id(d);
                edge.to = id(w.provider());
                edge.pkg = w.pkg();
                edge.range = d.imports.stream().filter(i -> i.pkg.equals(w.pkg())).map(i -> i.range).findFirst().orElse(null);
                g.edges.add(edge);
            }
        }
        return g;
    }

    static String id(DeploymentInfo d) {
        return d.environment + "/" + d.name + "@" + d.version;
    }

    /** Graphviz: one cluster per environment, adapters as boxes, modules as ellipses, yanked ones dashed. */
    static String dot(Graph g) {
        StringBuilder b = new StringBuilder("digraph mosaic {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
                + "  edge [fontname=\"Helvetica\", fontsize=8];\n");
        Map<String, List<Graph.Node>> byEnv = new LinkedHashMap<>();
        for (Graph.Node n : g.nodes) {
            byEnv.computeIfAbsent(n.environment, k -> new ArrayList<>()).add(n);
        }
        int cluster = 0;
        for (Map.Entry<String, List<Graph.Node>> env : byEnv.entrySet()) {
            b.append("  subgraph cluster_").append(cluster++).append(" {\n    label=").append(quote(env.getKey())).append(";\n");
            for (Graph.Node n : env.getValue()) {
                b.append("    ").append(quote(n.id)).append(" [label=").append(quote(n.name + "\n" + n.version))
                        .append(", shape=").append("adapter".equals(n.kind) ? "box" : "ellipse")
                        .append(n.yanked ? ", style=dashed" : "").append("];\n");
            }
            b.append("  }\n");
        }
        for (Graph.Edge e : g.edges) {
            b.append("  ").append(quote(e.from)).append(" -> ").append(quote(e.to)).append(" [label=")
                    .append(quote(e.pkg + (e.range == null ? "" : "\n" + e.range))).append("];\n");
        }
        return b.append("}\n").toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
