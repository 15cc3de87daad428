package dev.mosaic.shell.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.Health;
import dev.mosaic.deployer.HistoryEntry;
import dev.mosaic.deployer.Move;
import dev.mosaic.deployer.PolicyReport;
import dev.mosaic.deployer.MoveReason;
import dev.mosaic.deployer.RouteView;
import dev.mosaic.deployer.Stay;
import dev.mosaic.insight.Consumer;
import dev.mosaic.insight.DependencyNode;
import dev.mosaic.insight.Dependents;
import dev.mosaic.insight.Graph;
import dev.mosaic.insight.ImportEdge;
import dev.mosaic.insight.Uptake;

/** How the console shows what the commands return. */
final class Formats {

    private Formats() {
    }

    /**
     * A listing shown with every column: {@code ls} and {@code routes} show the columns a terminal has room for, and
     * with {@code --wide} (the console's {@code -w}, the API's {@code ?wide=true}) the rest too.
     */
    record Wide(Object value) {
    }

    /** @return the text for a value the commands return, or null if it is not one of ours */
    static String format(Object value) {
        return value instanceof Wide w ? format(w.value(), true) : format(value, false);
    }

    /** @return the text for a value the commands return, every column of a listing if wide; null if not one of ours */
    static String format(Object value, boolean wide) {
        if (value instanceof DeployResult r) {
            return result(r);
        }
        if (value instanceof FleetViews.Converged c) {
            return c.text();
        }
        if (value instanceof FleetViews.Listing l) {
            return l.text();
        }
        if (value instanceof List<?> list && !list.isEmpty()) {
            Object first = list.get(0);
            if (first instanceof RouteView) {
                return routes(cast(list), wide);
            }
            if (first instanceof DeploymentInfo) {
                return deployments(cast(list), wide);
            }
            if (first instanceof HistoryEntry) {
                return history(cast(list));
            }
            if (first instanceof Dependents) {
                return dependents(cast(list));
            }
            if (first instanceof DependencyNode) {
                return dependencies(cast(list));
            }
            if (first instanceof Uptake) {
                return uptake(cast(list));
            }
            if (first instanceof BackendViews.BackendView) {
                return BackendViews.table(cast(list));
            }
            if (first instanceof dev.mosaic.deployer.RolloutInfo) {
                return rollouts(cast(list));
            }
            if (first instanceof LogLevels.Level) {
                return LogLevels.text(cast(list));
            }
        }
        if (value instanceof BackendViews.Detail d) {
            return d.text();
        }
        if (value instanceof LogLevels.Change c) {
            return c.summary();
        }
        if (value instanceof RouteCalls.Answer a) {
            return RouteCalls.text(a);
        }
        if (value instanceof Graph g) {
            return graph(g);
        }
        if (value instanceof Health h) {
            return health(h);
        }
        if (value instanceof PolicyReport p) {
            return policy(p);
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> cast(List<?> list) {
        return (List<T>) list;
    }

    /**
     * The routes' columns: the first {@link #ROUTE_COLUMNS} a terminal has room for, the rest with --wide (a {@link Table}
     * shows as many of a row's cells as its header has columns).
     */
    private static final String[] ROUTE_HEADER = { "ENV", "METHOD", "PATH", "ADAPTER", "VERSION", "MODULES", "REQUESTS", "5XX",
            "BACKENDS", "TIMEOUT", "LIMIT", "504", "503", "BACKEND CALLS" };
    private static final int ROUTE_COLUMNS = 9;
    /** The deployments' columns: the first {@link #DEPLOYMENT_COLUMNS} a terminal has room for, the rest with --wide. */
    private static final String[] DEPLOYMENT_HEADER = { "ENV", "KIND", "NAME", "VERSION", "STATE", "UPTAKE", "BINDINGS",
            "EXPIRES", "OWNER", "DEPLOYED", "BY", "SHA256", "COMMIT", "BUILT" };
    private static final int DEPLOYMENT_COLUMNS = 8;

    static String routes(List<RouteView> routes, boolean wide) {
        Table t = new Table(wide ? ROUTE_HEADER : Arrays.copyOf(ROUTE_HEADER, ROUTE_COLUMNS));
        for (RouteView r : routes) {
            t.row(r.environment(), r.method(), r.path(), r.adapter(), r.adapterVersion(), modules(r.modules()), r.requests(),
                    r.failures(), r.backends().isEmpty() ? "-" : String.join(",", r.backends()), r.timeoutMillis() + "ms",
                    r.concurrency(), r.timeouts(), r.rejected(), r.backendCalls());
        }
        return t.toString();
    }

    static String deployments(List<DeploymentInfo> list, boolean wide) {
        Table t = new Table(wide ? DEPLOYMENT_HEADER : Arrays.copyOf(DEPLOYMENT_HEADER, DEPLOYMENT_COLUMNS));
        for (DeploymentInfo d : list) {
            t.row(d.environment(), d.kind(), d.name(), d.version(), d.state() + (d.yanked() ? ",yanked" : ""), d.uptake(),
                    modules(d.bindings()), d.expiresAt(), d.owner(), d.deployedAt(), d.deployedBy(),
                    d.sha256() == null ? null : d.sha256().substring(0, 12),
                    d.scmCommit() == null ? null : d.scmCommit().substring(0, Math.min(12, d.scmCommit().length())),
                    d.buildTime());
        }
        StringBuilder b = new StringBuilder(t.toString());
        for (DeploymentInfo d : list) {
            if (d.problem() != null) {
                b.append('\n').append(d.name()).append(' ').append(d.version()).append(" failed: ").append(d.problem());
            }
            for (String f : d.findings()) {
                b.append('\n').append(d.name()).append(' ').append(d.version()).append(" (policy, reported) ").append(f);
            }
        }
        return b.toString();
    }

    /** The judged canaries: a line each, then this instance's latest verdict's findings. */
    static String rollouts(List<dev.mosaic.deployer.RolloutInfo> rollouts) {
        Table t = new Table("ENV", "ADAPTER", "BASELINE", "CANARY", "SHARE", "STATE", "VERDICT", "REQUESTS", "BAKE ENDS", "DEADLINE");
        StringBuilder details = new StringBuilder();
        for (dev.mosaic.deployer.RolloutInfo r : rollouts) {
            dev.mosaic.deployer.RolloutInfo.Verdict v = r.verdict();
            t.row(r.environment(), r.adapter(), r.baseline(), r.canary(), r.share() + "%", r.state(),
                    v == null ? "-" : v.outcome(), v == null ? "-" : v.baseline().requests() + "/" + v.canary().requests(),
                    r.bakeEndsAt(), r.deadlineAt());
            details.append('\n').append(r.environment()).append(' ').append(r.adapter()).append(' ').append(r.canary())
                    .append(':');
            if (!r.waves().isEmpty()) {
                details.append("\n  waves ").append(String.join(" -> ", r.waves())).append(": wave ").append(r.wave())
                        .append(" of ").append(r.waves().size()).append(", ").append(r.canary()).append(" serves in ")
                        .append(String.join(", ", r.waves().subList(0, r.wave())));
            }
            if (r.reason() != null) {
                details.append("\n  ").append(r.state()).append(": ").append(r.reason());
            }
            if (v != null) {
                v.findings().forEach(f -> details.append("\n  ").append(f));
            } else {
                details.append("\n  no verdict yet on this instance");
            }
        }
        return t.toString() + details;
    }

    static String history(List<HistoryEntry> entries) {
        Table t = new Table("SEQ", "TIME", "ACTOR", "OPERATION", "ENV", "NAME", "VERSION", "DETAIL");
        for (HistoryEntry h : entries) {
            String detail = h.replacedVersion() != null ? "replaced " + h.replacedVersion() : h.detail() != null ? h.detail() : "";
            List<Move> moves = h.moves() == null ? List.of() : h.moves();
            if (!moves.isEmpty()) {
                // a release can move hundreds of consumers: one line each, under the change, not one line of them all
                detail += (detail.isEmpty() ? "" : "; ") + moves.size() + " moved";
            }
            t.row(h.sequence(), h.time(), h.actor(), h.operation(), h.environment(), h.name(), h.version(), detail.isEmpty() ? null : detail);
            moves.forEach(m -> t.under("moved " + move(m)));
        }
        return t.toString();
    }

    static String result(DeployResult r) {
        StringBuilder b = new StringBuilder(r.summary());
        if (r.changed()) {
            b.append(" (").append(r.millis()).append(" ms, history #").append(r.sequence()).append(')');
        }
        if (r.moves() != null) {
            for (Move m : r.moves()) {
                b.append("\n  ").append(r.dryRun() ? "would move " : "").append(move(m));
            }
        }
        if (r.stays() != null) {
            for (Stay m : r.stays()) {
                b.append("\n  stays ").append(m.consumer()).append(' ').append(m.consumerVersion()).append(": ").append(m.reason());
            }
        }
        if (r.report() != null && !r.problems().stream().anyMatch(p -> p.contains(r.report().lines().get(0)))) {
            for (String line : r.report().lines()) {
                b.append("\n  api: ").append(line);
            }
        }
        if (r.problems() != null) {
            for (String p : r.problems()) {
                b.append("\n  problem: ").append(p);
            }
        }
        if (r.dryRun() && r.deployment() != null && r.deployment().bindings() != null && !r.deployment().bindings().isEmpty()) {
            b.append("\n  would bind to ").append(modules(r.deployment().bindings()));
        }
        return b.toString();
    }

    static String dependents(List<Dependents> list) {
        StringBuilder b = new StringBuilder();
        for (Dependents d : list) {
            if (b.length() > 0) {
                b.append('\n');
            }
            if (d.module().startsWith("backend:")) {
                b.append(d.environment()).append(' ').append(d.module()).append('\n');
                b.append("  called by (").append(d.wired().size()).append(")\n");
                for (Consumer c : d.wired()) {
                    b.append("    ").append(c.name()).append(' ').append(c.version()).append('\n');
                }
                continue;
            }
            b.append(d.environment()).append(' ').append(d.module()).append(' ').append(d.version())
                    .append(d.newest() ? "  (newest)" : "").append(d.yanked() ? "  (yanked)" : "").append('\n');
            b.append("  wired (").append(d.wired().size()).append(")\n");
            for (Consumer c : d.wired()) {
                b.append("    ").append(c.name()).append(' ').append(c.version()).append("  ").append(c.kind()).append("  uptake ")
                        .append(c.uptake()).append("  ").append(c.via() == null ? String.join(", ", c.ranges())
                                : "through " + c.via()).append('\n');
            }
            b.append("  elsewhere (").append(d.elsewhere().size()).append(")\n");
            for (Consumer c : d.elsewhere()) {
                b.append("    ").append(c.name()).append(' ').append(c.version()).append("  on ").append(c.wiredTo()).append("  ")
                        .append(c.reason()).append('\n');
            }
        }
        return b.toString().stripTrailing();
    }

    static String dependencies(List<DependencyNode> roots) {
        StringBuilder b = new StringBuilder();
        for (DependencyNode n : roots) {
            b.append(n.name()).append(' ').append(n.version()).append(" (").append(n.kind()).append(", ").append(n.environment())
                    .append(")\n");
            tree(b, n, "");
            if (!n.backends().isEmpty()) {
                b.append("calls backends: ").append(String.join(", ", n.backends())).append('\n');
            }
        }
        return b.toString().stripTrailing();
    }

    private static void tree(StringBuilder b, DependencyNode n, String indent) {
        for (int i = 0; i < n.imports().size(); i++) {
            ImportEdge e = n.imports().get(i);
            boolean last = i == n.imports().size() - 1;
            b.append(indent).append(last ? "`- " : "+- ").append(e.pkg()).append(' ').append(e.range())
                    .append(e.optional() ? " (optional)" : "").append(" -> ");
            if (e.provider() == null) {
                b.append("not wired");
            } else {
                b.append(e.provider()).append(' ').append(e.wired());
                if (e.newestOverall() != null) {
                    b.append("  [newest in range ").append(e.newestInRange()).append(", newest ").append(e.newestOverall())
                            .append(e.majorUpgradeAvailable() ? ": major upgrade available" : "").append(']');
                } else if (e.dependencies() == null) {
                    b.append("  (platform)");
                }
            }
            b.append('\n');
            if (e.dependencies() != null) {
                tree(b, e.dependencies(), indent + (last ? "   " : "|  "));
            }
        }
    }

    static String uptake(List<Uptake> list) {
        Table t = new Table("ENV", "MODULE", "LINE", "NEWEST", "CONSUMERS BY VERSION", "TOTAL", "ON NEWEST");
        for (Uptake u : list) {
            String spread = u.consumers().entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                    .collect(Collectors.joining(" "));
            t.row(u.environment(), u.module(), u.line(), u.newest(), spread, u.total(), Math.round(u.shareOnNewest() * 100) + "%");
        }
        return t.toString();
    }

    static String health(Health h) {
        StringBuilder b = new StringBuilder(h.status() + ": " + h.running() + " of " + h.deployments() + " deployments running, "
                + h.leaks().size() + " retired bundle(s) still in memory");
        for (String f : h.failed()) {
            b.append("\n  not running: ").append(f);
        }
        for (Health.Leak l : h.leaks()) {
            b.append("\n  leaking: ").append(l.name()).append(' ').append(l.version()).append(" in ").append(l.environment())
                    .append(", retired ").append(l.retiredAt());
        }
        for (String f : h.findings()) {
            b.append("\n  policy finding (reported): ").append(f);
        }
        if (!h.leaks().isEmpty()) {
            b.append("\n  (").append(h.leaks().get(0).hint()).append(')');
        }
        return b.toString();
    }

    static String policy(PolicyReport p) {
        StringBuilder b = new StringBuilder(p.name() + " " + p.version() + " (" + p.kind() + ") in " + p.environment() + ": "
                + (p.allowed() ? "the policy allows it" : "the policy refuses it"));
        p.refused().forEach(f -> b.append("\n  refused:  ").append(f));
        p.reported().forEach(f -> b.append("\n  reported: ").append(f));
        p.unwired().forEach(pkg -> b.append("\n  unwired:  ").append(pkg).append(" (an optional import the policy keeps from it)"));
        if (p.exemption() != null) {
            b.append("\n  to allow it, an operator adds to the \"exemptions\" of ").append(p.policy()).append(": ").append(p.exemption());
        }
        if (p.allowed()) {
            // what the policy allows may still be refused: say where the rest is checked, not leave "allows" to read as "deploys"
            b.append("\n  the policy only: deploy --dry-run also resolves it, checks its routes and backends and, for a module,"
                    + " its API against the released versions and what its consumers use");
        }
        return b.toString();
    }

    static String graph(Graph g) {
        StringBuilder b = new StringBuilder(g.nodes().size() + " deployments, " + g.edges().size() + " wires (--dot for Graphviz)");
        for (Graph.Edge e : g.edges()) {
            b.append("\n  ").append(e.from()).append(" -> ").append(e.to()).append("  ").append(e.pkg());
        }
        for (Graph.Call c : g.calls()) {
            b.append("\n  ").append(c.from()).append(" calls ").append(c.to());
        }
        return b.toString();
    }

    static String move(Move m) {
        if (m.reason() == MoveReason.TRANSITIVE) {
            return m.consumer() + " " + m.consumerVersion() + " re-wired (a module it uses moved)";
        }
        StringBuilder b = new StringBuilder(m.consumer()).append(' ').append(m.consumerVersion()).append(": ");
        java.util.Set<String> modules = new java.util.TreeSet<>(m.from().keySet());
        modules.addAll(m.to().keySet());
        boolean first = true;
        for (String module : modules) {
            String from = m.from().get(module);
            String to = m.to().get(module);
            if (from != null && from.equals(to)) {
                continue;
            }
            b.append(first ? "" : ", ").append(module).append(' ').append(from == null ? "-" : from).append(" -> ")
                    .append(to == null ? "-" : to);
            first = false;
        }
        return b.append(" (").append(m.reason()).append(')').toString();
    }

    private static String modules(Map<String, String> modules) {
        if (modules == null || modules.isEmpty()) {
            return null;
        }
        return modules.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }
}
