package dev.mosaic.launcher;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The commands that talk to a running runtime: each is one call to its management API,
 * declared here once (name, arguments, options, help) with the request it makes. People get
 * the console's tables; {@code --json} gives pipelines the API's JSON unchanged.
 */
final class RemoteCommands {

    private RemoteCommands() {
    }

    /** Where the runtime is and how to show its answers: the options every remote command takes. */
    static final class Remote {
        @Option(names = "--url", paramLabel = "URL", description = "the management API (default $MOSAIC_URL or "
                + Client.DEFAULT_URL + ")")
        String url;

        @Option(names = "--data", paramLabel = "DIR", description = "the runtime's data directory, where its token is"
                + " (default $MOSAIC_DATA, else ./mosaic-data)")
        Path data;

        @Option(names = "--token-file", paramLabel = "FILE", description = "the token's file; $MOSAIC_TOKEN wins over both")
        Path tokenFile;

        @Option(names = "--json", description = "print the API's JSON instead of a table")
        boolean json;
    }

    /**
     * A request to the management API.
     *
     * @param subject what a refusal is about, said before it ({@code mosaic: target/kids-home.jar: not a jar ...}): the file
     *            an upload came from, which the runtime never sees; or null
     */
    record Call(String method, String path, byte[] body, String subject) {
        Call(String method, String path, byte[] body) {
            this(method, path, body, null);
        }

        static Call get(String path) {
            return new Call("GET", path, null);
        }

        static Call post(String path) {
            return new Call("POST", path, null);
        }
    }

    /** A command that makes one call; subclasses say which. */
    abstract static class RemoteCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Remote remote;

        /** @return the request this command makes; a {@link ParameterException} for bad usage */
        abstract Call request();

        @Override
        public Integer call() {
            Call call = request();
            // --async: only where it means something, on a command that changes something (DryRun's)
            OptionSpec async = spec.findOption("--async");
            return new Client(spec.commandLine().getOut(), spec.commandLine().getErr()).send(call, remote,
                    async != null && Boolean.TRUE.equals(async.getValue()));
        }

        ParameterException usage(String message) {
            return new ParameterException(spec.commandLine(), message);
        }

        /** @return the bytes of the file a command uploads; a usage error if there is none to read */
        byte[] read(Path file) {
            try {
                return Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw usage("no such file: " + file);
            } catch (IOException e) {
                throw usage("cannot read " + file + ": " + e.getMessage());
            }
        }
    }

    /** {@code --dry-run}, for the commands that change something: the same checks and plan, nothing changed. */
    static final class DryRun {
        @Option(names = { "-n", "--dry-run" }, description = "only say what would happen (exit 1 if it would be refused);"
                + " nothing changes")
        boolean dryRun;

        @Option(names = "--async", description = "in a fleet: answer once the change is committed, without waiting for"
                + " every instance to apply it")
        boolean async;

        String query() {
            return dryRun ? "true" : null;
        }
    }

    /** A command about one environment, prod unless told. */
    abstract static class InEnvironment extends RemoteCommand {
        @Option(names = { "-e", "--env" }, paramLabel = "ENV", description = "environment (default ${DEFAULT-VALUE})")
        String env = "prod";
    }

    /** A command that lists across environments unless told one. */
    abstract static class AcrossEnvironments extends RemoteCommand {
        @Option(names = { "-e", "--env" }, paramLabel = "ENV", description = "only this environment")
        String env;
    }

    @Command(name = "deploy", description = { "Deploys an adapter, or releases a shared-module version.",
            "--dry-run says who would move and what would fail, and changes nothing." })
    static final class Deploy extends InEnvironment {
        @Parameters(paramLabel = "FILE", description = "the bundle jar")
        Path file;

        @Option(names = "--ttl", paramLabel = "T", description = "how long it lives: 30m, 12h, 7d, none (default: its"
                + " Mosaic-TTL header outside prod, else the environment's)")
        String ttl;

        @Mixin
        DryRun dry;

        @Option(names = "--owner", paramLabel = "TEAM", description = "the team to call, for a bundle that names none"
                + " (Mosaic-Owner), such as a library from elsewhere")
        String owner;

        @Option(names = "--allow-incompatible", description = "release a shared-module version even though its version"
                + " understates its API change (a removed method in a minor, say); history records it with the report")
        boolean allowIncompatible;

        @Option(names = "--canary", paramLabel = "PCT", description = "deploy an adapter version next to the serving one with"
                + " that share of its requests, such as 5%% (0%%: only requests naming it with X-Mosaic-Version); rollout"
                + " promote or rollout abort ends it")
        String canary;

        @Option(names = "--sticky", paramLabel = "KEY", description = "with --canary: header:NAME or query:NAME, whose value"
                + " keeps a client on one version (default: each request drawn at random)")
        String sticky;

        @Option(names = "--waves", paramLabel = "GROUPS", description = "roll an adapter version (or a module release) out"
                + " over the fleet's groups in this order, such as us-east-1,eu-west-1: each next group gets it once the one"
                + " before applied it and passed its judgement for the bake; a failing verdict puts every group back")
        String waves;

        @Option(names = "--bake", paramLabel = "DURATION", description = "with --canary or --waves: how long it must pass its"
                + " judgement against the serving version to count as healthy (per wave), such as 2m (default 5m)")
        String bake;

        @Option(names = "--deadline", paramLabel = "DURATION", description = "with --canary or --waves: how long to wait for"
                + " enough requests before the rollout halts (per wave; default 30m, or twice the bake if longer)")
        String deadline;

        @Option(names = "--min-requests", paramLabel = "N", description = "with --canary or --waves: requests each version"
                + " must answer before any verdict (default 200)")
        String minRequests;

        @Option(names = "--promote", description = "with --canary: promote it by itself once it has passed for its bake")
        boolean promote;

        @Option(names = "--no-judge", description = "with --canary: do not judge it; rollout promote or abort ends it")
        boolean noJudge;

        @Override
        Call request() {
            boolean judging = bake != null || deadline != null || minRequests != null || promote;
            if (waves != null && (canary != null || sticky != null || noJudge || promote)) {
                throw usage("--waves rolls a version out group by group, judged, promoted after the last: it does not go with"
                        + " --canary, --sticky, --no-judge or --promote");
            }
            if ((sticky != null || judging || noJudge) && canary == null && waves == null) {
                throw usage("--sticky, --bake, --deadline, --min-requests, --promote and --no-judge go with --canary PCT"
                        + " (--bake, --deadline and --min-requests with --waves too)");
            }
            if (noJudge && judging) {
                throw usage("--no-judge leaves a canary unjudged: --bake, --deadline, --min-requests and --promote do not go with it");
            }
            return new Call("POST", "/deployments" + new Query().add("env", env).add("ttl", ttl)
                    .add("dryRun", dry.query()).add("owner", owner).add("allowIncompatible", allowIncompatible ? "true" : null)
                    .add("canary", canary).add("sticky", sticky).add("bake", bake).add("deadline", deadline)
                    .add("minRequests", minRequests).add("promote", promote ? "true" : null)
                    .add("judge", noJudge ? "false" : null).add("waves", waves), read(file), file.toString());
        }
    }

    @Command(name = "check", description = { "Says what the deploy policy makes of a bundle, without deploying it.",
            "Every finding, refused or reported, and the exemption that would allow what is refused. Exit 1 if refused." })
    static final class Check extends InEnvironment {
        @Parameters(paramLabel = "FILE", description = "the bundle jar")
        Path file;

        @Override
        Call request() {
            return new Call("POST", "/check" + new Query().add("env", env), read(file), file.toString());
        }
    }

    /** A listing with more columns than a terminal has room for: the common ones, and all of them with --wide. */
    abstract static class Listing extends AcrossEnvironments {
        @Option(names = { "-w", "--wide" }, description = "every column (--json has them all anyway)")
        boolean wide;

        Query query() {
            return new Query().add("env", env).add("wide", wide ? "true" : null);
        }
    }

    @Command(name = "ls", aliases = "list", description = { "Lists deployments: adapters and module versions, their state,"
            + " uptake, bindings and expiry.", "With NAME, that adapter or that module's versions only. --wide adds their owner,"
            + " who deployed them and when, SHA-256, commit and build time." })
    static final class Ls extends Listing {
        @Parameters(arity = "0..1", paramLabel = "NAME", description = "only deployments of this symbolic name")
        String name;

        @Option(names = { "-o", "--owner" }, paramLabel = "OWNER", description = "only this Mosaic-Owner")
        String owner;

        @Option(names = { "-k", "--kind" }, paramLabel = "KIND", description = "adapter or module")
        String kind;

        @Override
        Call request() {
            return Call.get("/deployments" + query().add("owner", owner).add("kind", kind).add("name", name));
        }
    }

    @Command(name = "routes", description = { "Lists the routes served, with their adapter and the module versions it is"
            + " wired to.", "With their requests, 5xx answers and backends; --wide adds each route's deadline and limit, its"
            + " 504 and 503 answers and its backend calls." })
    static final class Routes extends Listing {
        @Override
        Call request() {
            return Call.get("/routes" + query());
        }
    }

    /** A change to one module version, named by the command: {@code yank}, {@code unyank}. */
    abstract static class ModuleVersionChange extends InEnvironment {
        @Mixin
        DryRun dry;

        @Parameters(index = "0", paramLabel = "NAME", description = "the module")
        String name;

        @Parameters(index = "1", paramLabel = "VERSION", description = "the version")
        String version;

        @Override
        Call request() {
            return Call.post("/modules/" + enc(name) + "/" + enc(version) + "/" + spec.name() + new Query().add("env", env)
                    .add("dryRun", dry.query()));
        }
    }

    @Command(name = "yank", description = "Withdraws a module version: its consumers move to the best other version in their range.")
    static final class Yank extends ModuleVersionChange {
    }

    @Command(name = "unyank", description = "Makes a yanked module version available again.")
    static final class Unyank extends ModuleVersionChange {
    }

    @Command(name = "rollback", description = "Puts back the adapter version that served before the current one.")
    static final class Rollback extends InEnvironment {
        @Mixin
        DryRun dry;

        @Parameters(paramLabel = "NAME", description = "the adapter")
        String name;

        @Override
        Call request() {
            return Call.post("/deployments/" + enc(env) + "/" + enc(name) + "/rollback" + new Query().add("dryRun", dry.query()));
        }
    }

    @Command(name = "undeploy", description = { "Undeploys an adapter (its routes answer 404), or a module version.",
            "A module version in use is refused, unless --force moves its consumers first." })
    static final class Undeploy extends InEnvironment {
        @Mixin
        DryRun dry;

        @Parameters(index = "0", paramLabel = "NAME", description = "the adapter or module")
        String name;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION", description = "the module version")
        String version;

        @Option(names = { "-f", "--force" }, description = "move a module version's consumers to another version first")
        boolean force;

        @Override
        Call request() {
            return new Call("DELETE", "/deployments/" + enc(env) + "/" + enc(name) + (version == null ? "" : "/" + enc(version))
                    + new Query().add("force", force ? "true" : null).add("dryRun", dry.query()), null);
        }
    }

    @Command(name = "adopt", description = "Moves a manual-uptake consumer to the newest module versions its ranges admit.")
    static final class Adopt extends InEnvironment {
        @Mixin
        DryRun dry;

        @Parameters(paramLabel = "NAME", description = "the consumer")
        String name;

        @Override
        Call request() {
            return Call.post("/deployments/" + enc(env) + "/" + enc(name) + "/adopt" + new Query().add("dryRun", dry.query()));
        }
    }

    @Command(name = "history", description = { "Who changed what, when.", "With NAME, the changes of that adapter, module or"
            + " backend, and the releases and yanks that moved it; --env, those of one environment." })
    static final class History extends AcrossEnvironments {
        @Parameters(arity = "0..1", paramLabel = "NAME", description = "only the changes of this adapter, module or backend")
        String name;

        @Option(names = { "-n", "--limit" }, paramLabel = "N", description = "the newest N entries (default ${DEFAULT-VALUE})")
        int limit = 50;

        @Override
        Call request() {
            return Call.get("/history" + new Query().add("limit", Integer.toString(limit)).add("env", env).add("name", name));
        }
    }

    @Command(name = "promote", description = "Deploys to another environment the very artifact (same SHA-256) a deployment uses.")
    static final class Promote extends RemoteCommand {
        @Mixin
        DryRun dry;

        @Parameters(index = "0", paramLabel = "NAME", description = "the adapter or module")
        String name;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION", description = "the module version")
        String version;

        @Option(names = "--from", paramLabel = "ENV", description = "from this environment (default ${DEFAULT-VALUE})")
        String from = "test";

        @Option(names = "--to", paramLabel = "ENV", required = true, description = "to this environment")
        String to;

        @Override
        Call request() {
            return Call.post("/deployments/" + enc(from) + "/" + enc(name) + "/promote"
                    + new Query().add("to", to).add("version", version).add("dryRun", dry.query()));
        }
    }

    @Command(name = "ttl", description = "Sets how long a deployment lives from now: 30m, 12h, 7d, or none.")
    static final class Ttl extends InEnvironment {
        @Mixin
        DryRun dry;

        @Parameters(arity = "0..3", paramLabel = "NAME [VERSION] TTL", hideParamSyntax = true, description = "the deployment (a module: and its"
                + " version), and the TTL")
        java.util.List<String> args = new java.util.ArrayList<>();

        @Override
        Call request() {
            if (args.size() < 2) {
                throw usage("name the deployment and how long it lives from now (30m, 12h, 7d, or none): mosaic ttl NAME TTL,"
                        + " or mosaic ttl MODULE VERSION TTL" + (args.isEmpty() ? "" : "; got only '" + args.get(0) + "'"));
            }
            String ttl = args.get(args.size() - 1);
            return Call.post("/deployments/" + enc(env) + "/" + enc(args.get(0)) + "/ttl"
                    + new Query().add("ttl", ttl).add("version", args.size() == 3 ? args.get(1) : null).add("dryRun", dry.query()));
        }
    }

    @Command(name = "sunset", description = { "Removes module versions nobody has used for a while (default 30 days).",
            "With MODULE VERSION, that one only (refused if it is in use). --dry-run says which, and removes nothing." })
    static final class Sunset extends AcrossEnvironments {
        @Parameters(arity = "0..2", paramLabel = "[MODULE VERSION]", hideParamSyntax = true, description = "one module version")
        java.util.List<String> args = new java.util.ArrayList<>();

        @Option(names = "--unused-for", paramLabel = "D", description = "unused for at least this long (30d, 12h)")
        String unusedFor;

        @Mixin
        DryRun dry;

        @Override
        Call request() {
            if (args.size() == 1) {
                throw usage("name the module and its version, or neither");
            }
            Query q = new Query().add("env", args.size() == 2 && env == null ? "prod" : env).add("unusedFor", unusedFor);
            if (args.size() == 2) {
                q.add("module", args.get(0)).add("version", args.get(1));
            }
            return Call.post("/sunset" + q.add("dryRun", dry.query()));
        }
    }

    @Command(name = "dependents", description = "Who is wired to each version of a module, and who is elsewhere and why; backend:NAME: the adapters calling a backend.")
    static final class DependentsOf extends AcrossEnvironments {
        @Parameters(index = "0", paramLabel = "MODULE", description = "the module")
        String module;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION", description = "only this version")
        String version;

        @Option(names = { "-t", "--transitive" }, description = "also those using it through other modules")
        boolean transitive;

        @Override
        Call request() {
            return Call.get("/modules/" + enc(module) + "/dependents" + new Query().add("env", env).add("version", version)
                    .add("transitive", transitive ? "true" : null));
        }
    }

    @Command(name = "deps", description = "What a deployment imports, transitively: ranges, versions wired, and what newer exists.")
    static final class Deps extends InEnvironment {
        @Parameters(index = "0", paramLabel = "NAME", description = "the adapter or module")
        String name;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION", description = "the module version")
        String version;

        @Override
        Call request() {
            return Call.get("/deployments/" + enc(env) + "/" + enc(name) + "/dependencies" + new Query().add("version", version));
        }
    }

    @Command(name = "uptake", description = "How consumers are spread over the versions of each module, and the share on the newest.")
    static final class UptakeOf extends AcrossEnvironments {
        @Parameters(arity = "0..1", paramLabel = "MODULE", description = "only this module")
        String module;

        @Override
        Call request() {
            return Call.get("/uptake" + new Query().add("env", env).add("module", module));
        }
    }

    @Command(name = "graph", description = "The dependency graph, as JSON, or as Graphviz DOT with --dot.")
    static final class GraphOf extends AcrossEnvironments {
        @Option(names = "--dot", description = "Graphviz DOT (dot -Tsvg graph.dot > graph.svg)")
        boolean dot;

        @Override
        Call request() {
            return Call.get("/graph" + new Query().add("env", env).add("format", dot ? "dot" : null));
        }
    }

    @Command(name = "fleet", description = { "The fleet's instances (runtimes started with --store) and how each is doing.",
            "Id, group, address, the version of Mosaic it runs, applied revision, lag, health and last heartbeat; * marks"
                    + " the instance asked. Says so when the live instances run different versions." })
    static final class FleetOf extends RemoteCommand {
        @Override
        Call request() {
            return Call.get("/fleet");
        }
    }

    @Command(name = "health", description = { "Failed deployments, and retired bundles still in memory (leaks).",
            "Exit code 1 when degraded." })
    static final class HealthOf extends RemoteCommand {
        @Override
        Call request() {
            return Call.get("/health");
        }
    }

    @Command(name = "backends", description = { "The backends declared, which adapters call them, and how their calls go.",
            "Calls, errors, retries, p50/p99, the breaker and its recent changes." })
    static class BackendsOf extends AcrossEnvironments {
        @Override
        Call request() {
            return Call.get("/backends" + new Query().add("env", env));
        }
    }

    @Command(name = "call", description = { "Calls a route with a chosen request, through the device port, traced.",
            "Shows its status, headers and body, and the backend calls it made (in prod too: the runtime's trace key goes"
                    + " with it):",
            "  mosaic call GET /tv/home --env dev -H 'X-Profile: kids'",
            "  mosaic call /tv/home      (GET, as curl: POST with -d)" })
    static final class CallRoute extends InEnvironment {
        @Parameters(arity = "1..2", paramLabel = "[METHOD] PATH", hideParamSyntax = true, description = { "the method (GET, POST, ...; GET by"
                + " default, POST with a body) and the path and query: /tv/home?profile=kids" })
        List<String> methodAndPath;

        @Option(names = { "-H", "--header" }, paramLabel = "'NAME: VALUE'", description = "a request header (repeatable)")
        List<String> headers = new java.util.ArrayList<>();

        @Option(names = { "-d", "--body" }, paramLabel = "BODY", description = "the request body")
        String body;

        @Option(names = { "-f", "--fail" }, description = "exit 1 when the route answers 400 or more (the answer is still"
                + " shown): for a smoke test after a deploy, as curl --fail")
        boolean fail;

        @Override
        Call request() {
            String method = methodAndPath.size() == 2 ? methodAndPath.get(0) : body == null ? "GET" : "POST";
            String path = methodAndPath.get(methodAndPath.size() - 1);
            if (methodAndPath.size() == 1 && path.matches("[A-Za-z]+")) {
                throw usage("give the path too: mosaic call " + path + " /tv/home");
            }
            if (!path.startsWith("/")) {
                throw usage("the path starts with /: mosaic call " + (methodAndPath.size() == 2 ? method + " " : "") + "/" + path);
            }
            java.util.Map<String, Object> call = new java.util.LinkedHashMap<>();
            call.put("method", method.toUpperCase(java.util.Locale.ROOT));
            call.put("path", path);
            call.put("env", env);
            call.put("headers", headers);
            call.put("body", body);
            try {
                return new Call("POST", "/call" + new Query().add("fail", fail ? "true" : null),
                        new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(call));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw usage("cannot write the call: " + e.getMessage());
            }
        }
    }

    @Command(name = "tail", description = { "Follows one adapter live: its requests and its log lines, until Ctrl-C.",
            "Each request it answers (method, path, status, time, backend calls) and each line it logs while serving (with"
                    + " the request's id), as they happen." })
    static final class Tail extends AcrossEnvironments {
        @Parameters(paramLabel = "ADAPTER", description = "the adapter's symbolic name")
        String adapter;

        @Override
        Call request() {
            return Call.get("/tail" + new Query().add("adapter", adapter).add("env", env));
        }

        @Override
        public Integer call() {
            return new Client(spec.commandLine().getOut(), spec.commandLine().getErr()).stream(request(), remote);
        }
    }

    @Command(name = "log-level", description = { "Sets one adapter's log level at runtime, or lists those set.",
            "TRACE, DEBUG, INFO, WARN, ERROR or OFF, for the lines it logs while serving, whatever its loggers say; reset"
                    + " goes back to them. Not kept across a restart.",
            "With no arguments, lists the adapters whose level was set." })
    static final class LogLevel extends RemoteCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ADAPTER", description = "the adapter's symbolic name")
        String adapter;

        @Parameters(index = "1", arity = "0..1", paramLabel = "LEVEL", description = "TRACE, DEBUG, INFO, WARN, ERROR, OFF or reset")
        String level;

        @Override
        Call request() {
            if (adapter == null) {
                return Call.get("/log-levels");
            }
            if (level == null) {
                throw usage("give the level too: log-level " + adapter + " DEBUG (or reset)");
            }
            return level.equalsIgnoreCase("reset") ? new Call("DELETE", "/log-levels/" + enc(adapter), null)
                    : new Call("PUT", "/log-levels/" + enc(adapter) + new Query().add("level", level), null);
        }
    }

    /** A query string, leaving out parameters that are not set. */
    static final class Query {
        private final StringBuilder b = new StringBuilder();

        Query add(String name, String value) {
            if (value != null) {
                b.append(b.length() == 0 ? '?' : '&').append(name).append('=').append(enc(value));
            }
            return this;
        }

        @Override
        public String toString() {
            return b.toString();
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
