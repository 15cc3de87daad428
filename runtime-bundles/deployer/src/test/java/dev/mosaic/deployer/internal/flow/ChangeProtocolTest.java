package dev.mosaic.deployer.internal.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.internal.framework.Generations;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.store.ArtifactStore;
import dev.mosaic.deployer.internal.store.Journal;
import dev.mosaic.deployer.internal.store.JsonSupport;
import dev.mosaic.gateway.Gateway;
import dev.mosaic.gateway.RouteInfo;
import dev.mosaic.gateway.RoutingException;

/**
 * Make-before-break, step by step, with the framework and the gateway played by fakes that
 * write down what they are asked: the order of the steps, and that a failure before the
 * record leaves nothing recorded, nothing switched, and what serves serving.
 */
class ChangeProtocolTest {

    @TempDir
    Path dir;

    private final List<String> steps = new CopyOnWriteArrayList<>();
    private final Map<UnitKey, Bundle> live = new ConcurrentHashMap<>();
    private final UnitKey old = new UnitKey("prod", "tv", "1.0.0");
    private final UnitKey next = new UnitKey("prod", "tv", "1.1.0");
    private Journal journal;
    private ChangeProtocol protocol;
    private RoutingException prepareFails;

    @BeforeEach
    void setUp() throws Exception {
        journal = new Journal(dir.resolve("journal.jsonl"), JsonSupport.mapper());
        Registry registry = new Registry();
        registry.apply(deploy("1.0.0", 1));
        journal.open();
        live.put(old, bundle(1, "1.0.0"));
        Listeners listeners = new Listeners();
        listeners.add((phase, change) -> steps.add(phase + " (" + journalLines() + " recorded)"));
        protocol = new ChangeProtocol(RecordedState.inMemory(journal, registry), new ArtifactStore(dir.resolve("artifacts")),
                new FakeGenerations(), new FakeGateway(), Duration.ofSeconds(1), listeners, new ConcurrentHashMap<>(),
                () -> "2026-12-02T00:00:00Z");
    }

    @AfterEach
    void tearDown() throws Exception {
        journal.close();
    }

    @Test
    void theNewGenerationServesBeforeTheOldOneGoesAndOnlyAfterTheChangeIsRecorded() throws Exception {
        long seq = protocol.carryOut(plan());
        assertEquals(2, seq);
        assertEquals(List.of(
                "install tv 1.1.0", "start tv 1.1.0", "prepare [tv 1.1.0] leaving [tv 1.0.0]",
                "PREPARED (0 recorded)",
                "RECORDED (1 recorded)",
                "switch [tv 1.1.0] leaving [tv 1.0.0]", "live [tv 1.1.0] removed [tv 1.0.0 in prod]",
                "SWITCHED (1 recorded)",
                "drain [tv 1.0.0]", "retire [tv 1.0.0]"), steps);
    }

    @Test
    void aRouteConflictDiscardsTheNewGenerationAndRecordsAndSwitchesNothing() throws Exception {
        prepareFails = new RoutingException(RoutingException.ROUTE_CONFLICT, "route GET /tv/home is already served");
        DeployException e = assertThrows(DeployException.class, () -> protocol.carryOut(plan()));
        assertEquals(DeployException.ROUTE_CONFLICT, e.code());
        assertEquals(List.of("install tv 1.1.0", "start tv 1.1.0", "prepare [tv 1.1.0] leaving [tv 1.0.0]",
                "discard [tv 1.1.0]"), steps);
        assertEquals(0, journalLines());
    }

    @Test
    void aChangeThatCannotBeRecordedIsDiscardedAndNeverSwitchedTo() throws Exception {
        journal.close(); // the next append fails, as on a full disk
        DeployException e = assertThrows(DeployException.class, () -> protocol.carryOut(plan()));
        assertEquals(DeployException.INTERNAL, e.code());
        assertEquals(List.of("install tv 1.1.0", "start tv 1.1.0", "prepare [tv 1.1.0] leaving [tv 1.0.0]",
                "PREPARED (0 recorded)", "discard [tv 1.1.0]"), steps);
    }

    private Plan plan() {
        Registry target = new Registry();
        target.apply(deploy("1.1.0", 1));
        Event e = deploy("1.1.0", 0);
        return new Plan(e, Map.of(next, Map.of()), Set.of(old), target, null);
    }

    private static Event deploy(String version, long seq) {
        Artifact a = new Artifact("tv", version, Kind.ADAPTER, "sha-" + version, 1, false, List.of(), List.of(), Map.of());
        Event e = Event.placing(Operation.DEPLOY, "prod", a, Map.of(), null, "test");
        e.seq = seq;
        e.time = "2026-12-01T00:00:00Z";
        return e;
    }

    private long journalLines() {
        try {
            return Files.readAllLines(dir.resolve("journal.jsonl")).size();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Bundle bundle(long id, String version) {
        return (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] { Bundle.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "getBundleId" -> id;
                    case "getSymbolicName" -> "tv";
                    case "getVersion" -> Version.parseVersion(version);
                    case "toString" -> "tv " + version;
                    case "hashCode" -> (int) id;
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static String names(Collection<Bundle> bundles) {
        return bundles.stream().map(Object::toString).toList().toString();
    }

    private final class FakeGenerations implements Generations {
        @Override
        public Bundle live(UnitKey key) {
            return live.get(key);
        }

        @Override
        public Map<UnitKey, Bundle> install(String env, Map<UnitKey, Map<String, String>> units, Map<UnitKey, Path> sources,
                ArtifactStore store, Registry registry) {
            steps.add("install tv 1.1.0");
            return Map.of(next, bundle(2, "1.1.0"));
        }

        @Override
        public void start(Map<UnitKey, Bundle> installed) {
            steps.add("start " + names(installed.values()).replaceAll("[\\[\\]]", ""));
        }

        @Override
        public String componentFailure(Bundle bundle) {
            return null;
        }

        @Override
        public void discard(Collection<Bundle> bundles) {
            steps.add("discard " + names(bundles));
        }

        @Override
        public void makeLive(Map<UnitKey, Bundle> installed, Collection<UnitKey> removed) {
            steps.add("live " + names(installed.values()) + " removed " + removed);
        }

        @Override
        public void retire(Collection<Bundle> bundles) {
            steps.add("retire " + names(bundles));
        }
    }

    private final class FakeGateway implements Gateway {
        @Override
        public AutoCloseable follow(String adapter, String environment, java.util.function.Consumer<dev.mosaic.gateway.Served> served) {
            return () -> { };
        }

        @Override
        public List<dev.mosaic.gateway.RouteStats> stats() {
            return List.of();
        }

        @Override
        public int port() {
            return 0;
        }

        @Override
        public boolean serving() {
            return true;
        }

        @Override
        public List<RouteInfo> prepare(String environment, Collection<Bundle> joining, Collection<Bundle> leaving)
                throws RoutingException {
            steps.add("prepare " + names(joining) + " leaving " + names(leaving));
            if (prepareFails != null) {
                throw prepareFails;
            }
            return List.of(new RouteInfo(environment, "GET", "/tv/home", "tv", "1.1.0", 2, 0, 0, 2000, 256, 0, 0));
        }

        @Override
        public void switchRoutes(String environment, Collection<Bundle> joining, Collection<Bundle> leaving) {
            steps.add("switch " + names(joining) + " leaving " + names(leaving));
        }

        @Override
        public boolean awaitIdle(Collection<Bundle> bundles, Duration timeout) {
            steps.add("drain " + names(bundles));
            return true;
        }

        @Override
        public void prepareSplit(String environment, Collection<Bundle> bundles) {
        }

        @Override
        public void split(String environment, String adapter, java.util.Map<Bundle, Integer> shares, String stickyKey) {
        }

        @Override
        public List<RouteInfo> routes() {
            return List.of();
        }
    }
}
