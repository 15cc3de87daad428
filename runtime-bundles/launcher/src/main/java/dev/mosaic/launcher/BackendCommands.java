package dev.mosaic.launcher;

import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mosaic backend show|set|rm}: a backend service's declaration in an environment, shown, made, changed, removed. */
final class BackendCommands {

    private BackendCommands() {
    }

    @Command(name = "backend", description = { "Declares, changes or removes a backend service in an environment.",
            "Adapters that name it in Mosaic-Backends call it through the platform, with its policy. Alone, it lists the"
                    + " backends declared, as backends does.",
            "Secret header values are never given here: --secret-header X-Api-Key=env:VAR or =file:/path, read by the runtime." },
            subcommands = { BackendShow.class, BackendSet.class, BackendRm.class })
    static final class Backend extends RemoteCommands.BackendsOf {
    }

    @Command(name = "set", description = { "Declares a backend, or changes its declaration.",
            "What is not given has its default: timeout 1s, 2 retries within a budget of 20%% of calls, 100 calls in flight,"
                    + " breaker at 50%% failures over >= 20 calls in 10s, open 5s, answers up to 8MiB." })
    static final class BackendSet extends RemoteCommands.InEnvironment {
        @Mixin
        RemoteCommands.DryRun dry;

        @Parameters(paramLabel = "NAME", description = "the backend, e.g. recommendations")
        String name;

        @Option(names = "--base-url", required = true, paramLabel = "URL", description = "a base URL, http or https;"
                + " repeat for several (used in turn; one that fails is skipped until it recovers)")
        List<String> urls;

        @Option(names = "--timeout", paramLabel = "T", description = "the longest a call may take, retries included (250ms, 1s)")
        String timeout;

        @Option(names = "--retries", paramLabel = "N", description = "tries again at most N times (idempotent calls only)")
        String retries;

        @Option(names = "--retry-budget", paramLabel = "P", description = "retries at most P%% of calls over 10s (20%%)")
        String retryBudget;

        @Option(names = "--max-concurrent", paramLabel = "N", description = "calls in flight at most; more fail at once")
        String maxConcurrent;

        @Option(names = "--breaker-failure-rate", paramLabel = "P", description = "failure rate that opens the breaker (50%%)")
        String breakerFailureRate;

        @Option(names = "--breaker-min-calls", paramLabel = "N", description = "calls in the window before it counts (20)")
        String breakerMinCalls;

        @Option(names = "--breaker-window", paramLabel = "T", description = "the breaker's window (10s)")
        String breakerWindow;

        @Option(names = "--breaker-open", paramLabel = "T", description = "how long it stays open before probing (5s)")
        String breakerOpen;

        @Option(names = "--max-response", paramLabel = "SIZE", description = "largest answer read (8MiB)")
        String maxResponse;

        @Option(names = "--header", paramLabel = "NAME=VALUE", description = "a header added to every call (not a secret)")
        List<String> headers;

        @Option(names = "--secret-header", paramLabel = "NAME=REF", description = "a header whose value the runtime reads"
                + " from env:VARIABLE or file:/path")
        List<String> secretHeaders;

        @Option(names = "--trust-store", paramLabel = "FILE", description = "trust store for https (default: the JVM's)")
        String trustStore;

        @Option(names = "--trust-store-password", paramLabel = "REF", description = "env:VARIABLE or file:/path")
        String trustStorePassword;

        @Option(names = "--key-store", paramLabel = "FILE", description = "key store with a client certificate")
        String keyStore;

        @Option(names = "--key-store-password", paramLabel = "REF", description = "env:VARIABLE or file:/path")
        String keyStorePassword;

        @Override
        RemoteCommands.Call request() {
            java.util.Map<String, Object> options = new java.util.LinkedHashMap<>();
            options.put("url", urls);
            put(options, "timeout", timeout);
            put(options, "retries", retries);
            put(options, "retry-budget", retryBudget);
            put(options, "max-concurrent", maxConcurrent);
            put(options, "breaker-failure-rate", breakerFailureRate);
            put(options, "breaker-min-calls", breakerMinCalls);
            put(options, "breaker-window", breakerWindow);
            put(options, "breaker-open", breakerOpen);
            put(options, "max-response", maxResponse);
            put(options, "header", headers);
            put(options, "secret-header", secretHeaders);
            put(options, "trust-store", trustStore);
            put(options, "trust-store-password", trustStorePassword);
            put(options, "key-store", keyStore);
            put(options, "key-store-password", keyStorePassword);
            try {
                return new RemoteCommands.Call("PUT", "/backends/" + RemoteCommands.enc(env) + "/" + RemoteCommands.enc(name) + new RemoteCommands.Query().add("dryRun", dry.query()),
                        new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(options));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw usage("cannot write the declaration: " + e.getOriginalMessage());
            }
        }

        private static void put(java.util.Map<String, Object> options, String key, Object value) {
            if (value != null) {
                options.put(key, value);
            }
        }
    }

    @Command(name = "show", description = { "Shows a backend's declaration in full, who calls it, and how its calls go.",
            "  mosaic backend show recommendations --env test" })
    static final class BackendShow extends RemoteCommands.InEnvironment {
        @Parameters(paramLabel = "NAME", description = "the backend")
        String name;

        @Override
        RemoteCommands.Call request() {
            return RemoteCommands.Call.get("/backends/" + RemoteCommands.enc(env) + "/" + RemoteCommands.enc(name));
        }
    }

    @Command(name = "rm", aliases = "remove", description = { "Removes a backend's declaration from an environment.",
            "Refused while a deployed adapter names it, unless --force (its calls to it then fail)." })
    static final class BackendRm extends RemoteCommands.InEnvironment {
        @Mixin
        RemoteCommands.DryRun dry;

        @Parameters(paramLabel = "NAME", description = "the backend")
        String name;

        @Option(names = { "-f", "--force" }, description = "remove it although adapters call it")
        boolean force;

        @Override
        RemoteCommands.Call request() {
            return new RemoteCommands.Call("DELETE", "/backends/" + RemoteCommands.enc(env) + "/" + RemoteCommands.enc(name) + new RemoteCommands.Query().add("force", force ? "true" : null)
                    .add("dryRun", dry.query()), null);
        }
    }

}
