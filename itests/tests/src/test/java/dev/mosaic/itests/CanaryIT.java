package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.Test;

/**
 * Versions of one adapter serving side by side ({@code deploy --canary}), in a runtime started as
 * {@code bin/mosaic run} does: a share of the requests to the canary under load with no failed
 * request through every change of shares, its promotion and an abort; a sticky key keeping each
 * client on one version; the version header outside prod; the split kept across a restart; and
 * what is refused, next to the same path accepted.
 */
public class CanaryIT {

    private static final String TV = "dev.mosaic.examples.tv-home";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String example(String file) {
        return LaunchedRuntime.dist().resolve("examples").resolve(file).toString();
    }

    private static String version(LaunchedRuntime rt, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.port + "/tv/home"));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(r.body(), 200, r.statusCode());
        return LaunchedRuntime.JSON.readTree(r.body()).get("adapterVersion").asText();
    }

    private static void ok(LaunchedRuntime.CliResult r) {
        assertEquals(r.out() + r.err(), 0, r.exit());
    }

    @Test
    public void aCanaryTakesItsShareUnderLoadWithNoFailedRequestAndIsPromoted() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            ok(rt.cli("deploy", example("catalog-1.2.0.jar")));
            // refused: a canary of an adapter that is not deployed in the environment, a share out of range
            LaunchedRuntime.CliResult nowhere = rt.cli("deploy", example("tv-home-1.1.0.jar"), "--canary", "10%", "-e", "qa");
            assertEquals(1, nowhere.exit());
            assertTrue(nowhere.err(), nowhere.err().contains("without --canary"));
            LaunchedRuntime.CliResult tooMuch = rt.cli("deploy", example("tv-home-1.1.0.jar"), "--canary", "120%");
            assertEquals(1, tooMuch.exit());
            assertTrue(tooMuch.err(), tooMuch.err().contains("from 0% to 100%"));
            try (DeviceLoad load = new DeviceLoad(List.of(rt), "/tv/home", "adapterVersion")) {
                load.awaitAnswers(50);
                LaunchedRuntime.CliResult canary = rt.cli("deploy", example("tv-home-1.1.0.jar"), "--canary", "10%");
                ok(canary);
                assertTrue(canary.out(), canary.out().contains("as a canary: 1.0.0 90%, 1.1.0 10%"));
                long before = load.counts.getOrDefault("1.1.0", 0L);
                long all = total(load);
                load.awaitAnswers(1000);
                double share = (double) (load.counts.getOrDefault("1.1.0", 0L) - before) / (total(load) - all);
                assertTrue("the canary's share of the requests: " + share, share > 0.04 && share < 0.2);

                // a plain deploy while the canary runs is refused, saying what to do
                LaunchedRuntime.CliResult replace = rt.cli("deploy", example("tv-home-1.2.0.jar"));
                assertEquals(1, replace.exit());
                assertTrue(replace.err(), replace.err().contains("promote it or abort it"));
                // shares that do not add up to 100 are refused; these do
                LaunchedRuntime.CliResult wrong = rt.cli("rollout", "split", TV, "1.0.0=60%", "1.1.0=60%");
                assertEquals(1, wrong.exit());
                assertTrue(wrong.err(), wrong.err().contains("add up to 120%"));
                ok(rt.cli("rollout", "split", TV, "1.0.0=50%", "1.1.0=50%"));
                load.awaitAnswers(200);
                ok(rt.cli("rollout", "promote", TV));
                long promotedAt = total(load);
                load.awaitAnswers(200);
                load.stop();
                assertEquals("failed requests: " + load.failures, 0, load.failed.get());
                assertTrue(total(load) > promotedAt);
            }
            for (int i = 0; i < 50; i++) {
                assertEquals("every request, once promoted", "1.1.0", version(rt));
            }
            String routes = rt.cli("routes").out();
            assertFalse("the version before is gone: " + routes, routes.contains(TV + "  1.0.0"));
        }
    }

    private static long total(DeviceLoad load) {
        return load.counts.values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    public void aStickyKeyKeepsAClientOnItsVersionTheVersionHeaderWorksOutsideProdAndARestartKeepsTheSplit() throws Exception {
        Path data = LaunchedRuntime.newDataDir();
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            ok(rt.cli("deploy", example("catalog-1.2.0.jar")));
            ok(rt.cli("deploy", example("tv-home-1.1.0.jar"), "--canary", "50%", "--sticky", "header:X-User"));
            Set<String> seen = new HashSet<>();
            for (int user = 0; user < 40; user++) {
                String first = version(rt, "X-User", "user-" + user);
                seen.add(first);
                for (int again = 0; again < 4; again++) {
                    assertEquals("user-" + user, first, version(rt, "X-User", "user-" + user));
                }
            }
            assertEquals("both versions have users", Set.of("1.0.0", "1.1.0"), seen);

            // at 0% only a request naming the version reaches it, outside prod; in prod the header alone is not enough
            ok(rt.cli("rollout", "split", TV, "1.0.0=100%"));
            for (int i = 0; i < 30; i++) {
                assertEquals("1.0.0", version(rt, "X-User", "user-" + i));
            }
            assertEquals("1.0.0", version(rt, "X-Mosaic-Version", "1.1.0"));
            ok(rt.cli("deploy", example("catalog-1.2.0.jar"), "-e", "test"));
            ok(rt.cli("deploy", example("seed/tv-home-1.0.0.jar"), "-e", "test"));
            ok(rt.cli("deploy", example("tv-home-1.1.0.jar"), "-e", "test", "--canary", "0%"));
            assertEquals("1.1.0", version(rt, "X-Mosaic-Env", "test", "X-Mosaic-Version", "1.1.0"));
            assertEquals("1.0.0", version(rt, "X-Mosaic-Env", "test"));
            ok(rt.cli("rollout", "split", TV, "1.0.0=50%", "1.1.0=50%"));
        }
        // a restart serves the split as it was recorded: the same users on the same versions
        try (LaunchedRuntime rt = LaunchedRuntime.start(data)) {
            Set<String> seen = new HashSet<>();
            for (int user = 0; user < 40; user++) {
                seen.add(version(rt, "X-User", "user-" + user));
            }
            assertEquals(Set.of("1.0.0", "1.1.0"), seen);
            ok(rt.cli("rollout", "abort", TV));
            for (int user = 0; user < 40; user++) {
                assertEquals("1.0.0", version(rt, "X-User", "user-" + user));
            }
            LaunchedRuntime.CliResult again = rt.cli("rollout", "abort", TV);
            assertEquals(1, again.exit());
            assertTrue(again.err(), again.err().contains("no canary"));
        }
    }
}
