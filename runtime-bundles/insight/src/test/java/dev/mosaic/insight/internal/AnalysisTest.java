package dev.mosaic.insight.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.ImportInfo;
import dev.mosaic.insight.Dependents;
import dev.mosaic.insight.ImportEdge;
import dev.mosaic.insight.Uptake;
import dev.mosaic.insight.internal.Snapshot.Wire;

/** The insight's answers on a hand-built snapshot: no framework. */
class AnalysisTest {

    private final List<DeploymentInfo> deployments = new ArrayList<>();
    private final Map<DeploymentInfo, List<Wire>> wires = new HashMap<>();

    private DeploymentInfo module(String version, boolean yanked) {
        DeploymentInfo d = info("cat", version, "module");
        d.exports = Map.of("cat.api", version);
        d.yanked = yanked;
        return d;
    }

    private DeploymentInfo adapter(String name, String uptake, String range, DeploymentInfo wiredTo) {
        DeploymentInfo d = info(name, "1.0.0", "adapter");
        d.uptake = uptake;
        ImportInfo i = new ImportInfo();
        i.pkg = "cat.api";
        i.range = range;
        d.imports = List.of(i);
        wires.put(d, List.of(new Wire("cat.api", "cat", wiredTo.version, wiredTo)));
        return d;
    }

    private DeploymentInfo info(String name, String version, String kind) {
        DeploymentInfo d = new DeploymentInfo();
        d.environment = "prod";
        d.name = name;
        d.version = version;
        d.kind = kind;
        d.imports = List.of();
        d.exports = Map.of();
        d.uptake = "auto";
        deployments.add(d);
        return d;
    }

    @Test
    void dependentsSayWhoIsWhereAndWhy() {
        DeploymentInfo v10 = module("1.0.0", false);
        DeploymentInfo v11 = module("1.1.0", false);
        DeploymentInfo v12 = module("1.2.0", true);
        adapter("ranged", "auto", "[1.0.0,2.0.0)", v11);
        adapter("pinned", "auto", "[1.0.0,1.0.0]", v10);
        adapter("manual", "manual", "[1.0.0,2.0.0)", v10);
        Analysis a = new Analysis(new Snapshot(deployments, wires));

        Dependents on10 = a.dependents("prod", "cat", "1.0.0").get(0);
        assertEquals(List.of("pinned", "manual"), on10.wired.stream().map(c -> c.name).toList());
        assertEquals("on a newer version in range (1.1.0)", on10.elsewhere.get(0).reason);

        Dependents on11 = a.dependents("prod", "cat", "1.1.0").get(0);
        assertTrue(on11.newest, "1.2.0 is yanked, so 1.1.0 is the newest");
        Map<String, String> reasons = new HashMap<>();
        on11.elsewhere.forEach(c -> reasons.put(c.name, c.reason));
        assertEquals("pinned to cat.api [1.0.0,1.0.0]", reasons.get("pinned"));
        assertEquals("manual uptake: stays on 1.0.0 until adopt", reasons.get("manual"));

        Dependents on12 = a.dependents("prod", "cat", "1.2.0").get(0);
        assertTrue(on12.yanked);
        on12.elsewhere.stream().filter(c -> c.name.equals("ranged")).forEach(c -> assertEquals("1.2.0 is yanked", c.reason));
    }

    @Test
    void uptakeCountsConsumersPerVersionAndTheShareOnTheNewest() {
        DeploymentInfo v1 = module("1.0.0", false);
        DeploymentInfo v2 = module("2.0.0", false);
        adapter("a", "auto", "[1.0.0,2.0.0)", v1);
        adapter("b", "auto", "[2.0.0,3.0.0)", v2);
        adapter("c", "auto", "[2.0.0,3.0.0)", v2);
        Uptake u = new Analysis(new Snapshot(deployments, wires)).uptake("prod", "cat").get(0);
        assertEquals(Map.of("1.0.0", 1, "2.0.0", 2), u.consumers);
        assertEquals(3, u.total);
        assertEquals(2.0 / 3, u.shareOnNewest, 1e-9);
    }

    @Test
    void dependenciesFlagNewerVersionsInRangeAndMajorUpgrades() {
        DeploymentInfo v10 = module("1.0.0", false);
        module("1.4.0", false);
        module("1.5.0", true);
        module("2.0.0", false);
        DeploymentInfo tv = adapter("tv", "manual", "[1.0.0,2.0.0)", v10);
        ImportEdge e = new Analysis(new Snapshot(deployments, wires)).dependencies("prod", "tv", null).get(0).imports.get(0);
        assertEquals("1.0.0", e.wired);
        assertEquals("1.4.0", e.newestInRange, "1.5.0 is yanked");
        assertEquals("2.0.0", e.newestOverall);
        assertTrue(e.majorUpgradeAvailable);
        assertFalse(tv.imports.isEmpty());
    }

    @Test
    void dotQuotesNamesAndMarksKinds() {
        DeploymentInfo v1 = module("1.0.0", true);
        adapter("tv\"x", "auto", "[1.0.0,2.0.0)", v1);
        String dot = Analysis.dot(new Analysis(new Snapshot(deployments, wires)).graph(null));
        assertTrue(dot.contains("\"prod/tv\\\"x@1.0.0\" [label=\"tv\\\"x\\n1.0.0\", shape=box]"), dot);
        assertTrue(dot.contains("shape=ellipse, style=dashed"), dot);
        assertTrue(dot.contains("-> \"prod/cat@1.0.0\""), dot);
    }
}
