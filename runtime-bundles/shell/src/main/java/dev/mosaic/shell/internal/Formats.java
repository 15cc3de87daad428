package dev.mosaic.shell.internal;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.HistoryEntry;
import dev.mosaic.deployer.Move;
import dev.mosaic.deployer.RouteView;

/** How the console shows what the commands return. */
final class Formats {

    private Formats() {
    }

    /** @return the text for a value the commands return, or null if it is not one of ours */
    static String format(Object value) {
        if (value instanceof DeployResult r) {
            return result(r);
        }
        if (value instanceof List<?> list && !list.isEmpty()) {
            Object first = list.get(0);
            if (first instanceof RouteView) {
                return routes(cast(list));
            }
            if (first instanceof DeploymentInfo) {
                return deployments(cast(list));
            }
            if (first instanceof HistoryEntry) {
                return history(cast(list));
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> cast(List<?> list) {
        return (List<T>) list;
    }

    static String routes(List<RouteView> routes) {
        Table t = new Table("ENV", "METHOD", "PATH", "ADAPTER", "VERSION", "MODULES", "REQUESTS", "5XX");
        for (RouteView r : routes) {
            t.row(r.environment, r.method, r.path, r.adapter, r.adapterVersion, modules(r.modules), r.requests, r.failures);
        }
        return t.toString();
    }

    static String deployments(List<DeploymentInfo> list) {
        Table t = new Table("ENV", "KIND", "NAME", "VERSION", "STATE", "UPTAKE", "BINDINGS", "OWNER", "DEPLOYED", "BY", "SHA256");
        for (DeploymentInfo d : list) {
            String state = d.yanked ? d.state + ",yanked" : d.state;
            t.row(d.environment, d.kind, d.name, d.version, state, d.uptake, modules(d.bindings), d.owner, d.deployedAt,
                    d.deployedBy, d.sha256 == null ? null : d.sha256.substring(0, 12));
        }
        StringBuilder b = new StringBuilder(t.toString());
        for (DeploymentInfo d : list) {
            if (d.problem != null) {
                b.append('\n').append(d.name).append(' ').append(d.version).append(" failed: ").append(d.problem);
            }
        }
        return b.toString();
    }

    static String history(List<HistoryEntry> entries) {
        Table t = new Table("SEQ", "TIME", "ACTOR", "OPERATION", "ENV", "NAME", "VERSION", "DETAIL");
        for (HistoryEntry h : entries) {
            String detail = h.replacedVersion != null ? "replaced " + h.replacedVersion : "";
            if (h.moves != null && !h.moves.isEmpty()) {
                detail += (detail.isEmpty() ? "" : "; ") + moves(h.moves);
            }
            t.row(h.sequence, h.time, h.actor, h.operation, h.environment, h.name, h.version, detail.isEmpty() ? null : detail);
        }
        return t.toString();
    }

    static String result(DeployResult r) {
        StringBuilder b = new StringBuilder(r.summary);
        if (r.changed) {
            b.append(" (").append(r.millis).append(" ms, history #").append(r.sequence).append(')');
        }
        if (r.moves != null) {
            for (Move m : r.moves) {
                b.append("\n  ").append(move(m));
            }
        }
        return b.toString();
    }

    private static String moves(List<Move> moves) {
        return moves.stream().map(Formats::move).collect(Collectors.joining("; "));
    }

    static String move(Move m) {
        if ("transitive".equals(m.reason)) {
            return m.consumer + " " + m.consumerVersion + " re-wired (a module it uses moved)";
        }
        StringBuilder b = new StringBuilder(m.consumer).append(' ').append(m.consumerVersion).append(": ");
        java.util.Set<String> modules = new java.util.TreeSet<>(m.from.keySet());
        modules.addAll(m.to.keySet());
        boolean first = true;
        for (String module : modules) {
            String from = m.from.get(module);
            String to = m.to.get(module);
            if (from != null && from.equals(to)) {
                continue;
            }
            b.append(first ? "" : ", ").append(module).append(' ').append(from == null ? "-" : from).append(" -> ")
                    .append(to == null ? "-" : to);
            first = false;
        }
        return b.append(" (").append(m.reason).append(')').toString();
    }

    private static String modules(Map<String, String> modules) {
        if (modules == null || modules.isEmpty()) {
            return null;
        }
        return modules.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }
}
