package dev.mosaic.shell.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.Fleet;

/**
 * What the management API adds in a fleet: a change answers when every live instance has
 * applied its revision (or, after {@code mosaic.fleet.awaitMillis}, with 202 and who has not,
 * and why), unless asked not to wait ({@code X-Mosaic-Async: true} or {@code ?async=true});
 * {@code GET /fleet} lists the instances; and an instance that cannot reach the store says so
 * on every answer ({@value #STALE}).
 */
final class FleetViews {

    /** On every answer of an instance that cannot reach the store: since when, and the revision it serves. */
    static final String STALE = "X-Mosaic-Stale";
    /** On the answer to a change in a fleet: its revision. */
    static final String REVISION = "X-Mosaic-Revision";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING);

    private final Supplier<Fleet> fleet;
    private final Duration await;

    FleetViews(Supplier<Fleet> fleet, Duration await) {
        this.fleet = fleet;
        this.await = await;
    }

    /** A change's result with where its revision stands in the fleet: the result's fields, and {@code fleet}. */
    record Converged(DeployResult result, Fleet.Convergence fleet) {
        @JsonValue
        Map<String, Object> json() {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = MAPPER.convertValue(result, LinkedHashMap.class);
            m.put("fleet", fleet);
            return m;
        }

        String text() {
            String head = Formats.format(result);
            if (fleet.complete()) {
                return head + "\nrevision " + fleet.revision() + " applied by all " + fleet.applied().size()
                        + " live instance(s) in " + fleet.millis() + " ms";
            }
            StringBuilder b = new StringBuilder(head).append("\nrevision ").append(fleet.revision())
                    .append(" is committed, but not applied yet by ").append(fleet.pending().size()).append(" of ")
                    .append(fleet.pending().size() + fleet.applied().size()).append(" live instance(s) after ")
                    .append(fleet.millis()).append(" ms:");
            for (Fleet.Pending p : fleet.pending()) {
                b.append("\n  ").append(p.id()).append(" (").append(p.group()).append("): ").append(p.reason());
            }
            return b.toString();
        }
    }

    /** @return the answer to a change: as it is outside a fleet or when asked not to wait; else once converged */
    Object afterChange(Object body, ApiRequest request, org.eclipse.jetty.server.Response response) throws DeployException {
        Fleet f = fleet.get();
        if (f == null || !(body instanceof DeployResult dr) || !dr.changed() || dr.sequence() <= 0) {
            return body;
        }
        response.getHeaders().put(REVISION, Long.toString(dr.sequence()));
        if (request.async()) {
            return body;
        }
        try {
            Fleet.Convergence c = f.await(dr.sequence(), await);
            Converged converged = new Converged(dr, c);
            return c.complete() ? converged : new Answers.Status(202, converged);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return body;
        }
    }

    /**
     * @return a change made at the console, once every live instance has applied it (or the wait ran out: the answer
     *         names who has not); outside a fleet, or for what changed nothing, the result as it is
     */
    Object applied(DeployResult result) {
        Fleet f = fleet.get();
        if (f == null || !result.changed() || result.sequence() <= 0) {
            return result;
        }
        try {
            return new Converged(result, f.await(result.sequence(), await));
        } catch (DeployException e) {
            return result; // the change is committed; where the fleet stands cannot be read now
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return result;
        }
    }

    /** Says on the answer that this instance cannot reach the store. */
    void markStale(org.eclipse.jetty.server.Response response) {
        Fleet f = fleet.get();
        if (f == null) {
            return;
        }
        Fleet.StoreStatus s = f.status();
        if (!s.reachable()) {
            response.getHeaders().put(STALE, "store unreachable since " + Instant.ofEpochMilli(s.unreachableSinceMillis())
                    + "; this answer is as of revision " + s.applied());
        }
    }

    /** {@code GET /fleet}: this instance, the store as it sees it, and every instance. */
    Object list() throws DeployException, Answers.ApiError {
        Fleet f = fleet.get();
        if (f == null) {
            throw new Answers.ApiError(404, DeployException.NOT_FOUND, "this runtime is not part of a fleet: it keeps its"
                    + " registry in its data directory (bin/mosaic run --store postgresql://HOST:PORT/DB makes a fleet instance)");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instance", f.instanceId());
        m.put("store", f.status());
        m.put("instances", f.instances());
        return new Listing(m);
    }

    /** The fleet's listing, shown as a table to people. */
    record Listing(@JsonValue Map<String, Object> json) {
        @SuppressWarnings("unchecked")
        String text() {
            Fleet.StoreStatus s = (Fleet.StoreStatus) json.get("store");
            List<Fleet.FleetInstance> all = (List<Fleet.FleetInstance>) json.get("instances");
            Table t = new Table("ID", "GROUP", "ADDRESS", "RUNTIME", "APPLIED", "LAG", "HEALTH", "HEARTBEAT", "LIVE");
            Map<String, List<String>> runtimes = new java.util.TreeMap<>();
            for (Fleet.FleetInstance i : all) {
                String runtime = runtime(i);
                t.row(i.id() + (i.id().equals(json.get("instance")) ? " *" : ""), i.group(), i.address() == null ? "-"
                        : i.address(), runtime, Long.toString(i.applied()), Long.toString(i.lag()),
                        i.health() + (i.problem() == null ? "" : ": " + i.problem()), i.heartbeatAgeMillis() + " ms ago",
                        i.live() ? "yes" : "no");
                if (i.live()) {
                    runtimes.computeIfAbsent(runtime + ", revision format " + i.applies(), k -> new java.util.ArrayList<>())
                            .add(i.id());
                }
            }
            StringBuilder mixed = new StringBuilder();
            if (runtimes.size() > 1) {
                // an upgrade under way: say it, and what it means for changes
                mixed.append("the live instances run ").append(runtimes.size()).append(" versions:");
                runtimes.forEach((r, ids) -> mixed.append(' ').append(r).append(" (").append(String.join(", ", ids)).append(");"));
                mixed.append(" a change an older one cannot apply is refused until it is upgraded\n");
            }
            return "store " + s.store() + (s.reachable() ? "" : " UNREACHABLE since " + Instant.ofEpochMilli(
                    s.unreachableSinceMillis()) + " (" + s.problem() + ")") + "; this instance (*) at revision " + s.applied()
                    + "\n" + mixed + t;
        }

        private static String runtime(Fleet.FleetInstance i) {
            return i.runtime() == null ? "(older)" : i.runtime();
        }
    }
}
