package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.Move;
import dev.mosaic.deployer.Stay;
import dev.mosaic.insight.Consumer;
import dev.mosaic.insight.DependencyNode;
import dev.mosaic.insight.Dependents;
import dev.mosaic.insight.ImportEdge;
import dev.mosaic.insight.Insight;
import dev.mosaic.insight.Uptake;
import dev.mosaic.deployer.Operation;

/**
 * Environments kept apart, promotion of identical artifacts, the insight answers checked
 * against the framework's wiring, TTLs and sunsets on a clock the test controls.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LifecycleIT extends MosaicSupport {

    private static final String CATALOG = "dev.mosaic.examples.catalog";
    private static final String TV = "dev.mosaic.examples.tv-home";

    /** A clock the test moves forward; registered as a service, the deployer uses it instead of the system's. */
    static final class TestClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final TestClock clock = new TestClock();
    private ServiceRegistration<Clock> clockRegistration;

    @Configuration
    public Option[] config() {
        return runtime(frameworkProperty("mosaic.ttl.sweepMillis").value("50"));
    }

    @Before
    public void controlTheClock() throws Exception {
        deployer();
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("mosaic.clock", "test");
        clockRegistration = context.registerService(Clock.class, clock, props);
    }

    @After
    public void releaseTheClockAndCheckTheExamples() throws Exception {
        clockRegistration.unregister();
        for (String env : List.of("test", "staging")) {
            for (DeploymentInfo d : deployer().list(env)) {
                fail("left behind in " + env + ": " + d.name() + " " + d.version());
            }
        }
        assertEquals("1.1.0", moduleVersion("/tv/home"));
        assertEquals("1.0.0", moduleVersion("/mobile/home"));
        assertEquals("2.0.0", moduleVersion("/glasses/play/42"));
    }

    @Test
    public void aModuleReleasedToTestIsInvisibleToProdConsumers() throws Exception {
        Deployer d = deployer();
        DeployResult release = deploy(example("catalog-1.2.0.jar"), "test");
        try {
            assertTrue("no prod consumer moves: " + release.moves(), release.moves().isEmpty());
            assertEquals("1.1.0", moduleVersion("/tv/home"));
            assertEquals(Map.of(CATALOG, "1.1.0"), wiredModules(live(TV, "1.0.0")));

            // the same adapter in test sees only test's catalog
            deploy(example("seed/tv-home-1.0.0.jar"), "test");
            assertEquals("1.2.0", ok("/tv/home", "X-Mosaic-Env", "test").get("moduleVersion").asText());
            assertEquals("1.1.0", ok("/tv/home").get("moduleVersion").asText());
            Bundle testTv = tenant("test", TV, "1.0.0");
            Bundle provider = testTv.adapt(org.osgi.framework.wiring.BundleWiring.class)
                    .getRequiredWires(org.osgi.framework.namespace.PackageNamespace.PACKAGE_NAMESPACE).stream()
                    .map(w -> w.getProvider().getBundle()).filter(b -> b.getSymbolicName().equals(CATALOG)).findFirst()
                    .orElseThrow();
            assertTrue(provider.getLocation(), provider.getLocation().startsWith("mosaic:test/"));
            assertTrue(insight().dependents("prod", CATALOG, "1.2.0").isEmpty());
            assertEquals(List.of(TV), insight().dependents("test", CATALOG, "1.2.0").get(0).wired().stream()
                    .map(c -> c.name()).toList());
        } finally {
            d.undeploy("test", TV, null, false, "itest");
            d.undeploy("test", CATALOG, "1.2.0", false, "itest");
        }
        assertEquals(404, get("/tv/home", "X-Mosaic-Env", "test").statusCode());
    }

    @Test
    public void promoteDeploysTheVeryArtifactFromOneEnvironmentToAnother() throws Exception {
        Deployer d = deployer();
        DeployResult inTest = deploy(fixture("failing"), "test");
        try {
            DeployResult promoted = d.promote("dev.mosaic.fixtures.failing", null, "test", "staging", "itest");
            assertEquals(Operation.PROMOTE, promoted.operation());
            assertEquals(inTest.deployment().sha256(), promoted.deployment().sha256());
            assertEquals("staging", promoted.deployment().environment());
            assertEquals(202, get("/fixtures/echo/x", "X-Mosaic-Env", "staging").statusCode());
            assertEquals(404, get("/fixtures/echo/x").statusCode());
            assertEquals(Operation.PROMOTE, d.history(1).get(0).operation());

            assertRefused(DeployException.NOT_FOUND, "nothing is deployed in environment 'qa'",
                    () -> d.promote("dev.mosaic.fixtures.failing", null, "qa", "prod", "itest"));
            assertRefused(DeployException.NOT_FOUND, "nothing named no.such.adapter is deployed in test",
                    () -> d.promote("no.such.adapter", null, "test", "prod", "itest"));
            assertRefused(DeployException.INVALID_ARGUMENT, "two different environments",
                    () -> d.promote("dev.mosaic.fixtures.failing", null, "test", "test", "itest"));
            assertRefused(DeployException.INVALID_ARGUMENT, "not an environment name",
                    () -> d.promote("dev.mosaic.fixtures.failing", null, "test", "Prod!", "itest"));
            assertRefused(DeployException.NOT_FOUND, "not deployed in prod",
                    () -> d.promote(CATALOG, "9.9.9", "prod", "test", "itest"));
        } finally {
            d.undeploy("staging", "dev.mosaic.fixtures.failing", null, false, "itest");
            d.undeploy("test", "dev.mosaic.fixtures.failing", null, false, "itest");
        }
    }

    @Test
    public void dependentsDependenciesUptakeAndDryRunMatchTheWiring() throws Exception {
        Deployer d = deployer();
        deploy(fixture("manual"));
        try {
            DeployOptions dry = DeployOptions.to("prod", "itest").withDryRun(true);
            Set<String> before = tenantBundles();
            long seq = d.history(1).get(0).sequence();
            DeployResult predicted = d.deploy(example("catalog-1.2.0.jar"), dry);
            assertTrue(predicted.dryRun());
            assertTrue(predicted.problems().toString(), predicted.problems().isEmpty());
            assertEquals("nothing installed by a dry run", before, tenantBundles());
            assertEquals("nothing recorded by a dry run", seq, d.history(1).get(0).sequence());
            Map<String, String> stays = predicted.stays().stream().collect(Collectors.toMap(m -> m.consumer(), m -> m.reason()));
            assertTrue(stays.toString(), stays.get("dev.mosaic.fixtures.manual").startsWith("manual uptake"));
            assertTrue(stays.toString(), stays.get("dev.mosaic.examples.mobile-home").startsWith("pinned"));
            assertTrue(stays.toString(), stays.get("dev.mosaic.examples.glasses-play").startsWith("out of range"));

            DeployResult actual = deploy(example("catalog-1.2.0.jar"));
            assertEquals(describe(predicted.moves()), describe(actual.moves()));

            // dependents, from the insight, against the wiring read here
            List<Dependents> dependents = insight().dependents("prod", CATALOG, null);
            assertEquals(List.of("1.0.0", "1.1.0", "1.2.0", "2.0.0"), dependents.stream().map(x -> x.version()).toList());
            for (Dependents v : dependents) {
                assertEquals("wired to " + v.version(), wiredTo(v.version()), v.wired().stream().map(c -> c.name()).collect(Collectors.toCollection(TreeSet::new)));
            }
            Dependents v12 = dependents.stream().filter(x -> x.version().equals("1.2.0")).findFirst().orElseThrow();
            assertTrue("a consumer wired to a version admits it", v12.wired().stream().allMatch(c -> c.admits()));
            assertTrue(v12.newest() == false);
            Map<String, Consumer> elsewhere = v12.elsewhere().stream().collect(Collectors.toMap(c -> c.name(), c -> c));
            assertEquals("1.1.0", elsewhere.get("dev.mosaic.fixtures.manual").wiredTo());
            assertTrue(elsewhere.get("dev.mosaic.fixtures.manual").admits());
            assertTrue(elsewhere.get("dev.mosaic.fixtures.manual").reason().startsWith("manual uptake"));
            assertFalse(elsewhere.get("dev.mosaic.examples.mobile-home").admits());
            assertTrue(elsewhere.get("dev.mosaic.examples.mobile-home").reason().startsWith("pinned"));
            // one rule, one wording: what the dry run said of those who stay is what the insight says of them now
            for (Stay stay : predicted.stays()) {
                Consumer seen = elsewhere.get(stay.consumer());
                assertEquals(stay.consumer(), stay.why(), seen.why());
                assertEquals(stay.consumer(), stay.reason(), seen.reason());
            }

            // a yank: the manual consumer has to move; the insight follows
            d.yank("prod", CATALOG, "1.1.0", "itest");
            assertEquals("1.2.0", moduleVersion("/fixtures/manual"));
            Dependents v11 = insight().dependents("prod", CATALOG, "1.1.0").get(0);
            assertTrue(v11.yanked());
            assertTrue(v11.wired().isEmpty());
            assertEquals("1.1.0 is yanked", v11.elsewhere().stream().filter(c -> c.name().equals(TV)).findFirst().orElseThrow().reason());

            // dependencies of tv-home: wired as the framework says, newer things flagged
            DependencyNode tv = insight().dependencies("prod", TV, null).get(0);
            ImportEdge catalog = tv.imports().stream().filter(e -> e.pkg().equals(CATALOG)).findFirst().orElseThrow();
            assertEquals(wiredModules(live(TV, "1.0.0")).get(CATALOG), catalog.wired());
            assertEquals("1.2.0", catalog.newestInRange());
            assertEquals("2.0.0", catalog.newestOverall());
            assertTrue(catalog.majorUpgradeAvailable());
            ImportEdge api = tv.imports().stream().filter(e -> e.pkg().equals("dev.mosaic.api")).findFirst().orElseThrow();
            assertEquals("dev.mosaic.api", api.provider());

            List<Uptake> lines = insight().uptake("prod", CATALOG);
            Uptake uptake = lines.get(0);
            assertEquals("1.x", uptake.line());
            assertEquals("the newest a 1.x consumer can move to", "1.2.0", uptake.newest());
            assertEquals(Map.of("1.0.0", 1, "1.1.0", 0, "1.2.0", 2), new TreeMap<>(uptake.consumers()));
            assertEquals(3, uptake.total());
            assertEquals(2.0 / 3, uptake.shareOnNewest(), 1e-9);
            assertEquals("2.x", lines.get(1).line());
            assertEquals(Map.of("2.0.0", 1), lines.get(1).consumers());
            assertEquals(1.0, lines.get(1).shareOnNewest(), 1e-9);

            d.unyank("prod", CATALOG, "1.1.0", "itest");
        } finally {
            d.undeploy("prod", "dev.mosaic.fixtures.manual", null, false, "itest");
            if (d.list("prod").stream().anyMatch(x -> x.name().equals(CATALOG) && x.version().equals("1.2.0"))) {
                d.yank("prod", CATALOG, "1.2.0", "itest");
                d.undeploy("prod", CATALOG, "1.2.0", false, "itest");
            }
        }
    }

    @Test
    public void chainsShowAsDependencyTrees() throws Exception {
        Deployer d = deployer();
        deploy(fixture("chain-module-1.0.0"));
        deploy(fixture("chain-adapter"));
        try {
            DependencyNode top = insight().dependencies("prod", "dev.mosaic.fixtures.chain-adapter", null).get(0);
            ImportEdge middle = top.imports().stream().filter(e -> e.provider() != null && e.provider().equals("dev.mosaic.fixtures.chain-module"))
                    .findFirst().orElseThrow();
            assertNotNull(middle.dependencies());
            ImportEdge bottom = middle.dependencies().imports().stream().filter(e -> CATALOG.equals(e.provider())).findFirst().orElseThrow();
            assertEquals("1.1.0", bottom.wired());
            String dot = insight().dot("prod");
            assertTrue(dot, dot.contains("\"prod/dev.mosaic.fixtures.chain-adapter@1.0.0\" -> \"prod/dev.mosaic.fixtures.chain-module@1.0.0\""));
            assertTrue(dot, dot.contains("\"prod/dev.mosaic.fixtures.chain-module@1.0.0\" -> \"prod/" + CATALOG + "@1.1.0\""));
            assertTrue(insight().graph("prod").edges().stream().anyMatch(e -> e.from().equals("prod/" + TV + "@1.0.0")
                    && e.to().equals("prod/" + CATALOG + "@1.1.0") && e.range().equals("[1.0.0,2.0.0)")));
        } finally {
            d.undeploy("prod", "dev.mosaic.fixtures.chain-adapter", null, false, "itest");
            d.undeploy("prod", "dev.mosaic.fixtures.chain-module", "1.0.0", false, "itest");
        }
    }

    @Test
    public void deploymentsExpireAtTheirTtlAndTheTtlCanBeExtended() throws Exception {
        Deployer d = deployer();
        DeployOptions o = DeployOptions.to("test", "itest").withTtl("1h");
        DeployResult r = d.deploy(fixture("failing"), o);
        assertEquals(clock.instant().plus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString(),
                r.deployment().expiresAt());
        assertEquals(202, get("/fixtures/echo/x", "X-Mosaic-Env", "test").statusCode());

        clock.advance(Duration.ofMinutes(50));
        d.setTtl("test", "dev.mosaic.fixtures.failing", null, "2h", "itest");
        clock.advance(Duration.ofMinutes(30)); // past the first expiry, before the new one
        assertEquals(202, get("/fixtures/echo/x", "X-Mosaic-Env", "test").statusCode());

        clock.advance(Duration.ofHours(2));
        eventually("the expired deployment is gone", () -> {
            try {
                return get("/fixtures/echo/x", "X-Mosaic-Env", "test").statusCode() == 404;
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(Operation.EXPIRE, d.history(1).get(0).operation());
        assertEquals("ttl", d.history(1).get(0).actor());
        assertTrue(d.list("test").isEmpty());
    }

    @Test
    public void aJarsTtlEndsItInTestButNotInProdWhereOnlyAnExplicitTtlDoes() throws Exception {
        Deployer d = deployer();
        // the failing fixture with Mosaic-TTL: 2h in its manifest, as a developer writes it for builds of test
        // (other bytes, so another version)
        byte[] jar = withHeaders(fixture("failing"), Map.of("Mosaic-TTL", "2h", "Bundle-Version", "1.0.77"));
        String inTwoHours = clock.instant().plus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
        try {
            DeployResult test = deploy(jar, "test");
            assertEquals("in test the jar's Mosaic-TTL is taken", inTwoHours, test.deployment().expiresAt());
            assertFalse(test.summary(), test.summary().contains("not applied"));

            String untaken = "its Mosaic-TTL (2h) is not applied in prod, where deployments do not expire unless --ttl"
                    + " gives one an end";
            DeployResult dry = d.deploy(jar, DeployOptions.to("prod", "itest").withDryRun(true));
            assertTrue("a dry run says so too: " + dry.summary(), dry.summary().contains(untaken));
            assertTrue(dry.summary(), dry.summary().endsWith("; nothing was changed"));
            assertTrue("and changed nothing", d.list("prod").stream().noneMatch(x -> x.name().equals("dev.mosaic.fixtures.failing")));

            DeployResult prod = deploy(jar, "prod");
            assertNull("in prod a jar's Mosaic-TTL does not end the deployment", prod.deployment().expiresAt());
            assertTrue(prod.summary(), prod.summary().contains(untaken));
            assertNull(d.list("prod").stream().filter(x -> x.name().equals("dev.mosaic.fixtures.failing")).findFirst()
                    .orElseThrow().expiresAt());

            d.undeploy("prod", "dev.mosaic.fixtures.failing", null, false, "itest");
            DeployResult explicit = d.deploy(jar, DeployOptions.to("prod", "itest").withTtl("1h"));
            assertEquals("an explicit --ttl still ends one in prod",
                    clock.instant().plus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString(),
                    explicit.deployment().expiresAt());
            assertFalse(explicit.summary(), explicit.summary().contains("not applied"));

            // another build replaces it, and a rollback puts the jar with the header back: still without an end in prod
            deploy(withHeaders(fixture("failing"), Map.of("Bundle-Version", "1.0.78")), "prod");
            DeployResult back = d.rollback("prod", "dev.mosaic.fixtures.failing", "itest");
            assertTrue(back.summary(), back.summary().contains("back from 1.0.78 to 1.0.77; " + untaken));
            assertNull(d.list("prod").stream().filter(x -> x.name().equals("dev.mosaic.fixtures.failing")).findFirst()
                    .orElseThrow().expiresAt());
        } finally {
            for (String env : List.of("test", "prod")) {
                if (d.list(env).stream().anyMatch(x -> x.name().equals("dev.mosaic.fixtures.failing"))) {
                    d.undeploy(env, "dev.mosaic.fixtures.failing", null, false, "itest");
                }
            }
        }
    }

    @Test
    public void environmentsHaveDefaultTtlsAndBadTtlsAreRefused() throws Exception {
        Deployer d = deployer();
        DeployResult test = deploy(fixture("failing"), "test");
        try {
            assertEquals(clock.instant().plus(Duration.ofDays(7)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString(),
                    test.deployment().expiresAt());
            for (DeploymentInfo prod : d.list("prod")) {
                assertNull(prod.name() + " in prod has no TTL", prod.expiresAt());
            }
            for (String ttl : List.of("-1h", "0s", "400d", "soon", "")) {
                DeployOptions bad = DeployOptions.to("test", "itest").withTtl(ttl);
                assertRefused(DeployException.INVALID_ARGUMENT, "TTL", () -> d.deploy(fixture("failing"), bad));
            }
            assertRefused(DeployException.INVALID_ARGUMENT, "must be positive",
                    () -> d.setTtl("test", "dev.mosaic.fixtures.failing", null, "-5m", "itest"));
            // a jar whose Mosaic-TTL is not a duration is refused, in a dry run too, in every environment (also where
            // the header would not be taken), naming the jar
            byte[] soon = withHeaders(fixture("failing"), Map.of("Mosaic-TTL", "soon", "Bundle-Version", "1.0.79"));
            for (String env : List.of("test", "prod")) {
                for (boolean dry : List.of(true, false)) {
                    assertRefused(DeployException.INVALID_ARGUMENT, "Mosaic-TTL of dev.mosaic.fixtures.failing 1.0.79",
                            () -> d.deploy(soon, DeployOptions.to(env, "itest").withDryRun(dry)));
                }
            }
            assertRefused(DeployException.NOT_FOUND, "nothing named",
                    () -> d.setTtl("test", "no.such.thing", null, "5m", "itest"));
            d.setTtl("test", "dev.mosaic.fixtures.failing", null, "none", "itest");
            assertNull(d.list("test").get(0).expiresAt());
        } finally {
            d.undeploy("test", "dev.mosaic.fixtures.failing", null, false, "itest");
        }
    }

    @Test
    public void sunsetRemovesModuleVersionsUnusedLongEnoughAndNothingElse() throws Exception {
        Deployer d = deployer();
        deploy(example("catalog-1.2.0.jar")); // tv-home moves: 1.1.0 is unused from now on
        try {
            assertTrue(d.sunsetCandidates("prod", "30d").isEmpty());
            clock.advance(Duration.ofDays(31));
            List<DeploymentInfo> candidates = d.sunsetCandidates("prod", "30d");
            assertEquals(List.of(CATALOG + " 1.1.0"), candidates.stream().map(c -> c.name() + " " + c.version()).toList());
            assertRefused(DeployException.INVALID_ARGUMENT, "cannot be 'none'", () -> d.sunset("prod", null, null, "none", "itest"));
            assertRefused(DeployException.INVALID_ARGUMENT, "must be positive", () -> d.sunset("prod", null, null, "-1d", "itest"));
            assertRefused(DeployException.IN_USE, "is in use in prod by dev.mosaic.examples.mobile-home 1.0.0",
                    () -> d.sunset("prod", CATALOG, "1.0.0", "30d", "itest"));
            assertRefused(DeployException.CONFLICT, "unused only since",
                    () -> d.sunset("prod", CATALOG, "1.1.0", "60d", "itest"));
            assertRefused(DeployException.INVALID_ARGUMENT, "is an adapter", () -> d.sunset("prod", TV, "1.0.0", "30d", "itest"));
            assertRefused(DeployException.NOT_FOUND, "not deployed", () -> d.sunset("prod", CATALOG, "7.0.0", "30d", "itest"));
            assertEquals(Set.of(CATALOG + " 1.0.0", CATALOG + " 1.1.0", CATALOG + " 1.2.0", CATALOG + " 2.0.0"),
                    tenantBundles().stream().filter(b -> b.startsWith(CATALOG)).collect(Collectors.toSet()));

            DeployResult sunset = d.sunset("prod", null, null, "30d", "itest");
            assertEquals(List.of(CATALOG + " 1.1.0"), sunset.removed().stream().map(c -> c.name() + " " + c.version()).toList());
            assertEquals(Operation.SUNSET, d.history(1).get(0).operation());
            assertFalse(tenantBundles().contains(CATALOG + " 1.1.0"));
            assertTrue(tenantBundles().containsAll(Set.of(CATALOG + " 1.0.0", CATALOG + " 1.2.0", CATALOG + " 2.0.0")));
            assertFalse("its bytes are gone", Files.exists(Path.of(context.getProperty("mosaic.data"), "artifacts", CATALOG, "1.1.0.jar")));
            assertEquals("1.2.0", moduleVersion("/tv/home"));
            assertFalse(d.sunset("prod", null, null, "30d", "itest").changed());
        } finally {
            deploy(example("seed/catalog-1.1.0.jar")); // the same bytes again: allowed, the version was never reused
            d.yank("prod", CATALOG, "1.2.0", "itest");
            d.undeploy("prod", CATALOG, "1.2.0", false, "itest");
        }
    }

    // ------------------------------------------------------------------ helpers

    private Insight insight() throws InterruptedException {
        return service(Insight.class);
    }

    private Bundle tenant(String env, String name, String version) {
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().startsWith("mosaic:" + env + "/") && name.equals(b.getSymbolicName())
                    && b.getVersion().toString().equals(version) && b.getState() == Bundle.ACTIVE) {
                return b;
            }
        }
        throw new AssertionError("no live " + name + " " + version + " in " + env);
    }

    /** @return the names of the prod bundles the framework wired to that catalog version */
    private Set<String> wiredTo(String version) {
        Set<String> names = new TreeSet<>();
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().startsWith("mosaic:prod/") && b.getState() == Bundle.ACTIVE
                    && version.equals(wiredModules(b).get(CATALOG)) && !CATALOG.equals(b.getSymbolicName())) {
                names.add(b.getSymbolicName());
            }
        }
        return names;
    }

    private Set<String> tenantBundles() {
        Set<String> names = new TreeSet<>();
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().startsWith("mosaic:")) {
                names.add(b.getSymbolicName() + " " + b.getVersion());
            }
        }
        return names;
    }

    private static List<String> describe(List<Move> moves) {
        return moves.stream().map(m -> m.consumer() + " " + m.from() + "->" + m.to() + " " + m.reason()).sorted().toList();
    }

    private static void assertRefused(String code, String message, Call call) throws Exception {
        DeployException e = refused(call);
        assertEquals(e.getMessage(), code, e.code());
        assertTrue("'" + e.getMessage() + "' should say '" + message + "'", e.getMessage().contains(message));
    }
}
