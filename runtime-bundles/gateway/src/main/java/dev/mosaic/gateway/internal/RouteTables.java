package dev.mosaic.gateway.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.mosaic.gateway.RouteInfo;
import dev.mosaic.gateway.RoutingException;
import dev.mosaic.gateway.internal.RoutingTable.Entry;

/**
 * The routing table of each environment, behind one volatile field: the request path reads
 * it once per request and never waits; a change builds the next table from the current one
 * ({@link RoutingTable#with}, path copying) and publishes it in one write. Changes are
 * serialised by the caller.
 */
final class RouteTables {

    private volatile Map<String, RoutingTable<Target>> tables = Map.of();
    /** By environment and adapter, the adapters whose requests are shared among versions (most have none). */
    private volatile Map<String, Map<String, Split>> splits = Map.of();

    /** @return every environment's table, for the request path */
    Map<String, RoutingTable<Target>> current() {
        return tables;
    }

    /** @return the splits, by environment and adapter, for the request path */
    Map<String, Map<String, Split>> splits() {
        return splits;
    }

    /** Sets (or, with null, removes) the adapter's split in the environment. */
    void split(String environment, String adapter, Split split) {
        Map<String, Map<String, Split>> next = new HashMap<>(splits);
        Map<String, Split> env = new HashMap<>(next.getOrDefault(environment, Map.of()));
        if (split == null) {
            env.remove(adapter);
        } else {
            env.put(adapter, split);
        }
        if (env.isEmpty()) {
            next.remove(environment);
        } else {
            next.put(environment, Map.copyOf(env));
        }
        splits = Map.copyOf(next);
    }

    /** @return the targets of the versions that serve through a split, not through the table (for routes and stats) */
    private List<Map.Entry<String, Target>> sharing() {
        List<Map.Entry<String, Target>> out = new ArrayList<>();
        splits.forEach((env, byAdapter) -> byAdapter.values().forEach(s -> s.arms().forEach(a -> {
            if (a.table() != null) {
                a.table().entries().forEach(e -> out.add(Map.entry(env, e.target())));
            }
        })));
        return out;
    }

    /**
     * @return the table the environment would have with {@code added} in and {@code removed} out
     * @throws RoutingException if an added route is taken, naming both claimants
     */
    RoutingTable<Target> next(String environment, List<Target> added, Collection<Target> removed) throws RoutingException {
        List<Entry<Target>> in = new ArrayList<>();
        added.forEach(t -> in.add(t.entry()));
        List<Entry<Target>> out = new ArrayList<>();
        removed.forEach(t -> out.add(t.entry()));
        try {
            return tables.getOrDefault(environment, RoutingTable.empty()).with(in, out);
        } catch (RoutingTable.ConflictException c) {
            throw conflict(environment, added, (Target) c.first().target(), (Target) c.second().target());
        }
    }

    /** Publishes the environment's next table (an empty one takes the environment out). */
    void publish(String environment, RoutingTable<Target> table) {
        Map<String, RoutingTable<Target>> next = new HashMap<>(tables);
        if (table.size() == 0) {
            next.remove(environment);
        } else {
            next.put(environment, table);
        }
        tables = Map.copyOf(next);
        DeviceThreads.routesChanged();
    }

    /** @return the environments the target served in, which it no longer does */
    List<String> removeEverywhere(Target target) {
        Map<String, RoutingTable<Target>> next = new HashMap<>();
        List<String> servedIn = new ArrayList<>();
        for (Map.Entry<String, RoutingTable<Target>> env : tables.entrySet()) {
            RoutingTable<Target> kept;
            try {
                kept = env.getValue().with(List.of(), List.of(target.entry()));
            } catch (RoutingTable.ConflictException impossible) {
                throw new IllegalStateException(impossible);
            }
            if (kept != env.getValue()) {
                servedIn.add(env.getKey());
            }
            if (kept.size() > 0) {
                next.put(env.getKey(), kept);
            }
        }
        if (!servedIn.isEmpty()) {
            tables = Map.copyOf(next);
            DeviceThreads.routesChanged();
        }
        return servedIn;
    }

    void clear() {
        tables = Map.of();
        splits = Map.of();
    }

    /** @return every route served now, by environment, path and method */
    List<RouteInfo> routes() {
        List<RouteInfo> infos = new ArrayList<>();
        for (Map.Entry<String, RoutingTable<Target>> env : tables.entrySet()) {
            for (Entry<Target> e : env.getValue().entries()) {
                infos.add(info(env.getKey(), e.target()));
            }
        }
        sharing().forEach(t -> infos.add(info(t.getKey(), t.getValue())));
        infos.sort((a, b) -> {
            int c = a.environment().compareTo(b.environment());
            c = c != 0 ? c : a.path().compareTo(b.path());
            return c != 0 ? c : a.method().compareTo(b.method());
        });
        return infos;
    }

    List<dev.mosaic.gateway.RouteStats> stats() {
        List<dev.mosaic.gateway.RouteStats> out = new ArrayList<>();
        for (Map.Entry<String, RoutingTable<Target>> env : tables.entrySet()) {
            for (Entry<Target> e : env.getValue().entries()) {
                out.add(stats(env.getKey(), e.target()));
            }
        }
        sharing().forEach(t -> out.add(stats(t.getKey(), t.getValue())));
        return out;
    }

    static dev.mosaic.gateway.RouteStats stats(String environment, Target t) {
        long[] classes = new long[t.statusClasses.length];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = t.statusClasses[i].sum();
        }
        return new dev.mosaic.gateway.RouteStats(environment, t.method, t.template.toString(), t.tenant.adapter, t.tenant.version,
                classes, t.tenant.timeouts.sum(), t.tenant.rejected.sum(), t.tenant.inFlight(), t.backendCalls.sum(),
                t.latency.snapshot());
    }

    static RouteInfo info(String environment, Target t) {
        return new RouteInfo(environment, t.method, t.template.toString(), t.tenant.adapter, t.tenant.version, t.bundleId(),
                t.requests.sum(), t.failures.sum(), t.tenant.timeoutMillis, t.tenant.concurrency, t.tenant.timeouts.sum(),
                t.tenant.rejected.sum(), java.util.List.copyOf(t.tenant.backends), t.backendCalls.sum());
    }

    private static RoutingException conflict(String environment, List<Target> added, Target first, Target second) {
        if (first.bundleId() == second.bundleId()) {
            return new RoutingException(RoutingException.ROUTE_CONFLICT, first.tenant + " has two handlers for "
                    + first.method + " " + first.template.shape() + " (" + first.template + " and " + second.template
                    + "); each route needs exactly one");
        }
        Target existing = added.contains(first) ? second : first;
        Target claimant = existing == first ? second : first;
        return new RoutingException(RoutingException.ROUTE_CONFLICT, "route " + claimant.method + " " + claimant.template
                + " of " + claimant.tenant + " is already served by " + existing.tenant + " (" + existing.method + " "
                + existing.template + ") in environment " + environment + "; undeploy that adapter first or choose another path");
    }
}
