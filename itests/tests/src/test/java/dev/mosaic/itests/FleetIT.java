package dev.mosaic.itests;

import static dev.mosaic.itests.Fleets.assertDeployed;
import static dev.mosaic.itests.Fleets.await;
import static dev.mosaic.itests.Fleets.closeAll;
import static dev.mosaic.itests.Fleets.connect;
import static dev.mosaic.itests.Fleets.deploy;
import static dev.mosaic.itests.Fleets.example;
import static dev.mosaic.itests.Fleets.instance;
import static dev.mosaic.itests.Fleets.instances;
import static dev.mosaic.itests.Fleets.newStore;
import static dev.mosaic.itests.Fleets.pg;
import static dev.mosaic.itests.Fleets.tvHome;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mosaic.itests.postgres.ThrowawayPostgres;

/**
 * A fleet (rollouts in waves: {@link WavesIT}): runtime processes ({@code bin/mosaic run --store postgresql://...}) sharing one
 * PostgreSQL, started by the test ({@link ThrowawayPostgres}); each test has a database of its
 * own. Deploys through one instance serve on all, a release under load moves every instance
 * once with no failed request, tokens are the fleet's, changes from two instances at once
 * conflict cleanly, the store going away leaves every instance serving and they catch up, an
 * instance killed during an apply and one joining late come up with the store's state, and two
 * instances starting on an empty store migrate it once.
 */
public class FleetIT {

    private static final String TV = "dev.mosaic.examples.tv-home";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeClass
    public static void startPostgres() throws Exception {
        Fleets.startPostgres();
    }

    @AfterClass
    public static void stopPostgres() throws Exception {
        Fleets.stopPostgres();
    }

    @Test
    public void aDeployThroughOneInstanceServesOnAllAndEveryInstanceAcceptsTheFleetsTokens() throws Exception {
        String store = newStore();
        List<LaunchedRuntime> fleet = instances(store, "us-east-1", "us-east-1", "eu-west-1");
        LaunchedRuntime late = null;
        try {
            LaunchedRuntime a = fleet.get(0);
            LaunchedRuntime b = fleet.get(1);
            LaunchedRuntime c = fleet.get(2);
            for (LaunchedRuntime rt : fleet) {
                // started together on an empty store, without --no-seed: none deployed the examples (each would have,
                // and declared backends inside itself); the fleet applied only the three revisions below
                assertTrue(rt.stdout().toString(), rt.stdout().stream().anyMatch(l -> l.contains("a fleet instance deploys no examples")));
            }
            assertDeployed(deploy(a, "seed/catalog-1.0.0.jar"), 3);
            assertDeployed(deploy(a, "seed/catalog-1.1.0.jar"), 3);
            assertDeployed(deploy(a, "seed/tv-home-1.0.0.jar"), 3);
            for (LaunchedRuntime rt : fleet) {
                // the call answered once every instance applied it: each serves it now, with no wait
                assertEquals("1.1.0", tvHome(rt).get("moduleVersion").asText());
            }

            // the fleet, read through another instance than the one deployed through, with the first one's token
            LaunchedRuntime.CliResult listed = LaunchedRuntime.CliResult.run(List.of("fleet", "--json", "--url", b.mgmtUrl,
                    "--data", a.data.toString()));
            assertEquals(listed.err(), 0, listed.exit());
            JsonNode f = LaunchedRuntime.JSON.readTree(listed.out());
            assertEquals(3, f.get("instances").size());
            for (JsonNode i : f.get("instances")) {
                assertTrue(i.toString(), i.get("live").asBoolean());
                assertEquals(i.toString(), 3, i.get("applied").asLong());
                assertEquals(i.toString(), 0, i.get("lag").asLong());
                assertEquals(i.toString(), "ok", i.get("health").asText());
                assertTrue(i.toString(), i.get("address").asText().endsWith(":" + portOf(fleet, i.get("id").asText())));
                // what it runs: the distribution's version, and the newest revision format it applies
                assertTrue(i.toString(), i.get("runtime").asText().matches("\\d+\\.\\d+\\.\\d+.*"));
                assertEquals(i.toString(), 2, i.get("applies").asInt());
            }
            assertEquals(List.of("eu-west-1", "us-east-1", "us-east-1"), groups(f));
            String table = LaunchedRuntime.CliResult.run(List.of("fleet", "--url", c.mgmtUrl, "--data", c.data.toString())).out();
            assertTrue(table, table.contains("GROUP") && table.contains("eu-west-1") && table.contains(" *")
                    && table.contains(f.get("instances").get(0).get("runtime").asText()));
            assertFalse("one version: nothing to say of it", table.contains("the live instances run"));

            // tokens: each instance's is accepted by every other; a wrong one by none
            for (LaunchedRuntime issuer : fleet) {
                for (LaunchedRuntime asked : fleet) {
                    assertEquals(200, call(asked, Files.readString(issuer.data.resolve("mgmt-token")).trim(), "/deployments"));
                }
            }
            assertEquals(401, call(b, "not-the-token", "/deployments"));

            // a release under load on all three: each instance's answers move from 1.1.0 to 1.2.0 once, none fails
            try (DeviceLoad load = new DeviceLoad(fleet, "/tv/home")) {
                load.awaitAnswers(50);
                assertDeployed(deploy(b, "catalog-1.2.0.jar"), 3);
                load.awaitAnswers(50);
                load.stop();
                assertEquals("failed requests: " + load.failures, 0, load.failed.get());
                for (int i = 0; i < fleet.size(); i++) {
                    assertEquals("instance " + i + "'s module versions, in the order it answered",
                            List.of("1.1.0", "1.2.0"), load.versions.get(i));
                }
            }

            // a backend declared through one instance is every instance's
            LaunchedRuntime.CliResult declared = b.cli("backend", "set", "ratings", "--env", "prod", "--base-url",
                    "http://ratings.internal:8080", "--timeout", "300ms");
            assertEquals(declared.out() + declared.err(), 0, declared.exit());
            for (LaunchedRuntime rt : fleet) {
                String backends = rt.cli("backends", "--env", "prod", "--json").out();
                assertTrue(backends, backends.contains("ratings") && backends.contains("http://ratings.internal:8080"));
            }

            // the history of one name, from the store through another instance: tv-home's deploy and the release that moved
            // it (not catalog 1.1.0's, which moved no one); one backend's; a name elsewhere is said to be there
            JsonNode tv = LaunchedRuntime.JSON.readTree(c.cli("history", "dev.mosaic.examples.tv-home", "--json").out());
            assertEquals(tv.toString(), 2, tv.size());
            assertEquals(tv.toString(), "deploy", tv.get(0).get("operation").asText());
            assertEquals(tv.toString(), "1.2.0", tv.get(1).get("version").asText());
            JsonNode newest = LaunchedRuntime.JSON.readTree(c.cli("history", "dev.mosaic.examples.tv-home", "-n", "1", "--json")
                    .out());
            assertEquals(tv.get(1), newest.get(0));
            JsonNode ratings = LaunchedRuntime.JSON.readTree(c.cli("history", "ratings", "--env", "prod", "--json").out());
            assertEquals(ratings.toString(), 1, ratings.size());
            assertEquals(ratings.toString(), "backend-set", ratings.get(0).get("operation").asText());
            LaunchedRuntime.CliResult elsewhere = c.cli("history", "ratings", "--env", "test");
            assertEquals(1, elsewhere.exit());
            assertTrue(elsewhere.err(), elsewhere.err().contains("its changes are in prod"));

            // a change answered at commit (--async) tells its revision; an instance killed (kill -9) while it may be
            // applying it comes back with the store's state
            LaunchedRuntime.CliResult async = deploy(a, "tv-home-1.1.0.jar", "--async", "--json");
            assertEquals(async.err(), 0, async.exit());
            assertFalse(async.out(), async.out().contains("\"fleet\""));
            c.kill();
            LaunchedRuntime c2 = instance(store, "eu-west-1", c.data);
            fleet.set(2, c2);
            assertEquals("1.1.0", tvHome(c2).get("adapterVersion").asText());
            assertEquals("1.2.0", tvHome(c2).get("moduleVersion").asText());

            // a fourth instance joining late serves the current state as soon as it says it is ready
            late = instance(store, "ap-south-1", LaunchedRuntime.newDataDir());
            assertEquals("1.1.0", tvHome(late).get("adapterVersion").asText());
            assertEquals("1.2.0", tvHome(late).get("moduleVersion").asText());

            // the store password was never in a log or on a command line
            for (LaunchedRuntime rt : List.of(a, b, c2, late)) {
                assertFalse(rt.log().contains(pg.password));
                assertFalse(String.join("\n", rt.stdout()).contains(pg.password));
                assertFalse(ProcessHandle.of(rt.process.pid()).flatMap(h -> h.info().commandLine()).orElse("")
                        .contains(pg.password));
            }
        } finally {
            closeAll(fleet);
            if (late != null) {
                late.close();
            }
        }
    }

    private static int portOf(List<LaunchedRuntime> fleet, String id) throws Exception {
        for (LaunchedRuntime rt : fleet) {
            if (Files.readString(rt.data.resolve("instance-id")).strip().equals(id)) {
                return rt.port;
            }
        }
        fail("no instance has id " + id);
        return -1;
    }

    private static List<String> groups(JsonNode fleet) {
        List<String> g = new ArrayList<>();
        fleet.get("instances").forEach(i -> g.add(i.get("group").asText()));
        return g;
    }

    /** @return what the instance's /metrics says, with its token */
    private static String metrics(LaunchedRuntime rt) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(rt.mgmtUrl.replace("/api/v1", "/metrics"))).header("Authorization",
                "Bearer " + Files.readString(rt.data.resolve("mgmt-token")).trim()).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static int call(LaunchedRuntime rt, String token, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(rt.mgmtUrl + path)).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    public void changesFromTwoInstancesAtOnceOneWinsTheOtherConflictsCleanlyAndMayRetry() throws Exception {
        String store = newStore();
        List<LaunchedRuntime> fleet = instances(store, "a", "b");
        try {
            assertDeployed(deploy(fleet.get(0), "seed/catalog-1.0.0.jar"), 2);
            String[][] pairs = { { "seed/catalog-1.1.0.jar", "seed/catalog-2.0.0.jar" }, { "seed/tv-home-1.0.0.jar",
                    "seed/mobile-home-1.0.0.jar" } };
            int conflicts = 0;
            ExecutorService two = Executors.newFixedThreadPool(2);
            try {
                for (String[] pair : pairs) {
                    List<Future<LaunchedRuntime.CliResult>> both = new ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        LaunchedRuntime through = fleet.get(i);
                        String jar = pair[i];
                        both.add(two.submit((Callable<LaunchedRuntime.CliResult>) () -> deploy(through, jar)));
                    }
                    for (int i = 0; i < 2; i++) {
                        LaunchedRuntime.CliResult r = both.get(i).get(2, TimeUnit.MINUTES);
                        if (r.exit() != 0) {
                            // the loser: told plainly, nothing changed, and trying again goes through
                            assertTrue(r.err(), r.err().contains("[conflict, HTTP 409]"));
                            conflicts++;
                            assertDeployed(deploy(fleet.get(i), pair[i]), 2);
                        }
                    }
                }
            } finally {
                two.shutdownNow();
            }
            System.out.println("concurrent changes: " + conflicts + " conflict(s) in " + pairs.length + " rounds");
            for (LaunchedRuntime rt : fleet) {
                assertEquals(200, rt.get("/tv/home").statusCode());
                assertEquals(200, rt.get("/mobile/home").statusCode());
            }
            try (Connection c = connect(store);
                    ResultSet r = c.createStatement().executeQuery("SELECT count(*), max(revision) FROM mosaic_revisions")) {
                r.next();
                assertEquals("one revision per change, no gap, none twice", r.getLong(1), r.getLong(2));
                assertEquals(5, r.getLong(1));
            }
        } finally {
            closeAll(fleet);
        }
    }

    @Test
    public void aCanaryThroughOneInstanceSharesTheRequestsAlikeOnEveryInstanceAndIsPromotedThroughAnother() throws Exception {
        String store = newStore();
        List<LaunchedRuntime> fleet = instances(store, "a", "b");
        try {
            LaunchedRuntime a = fleet.get(0);
            LaunchedRuntime b = fleet.get(1);
            assertDeployed(deploy(a, "seed/catalog-1.0.0.jar"), 2);
            assertDeployed(deploy(a, "seed/catalog-1.1.0.jar"), 2);
            assertDeployed(deploy(a, "seed/tv-home-1.0.0.jar"), 2);
            assertDeployed(deploy(a, "tv-home-1.1.0.jar", "--canary", "50%", "--sticky", "header:X-User"), 2);
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int user = 0; user < 30; user++) {
                String onA = adapterVersion(a, "user-" + user);
                assertEquals("user-" + user + " has one version on every instance", onA, adapterVersion(b, "user-" + user));
                seen.add(onA);
            }
            assertEquals(java.util.Set.of("1.0.0", "1.1.0"), seen);
            LaunchedRuntime.CliResult promoted = b.cli("rollout", "promote", TV);
            assertEquals(promoted.out() + promoted.err(), 0, promoted.exit());
            assertTrue(promoted.out(), promoted.out().contains("applied by all 2 live instance(s)"));
            for (LaunchedRuntime rt : fleet) {
                for (int user = 0; user < 10; user++) {
                    assertEquals("1.1.0", adapterVersion(rt, "user-" + user));
                }
            }
        } finally {
            closeAll(fleet);
        }
    }

    private static String adapterVersion(LaunchedRuntime rt, String user) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.port + "/tv/home"))
                .header("X-User", user).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(r.body(), 200, r.statusCode());
        return LaunchedRuntime.JSON.readTree(r.body()).get("adapterVersion").asText();
    }

    @Test
    public void whileTheStoreIsAwayInstancesServeAndSaySoChangesAreRefusedAndTheyCatchUpWhenItIsBack() throws Exception {
        String store = newStore();
        List<LaunchedRuntime> fleet = instances(store, "a", "b");
        try {
            LaunchedRuntime a = fleet.get(0);
            LaunchedRuntime b = fleet.get(1);
            assertDeployed(deploy(a, "seed/catalog-1.0.0.jar"), 2);
            assertDeployed(deploy(a, "seed/tv-home-1.0.0.jar"), 2);
            try (DeviceLoad load = new DeviceLoad(fleet, "/tv/home")) {
                load.awaitAnswers(20);
                pg.stopServer();
                // devices are served throughout; the management API answers reads from what was applied, saying so
                String token = Files.readString(a.data.resolve("mgmt-token")).trim();
                HttpResponse<String> read = await(() -> HTTP.send(HttpRequest.newBuilder(URI.create(a.mgmtUrl + "/deployments"))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()),
                        r -> r.headers().firstValue("X-Mosaic-Stale").isPresent());
                assertEquals(200, read.statusCode());
                assertTrue(read.body(), read.body().contains(TV));
                LaunchedRuntime.CliResult refused = deploy(a, "seed/catalog-1.1.0.jar");
                assertEquals(1, refused.exit());
                assertTrue(refused.err(), refused.err().contains("[store_unavailable, HTTP 503]"));
                assertTrue(refused.err(), refused.err().contains("nothing was changed"));
                JsonNode listed = LaunchedRuntime.JSON.readTree(b.cli("fleet", "--json").out());
                assertFalse(listed.toString(), listed.get("store").get("reachable").asBoolean());
                String away = metrics(a);
                assertTrue(away, away.contains("mosaic_fleet_store_reachable 0.0") && away.contains("mosaic_fleet_applied_revision 2.0"));
                load.awaitAnswers(20);

                pg.startServer();
                LaunchedRuntime.CliResult deployed = await(() -> deploy(a, "seed/catalog-1.1.0.jar"), r -> r.exit() == 0);
                assertTrue(deployed.out(), deployed.out().contains("applied by all 2 live instance(s)"));
                load.awaitAnswers(20);
                load.stop();
                assertEquals("failed requests: " + load.failures, 0, load.failed.get());
            }
            for (LaunchedRuntime rt : fleet) {
                assertEquals("the release made after the outage took effect everywhere", "1.1.0",
                        tvHome(rt).get("moduleVersion").asText());
                String back = metrics(rt);
                assertTrue(back, back.contains("mosaic_fleet_store_reachable 1.0") && back.contains("mosaic_fleet_applied_revision 3.0")
                        && back.contains("mosaic_fleet_lag_revisions 0.0"));
            }
        } finally {
            if (!pg.running()) {
                pg.startServer();
            }
            closeAll(fleet);
        }
    }

    @Test
    public void aChangeSaysWhichInstanceHasNotAppliedItAfterTheTimeoutAndThatInstanceKilledMidApplyComesBackWithTheStoresState()
            throws Exception {
        String store = newStore();
        LaunchedRuntime a = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), List.of("-Dmosaic.fleet.awaitMillis=3000"),
                List.of("--no-console", "--no-seed", "--store", store, "--group", "a"),
                Map.of("MOSAIC_STORE_PASSWORD", pg.password));
        LaunchedRuntime c = null;
        try {
            assertDeployed(deploy(a, "seed/catalog-1.0.0.jar"), 1);
            assertDeployed(deploy(a, "seed/catalog-1.1.0.jar"), 1);
            assertDeployed(deploy(a, "seed/tv-home-1.0.0.jar"), 1);
            // an instance that holds the first change it applies at PREPARED (installed next to, not switched to)
            Path cData = LaunchedRuntime.newDataDir();
            c = LaunchedRuntime.start(cData, List.of("-Dmosaic.test.holdAt=prepared:60000"), List.of("--no-console", "--no-seed",
                    "--store", store, "--group", "c", "--platform-bundle", LaunchedRuntime.holdAt().toString()),
                    Map.of("MOSAIC_STORE_PASSWORD", pg.password));
            String cId = Files.readString(cData.resolve("instance-id")).strip();
            LaunchedRuntime.CliResult late = deploy(a, "tv-home-1.1.0.jar");
            assertEquals(late.out() + late.err(), 4, late.exit());
            assertTrue(late.out(), late.out().contains("revision 4 is committed, but not applied yet by 1 of 2 live instance(s)"));
            assertTrue(late.out(), late.out().contains(cId + " (c): at revision 3"));
            c.awaitLog("holding the change at prepared");
            assertEquals("the instance still serves what it applied", "1.0.0", tvHome(c).get("adapterVersion").asText());
            assertEquals("1.1.0", tvHome(a).get("adapterVersion").asText());
            c.kill();
            c = instance(store, "c", cData);
            assertEquals("1.1.0", tvHome(c).get("adapterVersion").asText());
            JsonNode listed = LaunchedRuntime.JSON.readTree(a.cli("fleet", "--json").out());
            for (JsonNode i : listed.get("instances")) {
                assertEquals(i.toString(), 4, i.get("applied").asLong());
            }
        } finally {
            a.close();
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    public void theReadmesFleetWalkThroughWorksAsWritten() throws Exception {
        Path root = Path.of(System.getProperty("mosaic.root")).toRealPath();
        List<ReadmeIT.Step> steps = ReadmeIT.steps(ReadmeIT.section(Files.readString(root.resolve("README.md")),
                "## Running a fleet"));
        assertTrue("the walk-through has commands: " + steps, steps.size() >= 6);
        Path here = LaunchedRuntime.newDataDir();
        for (String top : List.of("bin", "features")) {
            Files.createSymbolicLink(here.resolve(top), root.resolve(top));
        }
        // the README's ports and store, made the test's own: free ports, a new database, the test server's password
        Map<String, String> mine = new java.util.LinkedHashMap<>();
        for (String port : List.of("8080", "8081", "8090", "8091")) {
            int free = ThrowawayPostgres.freePort();
            mine.put("localhost:" + port, "127.0.0.1:" + free);
            mine.put("-port " + port, "-port " + free);
        }
        mine.put("postgresql://mosaic@localhost:5432/mosaic", newStore());
        String path = Path.of(LaunchedRuntime.java()).getParent() + java.io.File.pathSeparator + System.getenv("PATH");
        Map<String, String> env = new java.util.HashMap<>();
        List<LaunchedRuntime> started = new ArrayList<>();
        try {
            for (ReadmeIT.Step step : steps) {
                String command = step.command();
                for (Map.Entry<String, String> m : mine.entrySet()) {
                    command = command.replace(m.getKey(), m.getValue());
                }
                if (command.startsWith("export MOSAIC_STORE_PASSWORD=")) {
                    env.put("MOSAIC_STORE_PASSWORD", pg.password);
                    continue;
                }
                ProcessBuilder sh = new ProcessBuilder().directory(here.toFile());
                ReadmeIT.clean(sh.environment(), path);
                sh.environment().putAll(env);
                if (command.endsWith("&")) {
                    // an instance, started in the background: wait for it to say it is ready
                    java.util.regex.Matcher data = java.util.regex.Pattern.compile("--data (\\S+)").matcher(command);
                    assertTrue(command, data.find());
                    sh.command("bash", "-c", "exec " + command.substring(0, command.length() - 1).trim());
                    started.add(LaunchedRuntime.start(sh, here.resolve(data.group(1))));
                    continue;
                }
                sh.command("bash", "-c", "set -o pipefail; " + command).redirectErrorStream(true);
                Process p = sh.start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(step + " did not finish", p.waitFor(120, TimeUnit.SECONDS));
                assertEquals("`" + step + "` failed, printing:\n" + out, 0, p.exitValue());
                ReadmeIT.check(step, out);
                if (command.startsWith("bin/mosaic fleet")) {
                    assertTrue(out, out.contains("us-east-1") && out.contains("eu-west-1") && out.contains(" *"));
                }
            }
            assertEquals(2, started.size());
        } finally {
            closeAll(started);
        }
    }

    @Test
    public void theStoreKeepsASnapshotAndTheLastRevisionsDropsArtifactsNothingNeedsAndNewInstancesStartFromIt()
            throws Exception {
        String store = newStore();
        LaunchedRuntime a = LaunchedRuntime.start(LaunchedRuntime.newDataDir(),
                List.of("-Dmosaic.journal.snapshotEvery=4", "-Dmosaic.history.keep=2"),
                List.of("--no-console", "--no-seed", "--store", store), Map.of("MOSAIC_STORE_PASSWORD", pg.password));
        LaunchedRuntime b = null;
        try {
            assertDeployed(deploy(a, "seed/catalog-1.0.0.jar"), 1);
            assertDeployed(deploy(a, "seed/catalog-1.1.0.jar"), 1);
            assertDeployed(deploy(a, "seed/tv-home-1.0.0.jar"), 1);
            HttpResponse<String> undeployed = a.api("DELETE", "/deployments/prod/dev.mosaic.examples.catalog/1.0.0", null);
            assertEquals(undeployed.body(), 200, undeployed.statusCode());
            a.awaitLog("store compacted at revision 4");
            String gone = sha256(example("seed/catalog-1.0.0.jar"));
            try (Connection c = connect(store)) {
                assertEquals(List.of("4"), column(c, "SELECT revision FROM mosaic_snapshots"));
                assertEquals("the last two revisions", List.of("3", "4"), column(c, "SELECT revision FROM mosaic_revisions ORDER BY 1"));
                List<String> artifacts = column(c, "SELECT sha256 FROM mosaic_artifacts");
                assertEquals(artifacts.toString(), 2, artifacts.size());
                assertFalse("nothing deploys catalog 1.0.0 any more, and no kept revision names it", artifacts.contains(gone));
                assertTrue(artifacts.contains(sha256(example("seed/catalog-1.1.0.jar"))));
                assertEquals(List.of("0"), column(c, "SELECT count(*) FROM mosaic_artifact_chunks WHERE sha256 = '" + gone + "'"));
            }
            // a new instance starts from the snapshot, with the artifacts it needs, and takes changes
            b = instance(store, "b", LaunchedRuntime.newDataDir());
            assertEquals("1.1.0", tvHome(b).get("moduleVersion").asText());
            JsonNode history = LaunchedRuntime.JSON.readTree(b.cli("history", "--json").out());
            assertEquals(history.toString(), 2, history.size());
            assertEquals(3, history.get(0).get("sequence").asLong());
            assertDeployed(deploy(b, "tv-home-1.1.0.jar"), 2);
            assertEquals("1.1.0", tvHome(a).get("adapterVersion").asText());
        } finally {
            a.close();
            if (b != null) {
                b.close();
            }
        }
    }

    private static List<String> column(Connection c, String sql) throws Exception {
        List<String> values = new ArrayList<>();
        try (ResultSet r = c.createStatement().executeQuery(sql)) {
            while (r.next()) {
                values.add(r.getString(1));
            }
        }
        return values;
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /**
     * history NAME in a fleet: the store is asked for pages of the changes whose text holds the name; a name that is a part
     * of many others' (ratings, in ratings-1 ... ratings-120) takes more than one page to find its own, oldest, change.
     */
    @Test
    public void theHistoryOfOneNameIsFoundInTheStorePastPagesOfOthers() throws Exception {
        LaunchedRuntime a = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), List.of(), List.of("--no-console", "--no-seed",
                "--store", newStore()), Map.of("MOSAIC_STORE_PASSWORD", pg.password));
        try {
            byte[] spec = "{\"url\":[\"http://127.0.0.1:9/\"]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(200, a.api("PUT", "/backends/prod/ratings", spec).statusCode());
            for (int i = 1; i <= 120; i++) {
                HttpResponse<String> set = a.api("PUT", "/backends/prod/ratings-" + i, spec);
                assertEquals(set.body(), 200, set.statusCode());
            }
            JsonNode ratings = LaunchedRuntime.JSON.readTree(a.cli("history", "ratings", "--json").out());
            assertEquals(ratings.toString(), 1, ratings.size());
            assertEquals(ratings.toString(), 1, ratings.get(0).get("sequence").asLong());
            JsonNode some = LaunchedRuntime.JSON.readTree(a.cli("history", "ratings-7", "-e", "prod", "--json").out());
            assertEquals(some.toString(), 1, some.size());
            assertEquals(some.toString(), "ratings-7", some.get(0).get("name").asText());
            assertEquals("and unfiltered, the newest", 121, LaunchedRuntime.JSON.readTree(a.cli("history", "-n", "1", "--json")
                    .out()).get(0).get("sequence").asLong());
        } finally {
            a.close();
        }
    }

    @Test
    public void twoInstancesStartingOnAnEmptyStoreMigrateItOnceAndOneGoneForGoodLeavesTheListing() throws Exception {
        String store = newStore();
        List<LaunchedRuntime> fleet = instances(store, "a", "b");
        try {
            int migrated = 0;
            for (LaunchedRuntime rt : fleet) {
                migrated += rt.log().contains("store schema migrated to version 3") ? 1 : 0;
            }
            assertEquals(1, migrated);
            try (Connection c = connect(store); ResultSet r = c.createStatement().executeQuery(
                    "SELECT version, additive FROM mosaic_schema ORDER BY version")) {
                for (int version = 1; version <= 3; version++) {
                    assertTrue(r.next());
                    assertEquals(version, r.getInt(1));
                    assertEquals("only the first migration changed what was there", version > 1, r.getBoolean(2));
                }
                assertFalse(r.next());
            }
            // an instance gone for good (killed, never back) leaves the listing once not heard of for long enough
            // (a day by default; a second here)
            fleet.get(1).kill();
            LaunchedRuntime third = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), List.of("-Dmosaic.fleet.forgetAfterMillis=1000"),
                    List.of("--no-console", "--no-seed", "--store", store, "--group", "c"), Map.of("MOSAIC_STORE_PASSWORD", pg.password));
            fleet.add(third);
            JsonNode listed = await(() -> LaunchedRuntime.JSON.readTree(third.cli("fleet", "--json").out()),
                    f -> f.get("instances").size() == 2);
            assertEquals(List.of("a", "c"), groups(listed));
        } finally {
            closeAll(fleet);
        }
    }

    @Test
    public void aStoreUrlCarryingThePasswordIsRefusedBeforeAnythingStarts() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        LaunchedRuntime.CliResult r = LaunchedRuntime.CliResult.run(List.of("run", "--no-console", "--data", data.toString(),
                "--store", "postgresql://mosaic:hunter2@127.0.0.1:" + pg.port + "/mosaic"));
        assertEquals(2, r.exit());
        assertTrue(r.err(), r.err().contains("must not carry the password") && r.err().contains("MOSAIC_STORE_PASSWORD"));
        r = LaunchedRuntime.CliResult.run(List.of("run", "--no-console", "--data", data.toString(), "--store",
                "mysql://127.0.0.1/mosaic"));
        assertEquals(2, r.exit());
        assertTrue(r.err(), r.err().contains("--store takes postgresql://"));
        // a wrong password, and a data directory where a runtime without a store recorded deployments: refused at once
        long t0 = System.nanoTime();
        r = LaunchedRuntime.CliResult.run(List.of("run", "--no-console", "--no-seed", "--data", data.toString(), "--port", "0",
                "--mgmt-port", "0", "--store", newStore()), Map.of("MOSAIC_STORE_PASSWORD", "not-" + pg.password));
        assertEquals(r.err(), 3, r.exit());
        assertTrue(r.err(), r.err().contains("the runtime cannot start") && r.err().contains("password authentication failed")
                && r.err().contains("MOSAIC_STORE_PASSWORD or --store-password-file"));
        assertTrue("refused without waiting for the ready timeout", System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(60));
        Path single = LaunchedRuntime.newDataDir();
        try (LaunchedRuntime alone = LaunchedRuntime.start(single)) {
            assertEquals(200, alone.get("/tv/home").statusCode()); // the examples, in its journal
        }
        r = LaunchedRuntime.CliResult.run(List.of("run", "--no-console", "--no-seed", "--data", single.toString(), "--port", "0",
                "--mgmt-port", "0", "--store", newStore()), Map.of("MOSAIC_STORE_PASSWORD", pg.password));
        assertEquals(r.err(), 3, r.exit());
        assertTrue(r.err(), r.err().contains("holds the registry of a runtime that ran without a store"));

        // the same command with the password where it belongs starts (the other tests run fleets this way)
        try (LaunchedRuntime rt = LaunchedRuntime.start(data, List.of(), List.of("--no-console", "--no-seed", "--store",
                newStore(), "--store-password-file", pg.passwordFile.toString()))) {
            assertNotNull(rt.mgmtUrl);
            assertEquals(200, call(rt, Files.readString(data.resolve("mgmt-token")).trim(), "/fleet"));
        }
    }

    @Test
    public void aStoreThatTakesTlsOnlyIsReachedWithTheSslmodeTheUrlSaysAndRefusedWithout() throws Exception {
        try (ThrowawayPostgres tlsOnly = ThrowawayPostgres.startTlsOnly()) {
            String plain = tlsOnly.url("mosaic") + "?sslmode=disable";
            LaunchedRuntime.CliResult refused = LaunchedRuntime.CliResult.run(List.of("run", "--no-console", "--no-seed", "--data",
                    LaunchedRuntime.newDataDir().toString(), "--port", "0", "--mgmt-port", "0", "--store", plain),
                    Map.of("MOSAIC_STORE_PASSWORD", tlsOnly.password));
            assertEquals(refused.err(), 3, refused.exit());
            assertTrue(refused.err(), refused.err().contains("no encryption"));
            // the certificate checked against the one the server has, and its name against the address
            String verified = tlsOnly.url("mosaic") + "?sslmode=verify-full&sslrootcert=" + tlsOnly.certificate();
            try (LaunchedRuntime rt = LaunchedRuntime.start(LaunchedRuntime.newDataDir(), List.of(), List.of("--no-console",
                    "--no-seed", "--store", verified), Map.of("MOSAIC_STORE_PASSWORD", tlsOnly.password))) {
                assertDeployed(deploy(rt, "seed/catalog-1.0.0.jar"), 1);
                assertDeployed(deploy(rt, "seed/tv-home-1.0.0.jar"), 1);
                assertEquals("1.0.0", tvHome(rt).get("moduleVersion").asText());
            }
        }
    }
}
