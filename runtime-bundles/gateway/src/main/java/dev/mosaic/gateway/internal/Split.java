package dev.mosaic.gateway.internal;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.eclipse.jetty.server.Request;

import dev.mosaic.gateway.internal.RoutingTable.Found;
import dev.mosaic.gateway.internal.RoutingTable.Lookup;

/**
 * How one adapter's requests in an environment are shared among its versions: each version (an
 * {@link Arm}) has a weight out of 100. A request goes to the version its sticky key's value
 * hashes to (the same value, the same version, on every instance of a fleet: the hash is
 * {@link String#hashCode}'s, which Java specifies), or, without a key, to one drawn at random;
 * a request naming a version ({@value dev.mosaic.gateway.Gateway#VERSION_HEADER}, where it is
 * allowed) goes to that version, one with no share included. The version whose routes are in the
 * environment's table needs no lookup of its own; another version's routes are looked up in a
 * table of their own, and a path that version does not serve goes to the first.
 */
final class Split {

    /** One version: its bundle, its share (the cumulative bound of its buckets), and its routes (null: the table's). */
    record Arm(long bundleId, String version, int upTo, RoutingTable<Target> table) {
    }

    final String adapter;
    private final Arm[] arms;
    private final String stickyHeader;
    private final String stickyQuery;

    /** @param sticky {@code header:NAME}, {@code query:NAME} or null */
    Split(String adapter, List<Arm> arms, String sticky) {
        this.adapter = adapter;
        this.arms = arms.toArray(Arm[]::new);
        this.stickyHeader = sticky != null && sticky.startsWith("header:") ? sticky.substring("header:".length()) : null;
        this.stickyQuery = sticky != null && sticky.startsWith("query:") ? sticky.substring("query:".length()) : null;
    }

    List<Arm> arms() {
        return List.of(arms);
    }

    /**
     * @param found what the environment's table found: a route of this adapter's serving version
     * @param version the version the request asks for, where it may ask (else null)
     * @return what serves the request
     */
    Found<Target> route(Found<Target> found, Request request, String method, String path, String version) {
        Arm arm = version != null ? named(version) : null;
        if (arm == null) {
            arm = byBucket(bucket(request));
        }
        if (arm == null || arm.table == null || arm.bundleId == found.entry().target().bundleId()) {
            return found;
        }
        Lookup<Target> other = arm.table.lookup(method, path);
        return other instanceof Found<Target> f ? f : found;
    }

    private Arm named(String version) {
        for (Arm a : arms) {
            if (a.version.equals(version)) {
                return a;
            }
        }
        return null;
    }

    private Arm byBucket(int bucket) {
        for (Arm a : arms) {
            if (bucket < a.upTo) {
                return a;
            }
        }
        return null;
    }

    /** @return 0..99: the sticky key's value's bucket, or a random one */
    private int bucket(Request request) {
        String value = null;
        if (stickyHeader != null) {
            value = request.getHeaders().get(stickyHeader);
        } else if (stickyQuery != null) {
            value = queryValue(request.getHttpURI().getQuery(), stickyQuery);
        }
        return value == null ? ThreadLocalRandom.current().nextInt(100) : bucket(adapter, value);
    }

    /** The bucket of a sticky value: its hash mixed (so that similar values spread), the same on every JVM. */
    static int bucket(String adapter, String value) {
        int h = (adapter + '\n' + value).hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return Math.floorMod(h, 100);
    }

    /** @return the raw value of the first {@code name=} in the query, or null */
    static String queryValue(String query, String name) {
        if (query == null) {
            return null;
        }
        int from = 0;
        while (from <= query.length()) {
            int end = query.indexOf('&', from);
            if (end < 0) {
                end = query.length();
            }
            if (query.startsWith(name, from) && from + name.length() < end && query.charAt(from + name.length()) == '=') {
                return query.substring(from + name.length() + 1, end);
            }
            from = end + 1;
        }
        return null;
    }
}
