package dev.mosaic.launcher;

import java.util.concurrent.Callable;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
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
                + " or no or a wrong token." },
        subcommands = { RunCommand.class, DevCommand.class,
                RemoteCommands.Deploy.class, RemoteCommands.Check.class, RemoteCommands.Ls.class, RemoteCommands.Routes.class,
                RemoteCommands.Yank.class, RemoteCommands.Unyank.class, RemoteCommands.Rollback.class,
                RemoteCommands.Undeploy.class, RemoteCommands.Adopt.class, RemoteCommands.History.class,
                RemoteCommands.Promote.class, RemoteCommands.Ttl.class, RemoteCommands.Sunset.class,
                RemoteCommands.DependentsOf.class, RemoteCommands.Deps.class, RemoteCommands.UptakeOf.class,
                RemoteCommands.GraphOf.class, RemoteCommands.HealthOf.class, RemoteCommands.FleetOf.class,
                RolloutCommands.Rollout.class, BackendCommands.Backend.class,
                RemoteCommands.BackendsOf.class, RemoteCommands.CallRoute.class,
                RemoteCommands.Tail.class, RemoteCommands.LogLevel.class,
                MosaicCommand.Completion.class, HelpCommand.class })
final class MosaicCommand implements Callable<Integer> {

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
