package dev.mosaic.launcher;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mosaic rollout ...}: versions of an adapter serving side by side (a canary's shares, its promotion, its abort). */
final class RolloutCommands {

    private RolloutCommands() {
    }

    @Command(name = "rollout", description = { "Versions of an adapter serving side by side (deploy --canary PCT starts one):",
            "rollout split changes their shares, rollout promote makes a canary the only version, rollout abort takes the",
            "canaries away." }, subcommands = { RolloutSplit.class, RolloutPromote.class, RolloutAbort.class })
    static final class Rollout implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            throw new ParameterException(spec.commandLine(), "say what to do: rollout split NAME VERSION=PCT..., rollout"
                    + " promote NAME [VERSION] or rollout abort NAME");
        }
    }

    @Command(name = "split", description = "Sets the shares of an adapter's versions, adding up to 100 (a version not named gets 0).")
    static final class RolloutSplit extends RemoteCommands.InEnvironment {
        @Mixin
        RemoteCommands.DryRun dry;

        @Parameters(index = "0", paramLabel = "NAME", description = "the adapter")
        String name;

        @Parameters(index = "1..*", paramLabel = "VERSION=PCT", description = "each version and its share, such as 1.1.0=25%%")
        List<String> shares;

        @Option(names = "--sticky", paramLabel = "KEY", description = "header:NAME or query:NAME (default: as it was)")
        String sticky;

        @Override
        RemoteCommands.Call request() {
            return new RemoteCommands.Call("PUT", "/deployments/" + RemoteCommands.enc(env) + "/" + RemoteCommands.enc(name) + "/split" + new RemoteCommands.Query()
                    .add("weights", String.join(",", shares)).add("sticky", sticky).add("dryRun", dry.query()), null);
        }
    }

    @Command(name = "promote", description = "Makes a canary the adapter's only version: it takes every request, the others go.")
    static final class RolloutPromote extends RemoteCommands.InEnvironment {
        @Mixin
        RemoteCommands.DryRun dry;

        @Parameters(index = "0", paramLabel = "NAME", description = "the adapter")
        String name;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION", description = "the canary (default: the only one)")
        String version;

        @Override
        RemoteCommands.Call request() {
            return new RemoteCommands.Call("POST", "/deployments/" + RemoteCommands.enc(env) + "/" + RemoteCommands.enc(name) + "/canary/promote" + new RemoteCommands.Query()
                    .add("version", version).add("dryRun", dry.query()), null);
        }
    }

    @Command(name = "abort", description = "Takes an adapter's canaries away: the serving version takes every request again.")
    static final class RolloutAbort extends RemoteCommands.InEnvironment {
        @Mixin
        RemoteCommands.DryRun dry;

        @Parameters(paramLabel = "NAME", description = "the adapter")
        String name;

        @Override
        RemoteCommands.Call request() {
            return new RemoteCommands.Call("POST", "/deployments/" + RemoteCommands.enc(env) + "/" + RemoteCommands.enc(name) + "/canary/abort" + new RemoteCommands.Query()
                    .add("dryRun", dry.query()), null);
        }
    }

}
