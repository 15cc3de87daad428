package dev.mosaic.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/** The CLI's parsing, help and exit codes, against a stand-in for the management API on loopback. */
class MainTest {

    @TempDir
    Path dir;

    private HttpServer api;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String answer = "done";
    private Path token;

    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void startApi() throws IOException {
        // $MOSAIC_TOKEN wins over --token-file; these tests give the token as a file
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("MOSAIC_TOKEN") == null, "MOSAIC_TOKEN is set");
        api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("Authorization"));
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        api.start();
        token = Files.writeString(dir.resolve("token"), "s3cret\n");
    }

    @AfterEach
    void stopApi() {
        api.stop(0);
    }

    private Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run remote(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--url", "http://127.0.0.1:" + api.getAddress().getPort() + "/api/v1", "--token-file", token.toString()));
        return run(all.toArray(String[]::new));
    }

    @Test
    void eachCommandHasItsOwnHelpAndExitsZero() {
        Run help = run("deploy", "--help");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().contains("Usage: mosaic deploy") && help.out().contains("--dry-run"), help.out());
        Run viaHelp = run("help", "yank");
        assertEquals(0, viaHelp.exit());
        assertTrue(viaHelp.out().contains("Usage: mosaic yank") && viaHelp.out().contains("NAME VERSION"), viaHelp.out());
        Run all = run("help");
        assertEquals(0, all.exit());
        for (String command : List.of("run", "deploy", "ls", "routes", "yank", "unyank", "rollback", "undeploy", "adopt",
                "history", "promote", "ttl", "sunset", "dependents", "deps", "uptake", "graph", "health", "completion")) {
            assertTrue(all.out().contains("\n  " + command + " ") || all.out().contains("\n  " + command + ","), command + " in " + all.out());
        }
        assertEquals(2, run().exit(), "no command is bad usage");
    }

    /** help follows a command's subcommands (picocli's took one name, and showed rollout's help for both of these). */
    @Test
    void helpOfASubcommandIsItsOwnAndAnUnknownOneIsAUsageError() {
        Run split = run("help", "rollout", "split");
        assertEquals(0, split.exit(), split.err());
        assertTrue(split.out().startsWith("Usage: mosaic rollout split") && split.out().contains("VERSION=PCT"), split.out());
        Run rollout = run("help", "rollout");
        assertEquals(0, rollout.exit(), rollout.err());
        assertTrue(rollout.out().startsWith("Usage: mosaic rollout ") && rollout.out().contains("split"), rollout.out());
        Run nope = run("help", "rollout", "nope");
        assertEquals(2, nope.exit(), nope.out());
        assertTrue(nope.err().startsWith("mosaic rollout: unknown subcommand 'nope' (its subcommands: status, pause, resume,"
                + " split, promote, abort)"), nope.err());
        assertEquals("", nope.out());
        Run extra = run("help", "deploy", "extra");
        assertEquals(2, extra.exit());
        assertTrue(extra.err().startsWith("mosaic help: mosaic deploy has no subcommands ('extra'): 'mosaic help deploy' shows"
                + " its help"), extra.err());
        Run typo = run("help", "rollou");
        assertEquals(2, typo.exit());
        assertTrue(typo.err().contains("unknown command 'rollou'") && typo.err().contains("Did you mean: mosaic rollout"), typo.err());
        // the same words on the command line itself: a subcommand's name, said so (was "Unmatched argument at index 1")
        Run direct = run("backend", "nope");
        assertEquals(2, direct.exit());
        assertTrue(direct.err().startsWith("mosaic backend: unknown subcommand 'nope' (its subcommands: show, set, rm)"),
                direct.err());
    }

    /**
     * Every command's help is made without picocli's warnings: a {@code %} in a description is a format character to it
     * ({@code run --help} printed "[picocli WARN] Could not format 'which new traces are kept: a share (10%)..." three
     * times after its help).
     */
    @Test
    void everyHelpIsMadeWithoutWarnings() {
        java.io.PrintWriter none = new java.io.PrintWriter(java.io.Writer.nullWriter());
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = System.err;
        java.util.List<String> helps = new java.util.ArrayList<>();
        System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(List.of(Main.commandLine(none, none)));
            while (!todo.isEmpty()) {
                picocli.CommandLine cl = todo.poll();
                todo.addAll(cl.getSubcommands().values());
                helps.add(cl.getUsageMessage());
            }
        } finally {
            System.setErr(err);
        }
        assertEquals("", warnings.toString(java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(helps.stream().anyMatch(h -> h.replaceAll("\\s+", " ").contains("a share (10%), at most a number a second (100/s)")),
                "run's help, its percent signs as they are");
    }

    /**
     * Each command's usage line shows its arguments once, as its help names them: picocli repeats the label of a
     * positional parameter that takes a range of values ({@code (NAME [VERSION] TTL NAME [VERSION] TTL)...}) unless told
     * the label says it all.
     */
    @Test
    void everyUsageLineNamesEachArgumentOnce() {
        java.io.PrintWriter none = new java.io.PrintWriter(java.io.Writer.nullWriter());
        java.util.List<String> problems = new java.util.ArrayList<>();
        java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(List.of(Main.commandLine(none, none)));
        while (!todo.isEmpty()) {
            picocli.CommandLine cl = todo.poll();
            todo.addAll(cl.getSubcommands().values());
            String synopsis = cl.getHelp().synopsis(0).replaceAll("\\s+", " ");
            for (picocli.CommandLine.Model.PositionalParamSpec p : cl.getCommandSpec().positionalParameters()) {
                // the label as an argument of its own, not an option's value (--token-file=FILE)
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<![=\\w-])" + java.util.regex.Pattern.quote(
                        p.paramLabel()) + "(?![\\w=])").matcher(synopsis);
                if (m.results().count() > 1) {
                    problems.add(cl.getCommandSpec().qualifiedName(" ") + ": " + synopsis.strip());
                }
            }
            if (synopsis.contains("H1,H2")) {
                problems.add(cl.getCommandSpec().qualifiedName(" ") + ": " + synopsis.strip());
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(run("ttl", "--help").out().replaceAll("\\s+", " ").contains("[--url=URL] NAME [VERSION] TTL "));
        Run noTtl = run("ttl", "tv-home");
        assertEquals(2, noTtl.exit());
        assertTrue(noTtl.err().startsWith("mosaic ttl: name the deployment and how long it lives from now (30m, 12h, 7d, or"
                + " none): mosaic ttl NAME TTL, or mosaic ttl MODULE VERSION TTL; got only 'tv-home'"), noTtl.err());
    }

    /**
     * The CLI builds the model of the one command asked for (a third of a command's start-up): each name it knows a
     * command by is that command's name or alias, and every command is known by each of its names.
     */
    @Test
    void eachCommandIsKnownByItsNamesAndBuiltAlone() {
        java.io.PrintWriter none = new java.io.PrintWriter(java.io.Writer.nullWriter());
        java.util.Map<String, picocli.CommandLine> all = Main.commandLine(none, none).getSubcommands();
        assertEquals(MosaicCommand.COMMANDS.keySet(), all.keySet());
        for (var e : MosaicCommand.COMMANDS.entrySet()) {
            picocli.CommandLine.Command c = e.getValue().getAnnotation(picocli.CommandLine.Command.class);
            assertTrue(c.name().equals(e.getKey()) || List.of(c.aliases()).contains(e.getKey()), e.getKey() + ": " + c.name());
        }
        java.util.Map<String, picocli.CommandLine> one = Main.commandLine(none, none, new String[] {"list"}).getSubcommands();
        assertEquals(java.util.Set.of("ls", "list"), one.keySet());
        assertEquals(all.keySet(), Main.commandLine(none, none, new String[] {"help"}).getSubcommands().keySet());
        assertEquals(java.util.Set.of("yank", "help"), Main.commandLine(none, none, new String[] {"help", "yank"}).getSubcommands()
                .keySet(), "help NAME: that command's help alone");
        assertEquals(all.keySet(), Main.commandLine(none, none, new String[] {"lss"}).getSubcommands().keySet(), "an unknown name is told the one meant");
        // built alone, a command reads and refuses as in the whole tree
        Run ls = run("ls", "--bogus");
        assertEquals(2, ls.exit());
        assertTrue(ls.err().contains("mosaic ls: Unknown option: '--bogus'"), ls.err());
        Run typo = run("lss");
        assertEquals(2, typo.exit());
        assertTrue(typo.err().contains("Did you mean: mosaic ls?"), typo.err());
    }

    /**
     * {@code mosaic --help} lists each command with the first line of its description, and picocli prints each line of a
     * description as a line of its own: a first line that is not a whole sentence is cut off in the list ("...: id, group,
     * address,"), and a line that ends mid-sentence breaks a paragraph in two in the command's help.
     */
    @Test
    void everyCommandIsSummedUpInOneWholeSentenceAndNoHelpLineBreaksOffMidSentence() {
        java.util.List<String> problems = new java.util.ArrayList<>();
        java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>();
        todo.add(Main.commandLine(new java.io.PrintWriter(java.io.Writer.nullWriter()), new java.io.PrintWriter(java.io.Writer.nullWriter())));
        java.util.Set<picocli.CommandLine> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        while (!todo.isEmpty()) {
            picocli.CommandLine cl = todo.poll();
            if (!seen.add(cl)) {
                continue; // a command with an alias is listed under each name
            }
            todo.addAll(cl.getSubcommands().values());
            picocli.CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
            String[] lines = spec.usageMessage().description();
            String name = spec.qualifiedName(" ");
            if (lines.length == 0) {
                problems.add(name + ": no description");
                continue;
            }
            if (!lines[0].strip().endsWith(".")) {
                problems.add(name + ": its summary in the command list is not a whole sentence: '" + lines[0] + "'");
            }
            if (lines[0].length() > 2 * 66) {
                problems.add(name + ": its summary takes more than two lines of the command list: '" + lines[0] + "'");
            }
            for (int i = 0; i < lines.length - 1; i++) {
                String line = lines[i].strip();
                // a line may end a sentence, or lead into examples with a colon; one ending with a word or a comma breaks off
                if (!line.isEmpty() && !line.endsWith(".") && !line.endsWith(":") && !line.endsWith(")")
                        && !lines[i + 1].startsWith("  ")) {
                    problems.add(name + ": line " + (i + 1) + " breaks off mid-sentence: '" + line + "'");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        Run all = run("--help");
        assertTrue(all.out().contains("\n  fleet       The fleet's instances"), all.out());
    }

    @Test
    void aTypoIsBadUsageWithASuggestion() {
        Run typo = run("deplyo", "x.jar");
        assertEquals(2, typo.exit());
        assertTrue(typo.err().contains("unknown command 'deplyo'"), typo.err());
        assertTrue(typo.err().contains("Did you mean: mosaic deploy"), typo.err());
        Run option = run("deploy", "--dryrun", "x.jar");
        assertEquals(2, option.exit());
        assertTrue(option.err().contains("--dry-run"), option.err());
        assertTrue(requests.isEmpty(), "nothing was sent");
    }

    @Test
    void badArgumentsAreBadUsageAndSendNothing() {
        assertEquals(2, run("deploy").exit(), "a missing FILE");
        Run missing = remote("deploy", dir.resolve("nope.jar").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("no such file"), missing.err());
        assertEquals(2, remote("sunset", "only-a-module").exit());
        assertEquals(2, remote("yank", "a.module").exit(), "a missing VERSION");
        Run port = run("run", "--port", "99999");
        assertEquals(2, port.exit());
        assertTrue(port.err().contains("port number from 0 to 65535"), port.err());
        Run share = run("run", "--access-log-sample", "150%");
        assertEquals(2, share.exit());
        assertTrue(share.err().contains("--access-log-sample is the share of requests answered below 500 that get a line,"
                + " from 0 to 1 or 0% to 100% (10%); not '150%'"), share.err());
        assertTrue(requests.isEmpty(), "nothing was sent: " + requests);
    }

    @Test
    void commandsCallTheApiWithTheTokenAndExitByItsAnswer() throws IOException {
        Run yank = remote("yank", "dev.example.catalog", "1.2.0", "--env", "test");
        assertEquals(0, yank.exit(), yank.err());
        assertEquals("done", yank.out().strip());
        assertEquals("POST /api/v1/modules/dev.example.catalog/1.2.0/yank?env=test Bearer s3cret", requests.get(0));

        remote("undeploy", "dev.example.catalog", "1.0.0", "--force");
        assertEquals("DELETE /api/v1/deployments/prod/dev.example.catalog/1.0.0?force=true Bearer s3cret", requests.get(1));
        remote("ttl", "dev.example.catalog", "1.0.0", "2h", "--env", "test");
        assertEquals("POST /api/v1/deployments/test/dev.example.catalog/ttl?ttl=2h&version=1.0.0 Bearer s3cret", requests.get(2));
        remote("list", "--kind", "module");
        assertEquals("GET /api/v1/deployments?kind=module Bearer s3cret", requests.get(3), "list is ls");

        status = 409;
        answer = "{\"error\":\"in_use\",\"message\":\"catalog 1.0.0 is in use\"}";
        Run refused = remote("undeploy", "dev.example.catalog", "1.0.0");
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("catalog 1.0.0 is in use [in_use, HTTP 409]"), refused.err());
        // an upload's refusal names the file it came from, which the runtime never saw
        status = 400;
        answer = "{\"error\":\"invalid_bundle\",\"message\":\"not a jar (zip) file\"}";
        Path notAJar = Files.writeString(dir.resolve("notes.jar"), "hi");
        for (String command : List.of("deploy", "check")) {
            Run upload = remote(command, notAJar.toString());
            assertEquals(1, upload.exit());
            assertEquals("mosaic: " + notAJar + ": not a jar (zip) file [invalid_bundle, HTTP 400]", upload.err().strip());
        }

        status = 401;
        answer = "{\"error\":\"unauthorized\",\"message\":\"the bearer token is not valid\"}";
        assertEquals(3, remote("routes").exit(), "a wrong token");
    }

    @Test
    void theRemoteOptionsMayComeBeforeTheCommandAsWithGit() {
        String url = "http://127.0.0.1:" + api.getAddress().getPort() + "/api/v1";
        Run ls = run("--url", url, "--token-file=" + token, "ls", "--kind", "module");
        assertEquals(0, ls.exit(), ls.err());
        assertEquals("GET /api/v1/deployments?kind=module Bearer s3cret", requests.get(0));
        // a command of a command, and its own arguments after a --
        Run rm = run("--url=" + url, "--token-file", token.toString(), "--json", "backend", "rm", "ratings", "--env", "test");
        assertEquals(0, rm.exit(), rm.err());
        assertTrue(requests.get(1).startsWith("DELETE /api/v1/backends/test/ratings"), requests.get(1));
        assertEquals(java.util.List.of("call", "/x", "--url", "u", "--", "-d"),
                java.util.List.of(Main.optionsAfterCommand(new String[] {"--url", "u", "call", "/x", "--", "-d"})));
        // help calls no runtime: they are left out, as a shell alias with --data would give them
        Run help = run("--url", url, "--data", token.getParent().toString(), "help", "deploy");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().contains("Usage: mosaic deploy"), help.out());
        // --version is mosaic's own: on a command it is a usage error saying where a version goes, not Mosaic's version
        // printed with exit 0 and nothing done
        Run version = run("--url", url, "--token-file=" + token, "promote", "tv", "--version", "1.1.0", "--to", "prod");
        assertEquals(Main.USAGE, version.exit(), version.out());
        assertTrue(version.err().contains("Unknown option: '--version'") && version.err().contains("goes after its name"),
                version.err());
        assertFalse(run("promote", "--help").out().contains("--version"));
        // rollout and backend alone answer as rollout status and backends do; an option before a subcommand's name is
        // said to go after it, not taken by the parent and left out of the subcommand's call
        requests.clear();
        assertEquals(0, run("--url", url, "--token-file=" + token, "rollout").exit());
        assertEquals(0, run("--url", url, "--token-file=" + token, "backend", "--env", "test").exit());
        assertEquals(List.of("GET /api/v1/rollouts Bearer s3cret", "GET /api/v1/backends?env=test Bearer s3cret"), requests);
        Run before = run("--url", url, "--token-file=" + token, "rollout", "--env", "test", "status");
        assertEquals(Main.USAGE, before.exit());
        assertTrue(before.err().contains("--env goes after the name of the command it is for ('mosaic rollout status --env"),
                before.err());
        assertEquals(2, requests.size(), "nothing was asked");
        // --async only where there is a change to commit
        assertTrue(run("deploy", "--help").out().contains("--async"));
        assertFalse(run("ls", "--help").out().contains("--async"));
        assertEquals(Main.USAGE, run("--url", url, "--token-file=" + token, "ls", "--async").exit());
        Run mosaicVersion = run("--version");
        assertEquals(0, mosaicVersion.exit());
        assertTrue(mosaicVersion.out().startsWith("Mosaic "), mosaicVersion.out());
        // an option no command takes there is still refused, saying which
        Run bad = run("--env", "test", "ls");
        assertEquals(Main.USAGE, bad.exit());
        assertTrue(bad.err().contains("--env"), bad.err());
    }

    @Test
    void callTakesAMethodOrGetsAndPostsABodyAsCurlDoes() {
        assertEquals(0, remote("call", "/tv/home?profile=kids").exit());
        assertEquals(0, remote("call", "/tv/home", "-d", "{}").exit());
        assertEquals(0, remote("call", "put", "/tv/home", "-e", "dev").exit());
        assertEquals(List.of("POST /api/v1/call Bearer s3cret"), requests.stream().distinct().toList());
        assertTrue(bodies.get(0).startsWith("{\"method\":\"GET\",\"path\":\"/tv/home?profile=kids\",\"env\":\"prod\""), bodies.get(0));
        assertTrue(bodies.get(1).startsWith("{\"method\":\"POST\",\"path\":\"/tv/home\""), bodies.get(1));
        assertTrue(bodies.get(1).endsWith("\"body\":\"{}\"}"), bodies.get(1));
        assertTrue(bodies.get(2).startsWith("{\"method\":\"PUT\",\"path\":\"/tv/home\",\"env\":\"dev\""), bodies.get(2));
        Run noSlash = remote("call", "GET", "tv/home");
        assertEquals(2, noSlash.exit());
        assertTrue(noSlash.err().contains("the path starts with /: mosaic call GET /tv/home"), noSlash.err());
        Run noPath = remote("call", "GET");
        assertEquals(2, noPath.exit());
        assertTrue(noPath.err().contains("give the path too: mosaic call GET /tv/home"), noPath.err());
        assertEquals(3, requests.size(), "nothing sent for a bad call");
    }

    @Test
    void anUnreachableRuntimeIsExitThree() throws IOException {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Run r = run("routes", "--url", "http://127.0.0.1:" + port + "/api/v1", "--token-file", token.toString());
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("no runtime answers"), r.err());
        Run noToken = run("routes", "--data", dir.resolve("elsewhere").toString());
        assertEquals(3, noToken.exit());
        assertTrue(noToken.err().contains("no management token"), noToken.err());
    }

    @Test
    void completionPrintsAScriptForEveryCommand() {
        Run c = run("completion");
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.out().contains("complete") && c.out().contains("deploy") && c.out().contains("--dry-run"),
                c.out().substring(0, Math.min(300, c.out().length())));
    }
}
