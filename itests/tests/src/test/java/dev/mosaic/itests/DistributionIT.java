package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * The distribution archive the build produces, as a team without a checkout uses it: unpacked
 * in a folder of its own, {@code bin/mosaic run} inside starts the runtime with the examples, and
 * the CLI beside it talks to it.
 */
public class DistributionIT {

    @Test
    public void theArchiveUnpackedAnywhereRunsWithItsOwnScript() throws Exception {
        Path archive;
        try (var found = Files.list(LaunchedRuntime.dist().getParent())) {
            archive = found.filter(p -> p.getFileName().toString().matches("mosaic-.*-distribution\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no distribution archive in " + LaunchedRuntime.dist().getParent()));
        }
        Path elsewhere = LaunchedRuntime.newDataDir();
        Process untar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", elsewhere.toString()).inheritIO().start();
        assertTrue(untar.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, untar.exitValue());
        Path home;
        try (var dirs = Files.list(elsewhere)) {
            home = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertTrue("bin/mosaic is inside and executable", Files.isExecutable(home.resolve("bin/mosaic")));

        ProcessBuilder pb = new ProcessBuilder().directory(home.toFile());
        pb.environment().remove("MOSAIC_HOME");
        pb.environment().remove("MOSAIC_TOKEN");
        pb.environment().put("PATH", Path.of(LaunchedRuntime.java()).getParent() + java.io.File.pathSeparator + System.getenv("PATH"));
        try (LaunchedRuntime rt = LaunchedRuntime.startScript(pb, home.resolve("data"))) {
            assertEquals("1.0.0", rt.json("/tv/home").get("adapterVersion").asText());
            ProcessBuilder ls = new ProcessBuilder("bin/mosaic", "ls", "--kind", "adapter").directory(home.toFile())
                    .redirectErrorStream(true);
            ls.environment().remove("MOSAIC_HOME");
            ls.environment().put("PATH", pb.environment().get("PATH"));
            ls.environment().put("MOSAIC_DATA", home.resolve("data").toString());
            ls.environment().put("MOSAIC_URL", rt.mgmtUrl);
            Process p = ls.start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(out, 0, p.exitValue());
            assertTrue(out, out.contains("dev.mosaic.examples.tv-home"));
        }
    }
}
