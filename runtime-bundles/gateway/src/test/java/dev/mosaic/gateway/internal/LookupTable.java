package dev.mosaic.gateway.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * For the route-lookup benchmark (bench/, through this module's test-jar): a routing table of
 * string targets, built from path templates, looked up as the request path does.
 */
public final class LookupTable {

    private final RoutingTable<String> table;

    private LookupTable(RoutingTable<String> table) {
        this.table = table;
    }

    /** @param routes GET path template to target */
    public static LookupTable of(Map<String, String> routes) throws Exception {
        List<RoutingTable.Entry<String>> entries = new ArrayList<>();
        routes.forEach((path, target) -> entries.add(new RoutingTable.Entry<>("GET", RouteTemplate.parse(path), target)));
        return new LookupTable(RoutingTable.of(entries));
    }

    /** @return what the table finds for the request (a found target, a 405, or null) */
    public Object lookup(String method, String path) {
        return table.lookup(method, path);
    }
}
