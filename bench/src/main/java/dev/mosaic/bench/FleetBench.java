package dev.mosaic.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import dev.mosaic.itests.postgres.ThrowawayPostgres;

/**
 * A fleet of three instances on a throwaway PostgreSQL ({@code bin/mosaic run --store ...}):
 *
 * <ul>
 * <li>time from a change's call (an adapter deploy through one instance, in turn) to the new
 * version answering on all three, polled from outside over HTTP, and to the call's answer
 * (which waits for every instance); baselines in the same run: a GET, and the same deploy on a
 * single runtime with no store, to the new version answering;</li>
 * <li>the store's load from an idle fleet: transactions committed in the database over a
 * while, per instance and second (PostgreSQL's {@code pg_stat_database}, less this
 * benchmark's own reads);</li>
 * <li>after a store outage of N seconds: from the store accepting connections again to a
 * change made then serving on all three (the first attempt may find the instance not
 * reconnected yet; it is tried again).</li>
 * </ul>
 */
final class FleetBench {

    private static final String TV = "/tv/home";

    private FleetBench() {
    }

    static void run(String[] args) throws Exception {
        int rounds = Bench.arg(args, 0, 20);
        int outage = Bench.arg(args, 1, 30);
        int idle = Bench.arg(args, 2, 30);
        Path examples = Bench.dist().resolve("examples");
        byte[] tv11 = Files.readAllBytes(examples.resolve("tv-home-1.1.0.jar"));
        byte[] tv10 = Files.readAllBytes(examples.resolve("seed/tv-home-1.0.0.jar"));
        try (ThrowawayPostgres pg = ThrowawayPostgres.start()) {
            String store = pg.url("mosaic");
            List<Bench.Runtime> fleet = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    fleet.add(Bench.Runtime.start(Bench.tempDir("bench-fleet-"), List.of(), "--no-seed", "--store", store,
                            "--store-password-file", pg.passwordFile.toString(), "--group", "g" + i));
                }
                Bench.Runtime first = fleet.get(0);
                first.deploy(examples.resolve("seed/catalog-1.0.0.jar"));
                first.deploy(examples.resolve("seed/catalog-1.1.0.jar"));
                first.deploy(examples.resolve("seed/tv-home-1.0.0.jar"));

                // change -> serving on all three
                for (int i = 0; i < 6; i++) { // warm-up
                    change(fleet, fleet.get(i % 3), i % 2 == 0 ? tv11 : tv10, i % 2 == 0 ? "1.1.0" : "1.0.0");
                }
                List<Double> allServing = new ArrayList<>();
                List<Double> answered = new ArrayList<>();
                String current = "1.0.0"; // what serves after the six warm-ups
                for (int i = 0; i < rounds; i++) {
                    boolean up = current.equals("1.0.0");
                    double[] t = change(fleet, fleet.get(i % 3), up ? tv11 : tv10, up ? "1.1.0" : "1.0.0");
                    current = up ? "1.1.0" : "1.0.0";
                    allServing.add(t[0]);
                    answered.add(t[1]);
                }
                List<Double> get = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    long t0 = System.nanoTime();
                    Bench.HTTP.send(HttpRequest.newBuilder(first.route(TV)).build(), HttpResponse.BodyHandlers.ofString());
                    get.add((System.nanoTime() - t0) / 1e6);
                }

                // an idle fleet's load on the store
                double perInstance = idleLoad(pg, fleet.size(), idle);

                // after an outage
                pg.stopServer();
                TimeUnit.SECONDS.sleep(outage); // the outage itself: nothing to wait for, it is the time the store is away
                pg.startServer();
                long back = System.nanoTime();
                boolean up = current.equals("1.0.0");
                String expected = up ? "1.1.0" : "1.0.0";
                byte[] jar = up ? tv11 : tv10;
                int attempts = 0;
                while (true) {
                    attempts++;
                    HttpResponse<String> r = first.api("POST", "/deployments", jar);
                    if (r.statusCode() < 300) {
                        break;
                    }
                    if (System.nanoTime() - back > Duration.ofMinutes(2).toNanos()) {
                        throw new IllegalStateException("no change went through after the outage: " + r.body());
                    }
                }
                awaitAll(fleet, expected, back);
                double catchUp = (System.nanoTime() - back) / 1e6;

                // the same deploy on one runtime without a store
                List<Double> single = new ArrayList<>();
                try (Bench.Runtime one = Bench.Runtime.start(Bench.tempDir("bench-single-"), List.of(), "--no-seed")) {
                    one.deploy(examples.resolve("seed/catalog-1.0.0.jar"));
                    one.deploy(examples.resolve("seed/catalog-1.1.0.jar"));
                    one.deploy(examples.resolve("seed/tv-home-1.0.0.jar"));
                    String now = "1.0.0";
                    for (int i = 0; i < rounds + 6; i++) {
                        boolean u = now.equals("1.0.0");
                        double[] t = change(List.of(one), one, u ? tv11 : tv10, u ? "1.1.0" : "1.0.0");
                        now = u ? "1.1.0" : "1.0.0";
                        if (i >= 6) {
                            single.add(t[0]);
                        }
                    }
                }

                System.out.printf(Locale.ROOT, "%-46s %5s %9s %9s %9s%n", "measure (ms)", "n", "median", "p95", "max");
                row("GET /tv/home (baseline)", get);
                row("single runtime: deploy -> serving", single);
                row("fleet of 3: deploy -> serving on all 3", allServing);
                row("fleet of 3: deploy -> call answered", answered);
                System.out.printf(Locale.ROOT, "idle store load: %.2f transactions per second per instance over %d s (target <= 1)%n",
                        perInstance, idle);
                System.out.printf(Locale.ROOT, "after a %d s store outage: a change served on all 3 in %.0f ms from the store"
                        + " accepting connections (%d attempt(s))%n", outage, catchUp, attempts);
                System.out.printf(Locale.ROOT, "summary: fleet deploy -> serving on all 3: median %.1f ms, p95 %.1f ms (target"
                        + " <= 250 ms; %.1fx a single runtime's %.1f ms); idle %.2f tx/s per instance; after a %d s outage %.0f ms;"
                        + " %s%n", Bench.median(allServing), Bench.percentile(allServing, 95),
                        Bench.median(allServing) / Bench.median(single), Bench.median(single), perInstance, outage, catchUp,
                        Bench.machine());
            } finally {
                for (Bench.Runtime rt : fleet) {
                    rt.close();
                }
            }
        }
    }

    /**
     * Deploys through one instance and polls every instance until each answers the version.
     *
     * @return ms to all serving, ms to the call's answer
     */
    private static double[] change(List<Bench.Runtime> fleet, Bench.Runtime through, byte[] jar, String version) throws Exception {
        long t0 = System.nanoTime();
        var call = Bench.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(through.mgmt + "/deployments"))
                .header("Authorization", "Bearer " + through.token).POST(HttpRequest.BodyPublishers.ofByteArray(jar)).build(),
                HttpResponse.BodyHandlers.ofString());
        awaitAll(fleet, version, t0);
        double serving = (System.nanoTime() - t0) / 1e6;
        HttpResponse<String> r = call.get();
        double answered = (System.nanoTime() - t0) / 1e6;
        if (r.statusCode() >= 300) {
            throw new IllegalStateException("deploy failed: " + r.statusCode() + " " + r.body());
        }
        return new double[] { serving, answered };
    }

    private static void awaitAll(List<Bench.Runtime> fleet, String version, long since) throws Exception {
        boolean[] done = new boolean[fleet.size()];
        int left = fleet.size();
        while (left > 0) {
            for (int i = 0; i < fleet.size(); i++) {
                if (!done[i]) {
                    String body = Bench.HTTP.send(HttpRequest.newBuilder(fleet.get(i).route(TV)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    if (body.contains("\"adapterVersion\":\"" + version + "\"")) {
                        done[i] = true;
                        left--;
                    }
                }
            }
            if (System.nanoTime() - since > Duration.ofMinutes(2).toNanos()) {
                throw new IllegalStateException("not every instance serves " + version);
            }
        }
    }

    /** @return transactions the fleet committed in its database per instance and second while nothing changed */
    private static double idleLoad(ThrowawayPostgres pg, int instances, int seconds) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "mosaic");
        p.setProperty("password", pg.password);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port + "/mosaic", p)) {
            // what the changes before left in the instances' sessions reaches the shared counters within a heartbeat or
            // two (a session reports its counts at most once a second, at its next transaction): let it, then count
            TimeUnit.SECONDS.sleep(5);
            long before = transactions(c);
            long t0 = System.nanoTime();
            TimeUnit.SECONDS.sleep(seconds); // the idle period measured: nothing to wait for
            c.createStatement().execute("SELECT pg_stat_force_next_flush()");
            TimeUnit.MILLISECONDS.sleep(1500); // the other backends' statistics reach the shared counters within a second
            long after = transactions(c);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            return (after - before - 3) / elapsed / instances; // less this connection's own three
        }
    }

    private static long transactions(Connection c) throws Exception {
        c.createStatement().execute("SELECT pg_stat_clear_snapshot()");
        try (ResultSet r = c.createStatement().executeQuery(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")) {
            r.next();
            return r.getLong(1);
        }
    }

    private static void row(String name, List<Double> v) {
        System.out.printf(Locale.ROOT, "%-46s %5d %9.2f %9.2f %9.2f%n", name, v.size(), Bench.median(v), Bench.percentile(v, 95),
                Bench.percentile(v, 100));
    }
}
