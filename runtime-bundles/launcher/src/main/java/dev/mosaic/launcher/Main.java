package dev.mosaic.launcher;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code bin/mosaic}: runs the platform ({@code run}) or talks to a running one (the other
 * commands, through its HTTP management API).
 *
 * <p>Exit codes: 0 done; 1 the runtime refused or failed the operation; 2 bad usage or
 * configuration; 3 the runtime did not start or cannot be reached.
 */
public final class Main {

    static final String USAGE = """
            usage: mosaic <command> [options]

              run       start the platform in this terminal
                          --port N         device traffic port (default 8080; 0 picks a free one)
                          --host ADDR      device traffic address (default: all interfaces)
                          --mgmt-port N    management API port (default 8081; 0 picks a free one)
                          --mgmt-host ADDR management API address (default 127.0.0.1)
                          --mgmt-allow-remote  required to put the management API on another address
                          --data DIR       data directory (default ./mosaic-data)
                          --no-console     no Gogo console on the terminal
                          --no-seed        do not deploy the examples into an empty data directory
                          --ready-timeout S  give up if not ready after S seconds (default 120, 0: no limit;
                                           restoring the recorded deployments may take longer)

              deploy FILE [--env E] [--ttl T] [--dry-run]
                                                 deploy an adapter or release a module version;
                                                 --dry-run says who would move and what would fail
              ls [--env E] [--owner O] [--kind adapter|module]
                                                 list deployments
              routes                             list routes with their adapter and wired module versions
              yank NAME VERSION [--env E]        withdraw a module version (consumers move off it)
              unyank NAME VERSION [--env E]      make a yanked version available again
              rollback NAME [--env E]            put back the adapter's previous version
              undeploy NAME [VERSION] [--env E] [--force]
              adopt NAME [--env E]               move a manual-uptake consumer to the newest versions in range
              history [--limit N]                who changed what, when
              promote NAME [VERSION] --from E --to E
                                                 deploy the very same artifact to another environment
              ttl NAME [VERSION] TTL [--env E]   set how long it lives from now (30m, 12h, 7d, none)
              sunset [MODULE VERSION] [--env E] [--unused-for D] [--dry-run]
                                                 remove module versions nobody used for D (default 30d)
              dependents MODULE [VERSION] [--env E]
                                                 who is wired to each version, and who is elsewhere and why
              deps NAME [VERSION] [--env E]      what it imports, transitively, and what newer exists
              uptake [MODULE] [--env E]          consumers per version, share on the newest
              graph [--env E] [--dot]            the dependency graph as JSON, or Graphviz DOT
              health                             failed deployments and leaking retired bundles
                                                 (exit code 1 when degraded)

            These talk to a running runtime's management API:
              --url URL          default $MOSAIC_URL or http://127.0.0.1:8081/api/v1
              --data DIR         where to find the token (DIR/mgmt-token), default ./mosaic-data
              --token-file FILE  or give the file; $MOSAIC_TOKEN wins over both
              --json             print the API's JSON instead of a table

            Exit codes: 0 done, 1 refused or failed (the reason is printed), 2 bad usage,
            3 runtime not reachable or no token.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.get(0).equals("help") || args.get(0).equals("--help") || args.get(0).equals("-h")) {
            out.print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.get(0);
        List<String> rest = args.subList(1, args.size());
        try {
            if (command.equals("run")) {
                return run(rest, out, err, RuntimeLauncher.home());
            }
            if (Client.handles(command)) {
                return new Client(out, err).run(command, rest);
            }
            err.println("mosaic: unknown command '" + command + "'");
            err.print(USAGE);
            return 2;
        } catch (Args.UsageException e) {
            err.println("mosaic " + command + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("mosaic " + command + ": " + e);
            return 3;
        }
    }

    /**
     * A console only for a person at a terminal. Since Java 22, {@code System.console()} exists
     * even when the streams are redirected; {@code Console.isTerminal()} (22+) then says.
     */
    static boolean onATerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // before Java 22 a console exists only on a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    private static long readyTimeout(String value) throws Args.UsageException {
        try {
            long seconds = Long.parseLong(value);
            if (seconds >= 0) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new Args.UsageException("--ready-timeout takes a number of seconds (0 for no limit), not '" + value + "'");
    }

    private static int run(List<String> rest, PrintStream out, PrintStream err, Path home) throws Exception {
        Args a = Args.parse(rest, Set.of("--port", "--host", "--mgmt-port", "--mgmt-host", "--data", "--ready-timeout"),
                Set.of("--no-console", "--no-seed", "--mgmt-allow-remote"));
        if (!a.positional.isEmpty()) {
            throw new Args.UsageException("unexpected argument '" + a.positional.get(0) + "'");
        }
        Path seed = home.resolve("examples").resolve("seed");
        RuntimeLauncher.Options o = new RuntimeLauncher.Options(home,
                Path.of(a.get("--data", "mosaic-data")).toAbsolutePath().normalize(),
                a.port("--port", 8080), a.get("--host", null),
                a.port("--mgmt-port", 8081), a.get("--mgmt-host", null), a.has("--mgmt-allow-remote"),
                !a.has("--no-console") && onATerminal(),
                a.has("--no-seed") || !Files.isDirectory(seed) ? null : seed,
                readyTimeout(a.get("--ready-timeout", "120")));
        return RuntimeLauncher.run(o, out, err);
    }
}
