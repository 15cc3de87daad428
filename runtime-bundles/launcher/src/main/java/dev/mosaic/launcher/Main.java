package dev.mosaic.launcher;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code bin/mosaic}: runs the platform ({@code run}) or talks to a running one (every other
 * command, through its HTTP management API). The commands are declared once each, with
 * picocli, in {@link MosaicCommand}, {@link RunCommand} and {@link RemoteCommands}.
 *
 * <p>Exit codes ({@link #DONE}, {@link #REFUSED}, {@link #USAGE}, {@link #UNREACHABLE}): 0 done;
 * 1 the runtime refused or failed the operation; 2 bad usage or configuration; 3 the runtime did
 * not start or cannot be reached, or the token is missing or wrong; 4 ({@link #NOT_CONVERGED}) in
 * a fleet, the change was committed but not every live instance applied it in time (the answer
 * says which have not, and why; they go on trying).
 */
public final class Main {

    static final int DONE = 0;
    static final int REFUSED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;
    static final int NOT_CONVERGED = 4;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] given, PrintStream out, PrintStream err) {
        String[] args = optionsAfterCommand(given);
        RunCommand run = FastRun.parse(args);
        if (run != null) {
            try {
                return run.call();
            } catch (Exception e) {
                err.println("mosaic run: " + e);
                return UNREACHABLE;
            }
        }
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        try {
            return commandLine(o, e, args).execute(args);
        } finally {
            o.flush();
            e.flush();
        }
    }

    /**
     * @return the arguments with the options of a remote command ({@link RemoteCommands.Remote}'s) given before the
     *         command's name ({@code mosaic --data DIR ls}, as one writes {@code git -C DIR log}) moved to the end
     *         (before a {@code --}), where the command reads them; anything else as given
     */
    static String[] optionsAfterCommand(String[] args) {
        if (args.length == 0 || !args[0].startsWith("--")) {
            return args; // a command first (run's quick start among them): nothing to read here
        }
        picocli.CommandLine.Model.CommandSpec remote = picocli.CommandLine.Model.CommandSpec.forAnnotatedObject(
                new RemoteCommands.Remote());
        java.util.List<String> moved = new java.util.ArrayList<>();
        int i = 0;
        while (i < args.length) {
            String a = args[i];
            int eq = a.indexOf('=');
            picocli.CommandLine.Model.OptionSpec option = remote.findOption(eq > 0 ? a.substring(0, eq) : a);
            if (option == null) {
                break;
            }
            moved.add(a);
            if (eq < 0 && option.arity().max() > 0) {
                if (i + 1 == args.length) {
                    return args; // its value is missing: said as the command line is read
                }
                moved.add(args[++i]);
            }
            i++;
        }
        if (moved.isEmpty() || i == args.length || args[i].startsWith("-")) {
            return args;
        }
        java.util.List<String> rest = new java.util.ArrayList<>(java.util.Arrays.asList(args).subList(i, args.length));
        if (args[i].equals("help") || args[i].equals("completion")) {
            return rest.toArray(String[]::new); // they call no runtime: as if not given ("mosaic --data DIR help deploy")
        }
        int end = rest.indexOf("--");
        rest.addAll(end < 0 ? rest.size() : end, moved);
        return rest.toArray(String[]::new);
    }

    /** The whole command tree, writing to these streams, with Mosaic's exit codes and error messages. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, null);
    }

    /**
     * @param args the command line, or null
     * @return the command tree, writing to these streams, with Mosaic's exit codes and error messages: of the command it
     *         names alone (and {@code help} with it, for {@code help NAME}) when it names one (the model of all of them
     *         costs a command some 130 ms more, bench/run cli), else of all ({@code help} alone and {@code completion}
     *         name them all; an unknown name is told the one it is closest to)
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String[] args) {
        CommandLine cl = new CommandLine(new MosaicCommand());
        boolean help = args != null && args.length > 0 && args[0].equals("help");
        // the command named: the first argument, or help's
        String named = args == null || args.length == (help ? 1 : 0) ? null : args[help ? 1 : 0];
        Class<?> one = named == null || named.equals("help") || named.equals("completion") ? null
                : MosaicCommand.COMMANDS.get(named);
        java.util.Collection<Class<?>> commands = one == null ? new java.util.LinkedHashSet<>(MosaicCommand.COMMANDS.values())
                : help ? List.of(one, MosaicCommand.COMMANDS.get("help")) : List.of(one);
        for (Class<?> c : commands) {
            cl.addSubcommand(c);
        }
        versionOnTheRootOnly(cl);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(Main::badUsage);
        // a wrapper script may add an option the user gave too (bin/mosaic adds --no-console without a terminal)
        cl.setOverwrittenOptionsAllowed(true);
        cl.setExecutionStrategy(parseResult -> {
            // a command with subcommands that also answers alone (rollout, backend) takes the options its answer needs:
            // given before a subcommand's name they would be that command's, and the subcommand would run without them
            for (CommandLine.ParseResult p = parseResult.subcommand(); p != null && p.hasSubcommand(); p = p.subcommand()) {
                if (!p.matchedOptions().isEmpty()) {
                    String sub = p.subcommand().commandSpec().qualifiedName(" ");
                    throw new ParameterException(p.commandSpec().commandLine(), p.matchedOptions().get(0).longestName()
                            + " goes after the name of the command it is for ('" + sub + " "
                            + p.matchedOptions().get(0).longestName() + " ...'), where it applies");
                }
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("mosaic " + commandLine.getCommandName() + ": " + ex);
            return UNREACHABLE;
        });
        return cl;
    }

    /**
     * Takes {@code -V/--version} off every command but {@code mosaic} itself (the standard help options come with -h to
     * each): on a command it printed Mosaic's version and exited 0 having done nothing, where one may well have meant a
     * deployment's version ({@code promote NAME --version 1.1.0}); now that is a usage error saying what was wrong.
     */
    private static void versionOnTheRootOnly(CommandLine cl) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            picocli.CommandLine.Model.OptionSpec version = sub.getCommandSpec().findOption("--version");
            if (version != null && version.versionHelp()) {
                sub.getCommandSpec().remove(version);
            }
            versionOnTheRootOnly(sub);
        }
    }

    /** A usage error: what was wrong, a suggestion for a typo, and where the command's help is. No wall of usage text. */
    private static int badUsage(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        String name = cl.getCommandSpec().qualifiedName(" ");
        // a word (not an option) the command did not take
        String word = ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-") ? u.getUnmatched().get(0) : null;
        if (word != null && cl.getCommandSpec().parent() == null) {
            err.println(name + ": unknown command '" + word + "'");
        } else if (word != null && !cl.getSubcommands().isEmpty() && cl.getCommandSpec().positionalParameters().isEmpty()) {
            // a command of subcommands that takes no argument of its own (rollout, backend): a word is a subcommand's name
            err.println(name + ": unknown subcommand '" + word + "' (its subcommands: " + cl.getSubcommands().values().stream()
                    .map(CommandLine::getCommandName).distinct().collect(java.util.stream.Collectors.joining(", ")) + ")");
        } else {
            err.println(name + ": " + ex.getMessage());
        }
        if (ex instanceof UnmatchedArgumentException unmatched) {
            UnmatchedArgumentException.printSuggestions(unmatched, err);
            if (cl.getCommandSpec().parent() != null && (unmatched.getUnmatched().contains("--version")
                    || unmatched.getUnmatched().contains("-V"))) {
                err.println("A deployment's version goes after its name (" + name + " NAME VERSION, where it takes one);"
                        + " 'mosaic --version' prints Mosaic's.");
            }
        }
        err.println("Try '" + name + " --help' for more.");
        return USAGE;
    }
}
