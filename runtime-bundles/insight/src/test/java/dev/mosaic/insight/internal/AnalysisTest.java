package dev.mosaic.insight.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.ImportInfo;
import dev.mosaic.deployer.Kind;
import dev.mosaic.insight.Graph;
import dev.mosaic.deployer.State;
import dev.mosaic.deployer.StayReason;
import dev.mosaic.deployer.UptakePolicy;
import dev.mosaic.insight.Consumer;
import dev.mosaic.insight.Dependents;
import dev.mosaic.insight.ImportEdge;
import dev.mosaic.insight.Uptake;
import dev.mosaic.insight.internal.Snapshot.Wire;

/** The insight's answers on a hand-built snapshot: no framework. */
class AnalysisTest {

    private final List<DeploymentInfo> deployments = new ArrayList<>();
    private final Map<DeploymentInfo, List<Wire>> wires = new HashMap<>();

    private DeploymentInfo module(String version, boolean yanked) {
        return info("cat", version, Kind.MODULE, yanked, UptakePolicy.AUTO, Map.of("cat.api", version), List.of());
    }

    private DeploymentInfo adapter(String name, UptakePolicy uptake, String range, DeploymentInfo wiredTo) {
        DeploymentInfo d = info(name, "1.0.0", Kind.ADAPTER, false, uptake, Map.of(),
                List.of(new ImportInfo("cat.api", range, false)));
        wires.put(d, List.of(new Wire("cat.api", "cat", wiredTo.version(), wiredTo)));
        return d;
    }

    private DeploymentInfo info(String name, String version, Kind kind, boolean yanked, UptakePolicy uptake,
            Map<String, String> exports, List<ImportInfo> imports) {
        DeploymentInfo d = new DeploymentInfo("prod", name, version, kind, "sha", 1, null, null, null, null, null, uptake,
                yanked, Map.of(), State.RUNNING, null, Map.of(), null, null, -1, exports, imports, List.of());
        deployments.add(d);
        return d;
    }

    @Test
    void dependentsSayWhoIsWhereAndWhy() {
        DeploymentInfo v10 = module("1.0.0", false);
        DeploymentInfo v11 = module("1.1.0", false);
        DeploymentInfo v12 = module("1.2.0", true);
        adapter("ranged", UptakePolicy.AUTO, "[1.0.0,2.0.0)", v11);
        adapter("pinned", UptakePolicy.AUTO, "[1.0.0,1.0.0]", v10);
        adapter("manual", UptakePolicy.MANUAL, "[1.0.0,2.0.0)", v10);
        Analysis a = new Analysis(new Snapshot(deployments, wires));

        Dependents on10 = a.dependents("prod", "cat", "1.0.0").get(0);
        assertEquals(List.of("pinned", "manual"), on10.wired().stream().map(Consumer::name).toList());
        assertEquals("on a newer version in range: 1.1.0", on10.elsewhere().get(0).reason());
        assertEquals(StayReason.ON_NEWER, on10.elsewhere().get(0).why());

        Dependents on11 = a.dependents("prod", "cat", "1.1.0").get(0);
        assertTrue(on11.newest(), "1.2.0 is yanked, so 1.1.0 is the newest");
        Map<String, String> reasons = new HashMap<>();
        on11.elsewhere().forEach(c -> reasons.put(c.name(), c.reason()));
        assertEquals("pinned: cat.api [1.0.0,1.0.0]", reasons.get("pinned"));
        assertEquals("manual uptake: stays on 1.0.0 until adopt", reasons.get("manual"));

        Dependents on12 = a.dependents("prod", "cat", "1.2.0").get(0);
        assertTrue(on12.yanked());
        on12.elsewhere().stream().filter(c -> c.name().equals("ranged")).forEach(c -> assertEquals("1.2.0 is yanked", c.reason()));
    }

    @Test
    void uptakeCountsConsumersPerVersionAndTheShareOnTheNewest() {
        DeploymentInfo v1 = module("1.0.0", false);
        DeploymentInfo v2 = module("2.0.0", false);
        adapter("a", UptakePolicy.AUTO, "[1.0.0,2.0.0)", v1);
        adapter("b", UptakePolicy.AUTO, "[2.0.0,3.0.0)", v2);
        adapter("c", UptakePolicy.AUTO, "[2.0.0,3.0.0)", v2);
        module("1.1.0", false);
        List<Uptake> lines = new Analysis(new Snapshot(deployments, wires)).uptake("prod", "cat");
        assertEquals(List.of("1.x", "2.x"), lines.stream().map(Uptake::line).toList(), "one row per major line");
        Uptake one = lines.get(0);
        assertEquals(Map.of("1.0.0", 1, "1.1.0", 0), one.consumers());
        assertEquals("1.1.0", one.newest(), "a 1.x consumer's newest is 1.1.0, not 2.0.0");
        assertEquals(0.0, one.shareOnNewest(), 1e-9);
        Uptake two = lines.get(1);
        assertEquals(Map.of("2.0.0", 2), two.consumers());
        assertEquals(2, two.total());
        assertEquals(1.0, two.shareOnNewest(), 1e-9);
    }

    @Test
    void dependenciesFlagNewerVersionsInRangeAndMajorUpgrades() {
        DeploymentInfo v10 = module("1.0.0", false);
        module("1.4.0", false);
        module("1.5.0", true);
        module("2.0.0", false);
        DeploymentInfo tv = adapter("tv", UptakePolicy.MANUAL, "[1.0.0,2.0.0)", v10);
        ImportEdge e = new Analysis(new Snapshot(deployments, wires)).dependencies("prod", "tv", null).get(0).imports().get(0);
        assertEquals("1.0.0", e.wired());
        assertEquals("1.4.0", e.newestInRange(), "1.5.0 is yanked");
        assertEquals("2.0.0", e.newestOverall());
        assertTrue(e.majorUpgradeAvailable());
        assertFalse(tv.imports().isEmpty());
    }

    @Test
    void anImportOfItsOwnPackageIsWiredToItselfNotUnwired() {
        DeploymentInfo self = info("cat", "1.0.0", Kind.MODULE, false, UptakePolicy.AUTO, Map.of("cat.api", "1.0.0"),
                List.of(new ImportInfo("cat.api", "[1.0.0,2.0.0)", false)));
        ImportEdge e = new Analysis(new Snapshot(deployments, wires)).dependencies("prod", "cat", "1.0.0").get(0).imports().get(0);
        assertEquals("cat", e.provider());
        assertEquals(self.version(), e.wired());
    }

    @Test
    void dotQuotesNamesAndMarksKinds() {
        DeploymentInfo v1 = module("1.0.0", true);
        adapter("tv\"x", UptakePolicy.AUTO, "[1.0.0,2.0.0)", v1);
        String dot = Analysis.dot(new Analysis(new Snapshot(deployments, wires)).graph(null));
        assertTrue(dot.contains("\"prod/tv\\\"x@1.0.0\" [label=\"tv\\\"x\\n1.0.0\", shape=box]"), dot);
        assertTrue(dot.contains("shape=ellipse, style=dashed"), dot);
        assertTrue(dot.contains("-> \"prod/cat@1.0.0\""), dot);
    }

    @Test
    void adaptersShowTheBackendsTheyCallInDepsAndTheGraph() {
        DeploymentInfo v1 = module("1.0.0", false);
        DeploymentInfo composed = new DeploymentInfo("prod", "tv", "1.2.0", Kind.ADAPTER, "sha", 1, null, null, null, null, null,
                UptakePolicy.AUTO, false, Map.of(), State.RUNNING, null, Map.of("Mosaic-Backends", "recommendations, bookmarks"),
                null, null, -1, Map.of(), List.of(new ImportInfo("cat.api", "[1.0.0,2.0.0)", false)), List.of());
        deployments.add(composed);
        wires.put(composed, List.of(new Wire("cat.api", "cat", "1.0.0", v1)));
        adapter("plain", UptakePolicy.AUTO, "[1.0.0,2.0.0)", v1);
        Analysis a = new Analysis(new Snapshot(deployments, wires));
        assertEquals(List.of("recommendations", "bookmarks"), a.dependencies("prod", "tv", null).get(0).backends());
        assertEquals(List.of(), a.dependencies("prod", "plain", null).get(0).backends());
        Graph g = a.graph("prod");
        assertEquals(List.of("prod/backend:recommendations", "prod/backend:bookmarks"),
                g.calls().stream().map(Graph.Call::to).toList());
        String dot = Analysis.dot(g);
        assertTrue(dot.contains("\"prod/backend:bookmarks\" [label=\"bookmarks\", shape=cylinder]"), dot);
        assertTrue(dot.contains("\"prod/tv@1.2.0\" -> \"prod/backend:recommendations\" [style=dotted, label=\"calls\"]"), dot);
        List<Dependents> callers = a.dependents(null, "backend:bookmarks", null);
        assertEquals(1, callers.size());
        assertEquals(List.of("tv 1.2.0"), callers.get(0).wired().stream().map(c -> c.name() + " " + c.version()).toList());
        assertEquals(List.of(), a.dependents("test", "backend:bookmarks", null).get(0).wired(), "asked for: listed, with no caller");
        assertEquals(List.of(), a.dependents(null, "backend:ratings", null), "nobody calls it anywhere");
        assertThrows(IllegalArgumentException.class, () -> a.dependents(null, "backend:bookmarks", "1.0.0"));
    }
}
