package dev.mosaic.launcher;

import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mosaic rollout ...}: canaries and rollouts in waves (their judgement, shares, promotion, abort). */
final class RolloutCommands {

    private RolloutCommands() {
    }

    @Command(name = "rollout", description = { "Canaries and rollouts in waves: how they go, and steering them.",
            "A deploy with --canary PCT or --waves GROUPS starts one, judged against the serving version unless --no-judge:"
                    + " status (what rollout alone shows) has the judgement, pause and resume suspend and restart it, split"
                    + " changes the shares, promote makes the new version the only one, abort takes it away." },
            subcommands = { RolloutStatus.class, RolloutPause.class, RolloutResume.class, RolloutSplit.class,
                    RolloutPromote.class, RolloutAbort.class })
    static final class Rollout extends RemoteCommands.AcrossEnvironments {
        @Override
        RemoteCommands.Call request() {
            return RolloutStatus.of(env, null);
        }
    }

    @Command(name = "status", description = { "The canaries and rollouts in waves, and how they are judged.",
            "Versions, share, state, this instance's verdict with each check's figures, p-value and threshold." })
    static final class RolloutStatus extends RemoteCommands.AcrossEnvironments {
        @Parameters(arity = "0..1", paramLabel = "NAME", description = "only this adapter")
        String name;

        @Override
        RemoteCommands.Call request() {
            return of(env, name);
        }

        static RemoteCommands.Call of(String env, String name) {
            return RemoteCommands.Call.get("/rollouts" + new RemoteCommands.Query().add("env", env).add("name", name));
        }
    }

    @Command(name = "pause", description = "Suspends a judgement: no verdict takes the new version away or moves it on until"
            + " resumed.")
    static final class RolloutPause extends RolloutStep {
        RolloutPause() {
            super("pause");
        }
    }

    @Command(name = "resume", description = "Starts a paused or halted judgement again, on the requests from now, its"
            + " bake and deadline counted from now.")
    static final class RolloutResume extends RolloutStep {
        RolloutResume() {
            super("resume");
        }
    }

    /** {@code rollout pause|resume NAME}. */
    abstract static class RolloutStep extends RemoteCommands.InEnvironment {
        private final String step;

        @Mixin
        RemoteCommands.DryRun dry;

        @Parameters(paramLabel = "NAME", description = "the adapter (or the module released in waves)")
        String name;

        RolloutStep(String step) {
            this.step = step;
        }

        @Override
        RemoteCommands.Call request() {
            return new RemoteCommands.Call("POST", "/deployments/" + RemoteCommands.enc(env) + "/" + RemoteCommands.enc(name)
                    + "/rollout/" + step + new RemoteCommands.Query().add("dryRun", dry.query()), null);
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

    @Command(name = "abort", description = "Takes an adapter's canaries (or a rollout in waves) away: the version before takes"
            + " every request again, on every instance.")
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
