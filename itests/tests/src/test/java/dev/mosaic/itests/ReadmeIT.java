package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The README's walk-throughs, run as written: every command of the code blocks in "Write an
 * adapter" and "Deploy, release, and see who uses what", in order, with bash, from a
 * directory laid out like the repository, against a runtime started with {@code bin/mosaic
 * run}. A command must succeed; where its comment shows what it answers (a JSON object, or a
 * version for a {@code curl}), the answer must say so. A README that drifts from the product
 * fails here, not on a newcomer's machine.
 */
public class ReadmeIT {

    private static final Pattern VERSION = Pattern.compile("\\b\\d+\\.\\d+\\.\\d+\\b");
    private static final List<String> SECTIONS = List.of("## Write an adapter", "## Deploy, release, and see who uses what",
            "## Call backend services", "## Canaries: versions side by side");

    /** One line of a code block: the command, and what its comment says it answers. */
    record Step(String command, String comment) {
        @Override
        public String toString() {
            return command;
        }
    }

    @Test
    public void theWalkThroughsWorkAsWritten() throws Exception {
        Path root = Path.of(System.getProperty("mosaic.root")).toRealPath();
        String readme = Files.readString(root.resolve("README.md"));
        List<Step> steps = new ArrayList<>();
        for (String heading : SECTIONS) {
            steps.addAll(steps(section(readme, heading)));
        }
        assertTrue("the walk-throughs have commands: " + steps, steps.size() >= 15);

        // the repository's layout (the script, the distribution, the example sources), in a
        // directory of the test's own, so that what the commands write stays there
        Path here = LaunchedRuntime.newDataDir();
        for (String top : List.of("bin", "features", "adapter-bundles")) {
            Files.createSymbolicLink(here.resolve(top), root.resolve(top));
        }
        String path = Path.of(LaunchedRuntime.java()).getParent() + File.pathSeparator + System.getenv("PATH");
        ProcessBuilder run = new ProcessBuilder().directory(here.toFile());
        clean(run.environment(), path);
        try (LaunchedRuntime rt = LaunchedRuntime.startScript(run, here.resolve("mosaic-data"))) {
            for (Step step : steps) {
                if (step.command().startsWith("mvn ")) {
                    continue; // the build running this test has built it already
                }
                String mgmt = rt.mgmtUrl.substring(0, rt.mgmtUrl.indexOf("/api/v1")).replace("http://", "");
                String command = step.command().replace("localhost:8080", "127.0.0.1:" + rt.port)
                        .replace("localhost:8081", mgmt);
                ProcessBuilder sh = new ProcessBuilder("bash", "-c", "set -o pipefail; " + command).directory(here.toFile())
                        .redirectErrorStream(true);
                clean(sh.environment(), path);
                // the CLI finds the token in ./mosaic-data, as the README says; only the port is the test's own
                sh.environment().put("MOSAIC_URL", rt.mgmtUrl);
                Process p = sh.start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(step + " did not finish", p.waitFor(120, TimeUnit.SECONDS));
                if (step.comment().startsWith("refused: ")) {
                    // a step the README shows being refused: it fails, saying what its comment says first
                    String why = step.comment().substring("refused: ".length()).split(";")[0].trim();
                    assertTrue("`" + step + "` should be refused, but printed:\n" + out, p.exitValue() != 0);
                    assertTrue("`" + step + "` should say " + why + ", but printed:\n" + out, out.contains(why));
                    continue;
                }
                assertEquals("`" + step + "` failed, printing:\n" + out, 0, p.exitValue());
                check(step, out);
            }
            assertTrue("the graph was written where the README says", Files.size(here.resolve("graph.dot")) > 0);
        }
    }

    @Test
    public void theAdapterTheReadmeWritesIsTheOneItBuilds() throws Exception {
        Path root = Path.of(System.getProperty("mosaic.root")).toRealPath();
        String section = section(Files.readString(root.resolve("README.md")), "## Write an adapter");
        int start = section.indexOf("```java\n");
        assertTrue("the README shows an adapter's code", start >= 0);
        String shown = section.substring(start + "```java\n".length(), section.indexOf("```", start + 3));
        String built = Files.readString(root.resolve("adapter-bundles/show-page/src/main/java/com/example/tv/ShowPage.java"));
        assertTrue("README's adapter differs from adapter-bundles/show-page:\n" + shown,
                built.replaceAll("\\s+", " ").contains(shown.trim().replaceAll("\\s+", " ")));
    }

    /** What the comment says the command answers, where it says it precisely. */
    static void check(Step step, String out) throws Exception {
        String comment = step.comment();
        int brace = comment.indexOf('{');
        if (brace >= 0) {
            JsonNode expected = LaunchedRuntime.JSON.readTree(comment.substring(brace, comment.lastIndexOf('}') + 1));
            JsonNode actual = LaunchedRuntime.JSON.readTree(out);
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                assertEquals("`" + step + "` answered " + out, field.getValue(), actual.get(field.getKey()));
            }
        } else if (step.command().startsWith("bin/mosaic call ")) {
            // in prod too: the CLI's call carries the runtime's trace key
            Matcher calls = Pattern.compile("its (\\d+) backend calls").matcher(comment);
            assertTrue("a call of the walk-through says how many backend calls it shows: " + step, calls.find());
            assertTrue("`" + step + "` should show " + calls.group(1) + " backend calls, but printed:\n" + out,
                    out.startsWith("HTTP 200") && out.contains("backend calls (" + calls.group(1) + "):"));
        } else if (step.command().startsWith("curl ")) {
            Matcher version = VERSION.matcher(comment);
            assertTrue("a curl of the walk-through says what it shows: " + step, version.find());
            assertTrue("`" + step + "` should show " + version.group() + " but answered " + out,
                    out.contains("\"" + version.group() + "\""));
        }
    }

    static void clean(Map<String, String> env, String path) {
        env.remove("MOSAIC_TOKEN");
        env.remove("MOSAIC_HOME");
        env.remove("MOSAIC_URL");
        env.put("PATH", path);
    }

    /** The text from a heading to the next heading of the same level. */
    static String section(String readme, String heading) {
        int start = readme.indexOf("\n" + heading + "\n");
        assertTrue("the README has a section " + heading, start >= 0);
        int end = readme.indexOf("\n## ", start + heading.length() + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /**
     * The lines of the section's plain code blocks (those without a language, which are shell run here from this
     * repository; a team's own project is shown in {@code sh} blocks, which {@link AdapterProjectIT} runs).
     */
    static List<Step> steps(String section) {
        return steps(section, "");
    }

    /** The lines of the section's code blocks tagged with the language (empty: none). */
    static List<Step> steps(String section, String language) {
        List<Step> steps = new ArrayList<>();
        boolean inBlock = false;
        boolean shell = false;
        for (String line : section.split("\n")) {
            if (line.startsWith("```")) {
                shell = !inBlock && line.trim().equals("```" + language);
                inBlock = !inBlock;
            } else if (inBlock && shell && !line.isBlank()) {
                Matcher comment = Pattern.compile("\\s+#\\s").matcher(line);
                steps.add(comment.find() ? new Step(line.substring(0, comment.start()).trim(), line.substring(comment.end()).trim())
                        : new Step(line.trim(), ""));
            }
        }
        assertFalse("no code block left open", inBlock);
        return steps;
    }
}
