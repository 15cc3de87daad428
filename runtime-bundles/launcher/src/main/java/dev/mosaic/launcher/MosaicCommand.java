package dev.mosaic.launcher;

import java.util.concurrent.Callable;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine;
import picocli.CommandLine.IHelpCommandInitializable2;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The root of the command tree: {@code mosaic <command> [options]}. */
@Command(name = "mosaic", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = MosaicCommand.Version.class, sortOptions = false, usageHelpAutoWidth = true,
        description = "Runs Mosaic, or talks to a running Mosaic through its management API.",
        commandListHeading = "%nCommands:%n",
        footer = { "", "Every command but run calls a running runtime's management API: --url (default $MOSAIC_URL or"
                + " http://127.0.0.1:8081/api/v1), the token from $MOSAIC_TOKEN, --token-file, or DIR/mgmt-token with --data DIR.",
                "", "Exit codes: 0 done, 1 refused or failed (the reason is printed), 2 bad usage, 3 runtime not reachable,"
                + " or no or a wrong token." })
final class MosaicCommand implements Callable<Integer> {

    /**
     * Its commands, by name (and alias: {@code list}), in the order its help lists them. Not in the {@code @Command} annotation: picocli
     * would build the model of every command (some 300 ms of a cold JVM) to run one; {@link Main#commandLine} adds the
     * one asked for, or all of them for help, completion, a name it does not know, or none. {@code MainTest} checks each
     * name against its class's annotation.
     */
    static final java.util.Map<String, Class<?>> COMMANDS = commands(
            "run", RunCommand.class, "dev", DevCommand.class, "deploy", RemoteCommands.Deploy.class,
            "check", RemoteCommands.Check.class, "ls", RemoteCommands.Ls.class, "list", RemoteCommands.Ls.class,
            "routes", RemoteCommands.Routes.class, "yank", RemoteCommands.Yank.class,
            "unyank", RemoteCommands.Unyank.class, "rollback", RemoteCommands.Rollback.class,
            "undeploy", RemoteCommands.Undeploy.class, "adopt", RemoteCommands.Adopt.class,
            "history", RemoteCommands.History.class, "promote", RemoteCommands.Promote.class,
            "ttl", RemoteCommands.Ttl.class, "sunset", RemoteCommands.Sunset.class,
            "dependents", RemoteCommands.DependentsOf.class, "deps", RemoteCommands.Deps.class,
            "uptake", RemoteCommands.UptakeOf.class, "graph", RemoteCommands.GraphOf.class,
            "health", RemoteCommands.HealthOf.class, "fleet", RemoteCommands.FleetOf.class,
            "rollout", RolloutCommands.Rollout.class, "backend", BackendCommands.Backend.class,
            "backends", RemoteCommands.BackendsOf.class, "call", RemoteCommands.CallRoute.class,
            "tail", RemoteCommands.Tail.class, "log-level", RemoteCommands.LogLevel.class,
            "completion", MosaicCommand.Completion.class, "help", Help.class);

    private static java.util.Map<String, Class<?>> commands(Object... nameThenClass) {
        java.util.Map<String, Class<?>> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < nameThenClass.length; i += 2) {
            m.put((String) nameThenClass[i], (Class<?>) nameThenClass[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    @Spec
    CommandSpec spec;

    /** {@code mosaic} alone: the list of commands, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.USAGE;
    }

    /** The launcher's version, from its jar's manifest. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] { "Mosaic " + number() };
        }

        /** @return the version of this build, as its jar's manifest says, or {@code (development build)} */
        static String number() {
            String v = MosaicCommand.class.getPackage().getImplementationVersion();
            return v == null ? "(development build)" : v;
        }
    }

    /**
     * {@code help [COMMAND [SUBCOMMAND]]}: the help of a command, or of one of its subcommands ({@code help rollout split}).
     * picocli's own help command takes one name: it showed rollout's help for {@code help rollout split} and for
     * {@code help rollout nope}. A name it does not know is a usage error, with a suggestion, as on the command line.
     */
    @Command(name = "help", helpCommand = true, description = "Shows the help of a command, or of its subcommand"
            + " (help rollout split).")
    static final class Help implements IHelpCommandInitializable2, Callable<Integer> {
        @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command, then its subcommand's name if it"
                + " has them.")
        java.util.List<String> path = java.util.List.of();

        private CommandLine self;
        private CommandLine.Help.ColorScheme colors;
        private java.io.PrintWriter out;

        @Override
        public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, java.io.PrintWriter out,
                java.io.PrintWriter err) {
            this.self = helpCommandLine;
            this.colors = colorScheme;
            this.out = out;
        }

        @Override
        public Integer call() {
            CommandLine at = self.getParent();
            for (String name : path) {
                CommandLine next = at.getSubcommands().get(name);
                if (next == null && at.getSubcommands().isEmpty()) { // (mosaic itself always has some: help)
                    String command = at.getCommandSpec().qualifiedName(" ");
                    throw new CommandLine.ParameterException(self, command + " has no subcommands ('" + name + "'): 'mosaic help "
                            + command.substring(command.indexOf(' ') + 1) + "' shows its help");
                } else if (next == null) {
                    throw new CommandLine.UnmatchedArgumentException(at, java.util.List.of(name));
                }
                at = next;
            }
            at.usage(out, colors);
            return Main.DONE;
        }
    }

    @Command(name = "completion", description = { "Prints a bash/zsh completion script for mosaic.",
            "Use it with:  source <(bin/mosaic completion)" })
    static final class Completion implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(AutoComplete.bash("mosaic", spec.root().commandLine()));
            spec.commandLine().getOut().flush();
            return Main.DONE;
        }
    }
}
