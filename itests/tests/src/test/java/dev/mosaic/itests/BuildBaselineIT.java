package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * The build's baselining, as every platform bundle that exports an API has it: a small bundle
 * whose parent is {@code runtime-bundles/pom.xml} (its plugin configuration and its
 * {@code bnd/baseline} repository, here the project's own) is released as 1.0.0, then changed.
 * An API change without a bump fails {@code mvn verify}, naming the package and the version it
 * needs; the same change with the bump passes.
 */
public class BuildBaselineIT {

    private static final String PKG = "dev.mosaic.buildtest";

    @Test
    public void anApiChangeWithoutABumpFailsTheBuildAndWithTheBumpPasses() throws Exception {
        Path project = Files.createTempDirectory(Path.of(System.getProperty("mosaic.work")), "baseline-");
        // its own root (mosaic.root, where bnd/baseline is): the checkout's .mvn above it would be found first
        Files.createDirectories(project.resolve(".mvn"));
        write(project, "1.0.0", "1.0.0", "String hello();");
        Run released = mvn(project, "package");
        assertEquals(released.out, 0, released.exit);
        Path baseline = Files.createDirectories(project.resolve("bnd/baseline/dev/mosaic/baseline/greeter/1.0.0"));
        Files.copy(project.resolve("target/greeter-1.0.0.jar"), baseline.resolve("greeter-1.0.0.jar"));
        Files.writeString(baseline.resolve("greeter-1.0.0.pom"), "<project><modelVersion>4.0.0</modelVersion><groupId>dev.mosaic.baseline"
                + "</groupId><artifactId>greeter</artifactId><version>1.0.0</version></project>");

        // a method added to a @ProviderType interface, versions left alone: the build fails, saying what is needed
        write(project, "1.0.0", "1.0.0", "String hello();\n    String bye();");
        Run unbumped = mvn(project, "verify");
        assertNotEquals("an unbumped API change must fail the build:\n" + unbumped.out, 0, unbumped.exit);
        assertTrue(unbumped.out, unbumped.out.contains("Baseline problems detected"));
        assertTrue(unbumped.out, unbumped.out.matches("(?s).*\\* " + PKG.replace(".", "\\.") + "\\s+PACKAGE\\s+MINOR\\s+1\\.0\\.0\\s+1\\.0\\.0\\s+1\\.1\\.0.*"));

        // the same change, bumped as the report says: the build passes
        write(project, "1.1.0", "1.1.0", "String hello();\n    String bye();");
        Run bumped = mvn(project, "verify");
        assertEquals(bumped.out, 0, bumped.exit);
        String report = Files.readString(project.resolve("target/baseline/greeter-1.1.0.txt"));
        assertTrue(report, report.matches("(?s).*" + PKG.replace(".", "\\.") + "\\s+PACKAGE\\s+MINOR\\s+1\\.1\\.0\\s+1\\.0\\.0\\s+ok.*"));
    }

    /** A one-package bundle: the Maven version, the package's version, and the body of its provider interface. */
    private static void write(Path project, String version, String packageVersion, String body) throws IOException {
        Path root = Path.of(System.getProperty("mosaic.root")).toRealPath();
        project = project.toRealPath();
        Files.writeString(project.resolve("pom.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <parent>
                    <groupId>dev.mosaic</groupId>
                    <artifactId>runtime-bundles</artifactId>
                    <version>0.1.0-SNAPSHOT</version>
                    <relativePath>%s</relativePath>
                  </parent>
                  <groupId>dev.mosaic.buildtest</groupId>
                  <artifactId>greeter</artifactId>
                  <version>%s</version>
                  <properties>
                    <mosaic.baseline.version>1.0.0</mosaic.baseline.version>
                  </properties>
                  <dependencies>
                    <dependency><groupId>org.osgi</groupId><artifactId>osgi.annotation</artifactId></dependency>
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin><groupId>biz.aQute.bnd</groupId><artifactId>bnd-maven-plugin</artifactId></plugin>
                      <plugin><groupId>biz.aQute.bnd</groupId><artifactId>bnd-baseline-maven-plugin</artifactId></plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(project.relativize(root.resolve("runtime-bundles/pom.xml")), version)); // relative: Maven joins it to the project's directory
        Files.writeString(project.resolve("bnd.bnd"), "-noextraheaders: true\n");
        Path src = Files.createDirectories(project.resolve("src/main/java/" + PKG.replace('.', '/')));
        Files.writeString(src.resolve("package-info.java"), """
                @org.osgi.annotation.bundle.Export
                @org.osgi.annotation.versioning.Version("%s")
                package %s;
                """.formatted(packageVersion, PKG));
        Files.writeString(src.resolve("Greeter.java"), """
                package %s;

                @org.osgi.annotation.versioning.ProviderType
                public interface Greeter {
                    %s
                }
                """.formatted(PKG, body));
    }

    private record Run(int exit, String out) {
    }

    /** Runs Maven on the project, with the build's own local repository (everything it needs is there). */
    private static Run mvn(Path project, String phase) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(mvnCommand(), "-B", "-ntp", "-f", project.resolve("pom.xml").toString(), phase));
        String repo = System.getProperty("org.ops4j.pax.url.mvn.localRepository");
        if (repo != null && !repo.isBlank()) {
            cmd.add("-Dmaven.repo.local=" + repo);
        }
        Process p = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("mvn did not finish", p.waitFor(5, TimeUnit.MINUTES));
        return new Run(p.exitValue(), out);
    }

    private static String mvnCommand() {
        String home = System.getProperty("maven.home");
        if (home != null && new File(home, "bin/mvn").isFile()) {
            return new File(home, "bin/mvn").getPath();
        }
        return "mvn";
    }
}
