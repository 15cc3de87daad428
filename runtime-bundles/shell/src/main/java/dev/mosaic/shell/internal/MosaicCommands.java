package dev.mosaic.shell.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.backends.Backends;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.Health;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.PolicyReport;
import dev.mosaic.deployer.Restoring;
import dev.mosaic.deployer.RouteView;
import dev.mosaic.insight.DependencyNode;
import dev.mosaic.insight.Dependents;
import dev.mosaic.insight.Insight;
import dev.mosaic.insight.Uptake;

/**
 * The {@code mosaic:} console commands. Each returns what the deployer returns; the shell
 * formats it ({@link ConsoleFormatter}), and scripts can use the objects directly.
 */
@Component(service = MosaicCommands.class, property = {
        "osgi.command.scope=mosaic",
        "osgi.command.function=deploy",
        "osgi.command.function=check",
        "osgi.command.function=undeploy",
        "osgi.command.function=rollback",
        "osgi.command.function=yank",
        "osgi.command.function=unyank",
        "osgi.command.function=adopt",
        "osgi.command.function=ls",
        "osgi.command.function=list",
        "osgi.command.function=mosaic",
        "osgi.command.function=routes",
        "osgi.command.function=history",
        "osgi.command.function=promote",
        "osgi.command.function=ttl",
        "osgi.command.function=sunset",
        "osgi.command.function=dependents",
        "osgi.command.function=deps",
        "osgi.command.function=uptake",
        "osgi.command.function=graph",
        "osgi.command.function=health",
        "osgi.command.function=fleet",
        "osgi.command.function=rollout",
        "osgi.command.function=backend",
        "osgi.command.function=backends",
        "osgi.command.function=call",
        "osgi.command.function=loglevel" })
public final class MosaicCommands {

    private static final String ENV_FLAGS_1 = "-e";
    private static final String ENV_FLAGS_2 = "--env";
    private static final String TRANSITIVE = "also those using it through other modules";
    private static final String DRY_RUN = "only say what would happen: the same checks and plan, nothing changed";
    private static final String WIDE = "every column: owner, who deployed it and when, SHA-256 and provenance; a route's deadline,"
            + " limit, 504s, 503s and backend calls";

    // Optional and dynamic, as the management API's: the console has its commands from the start and,
    // while the deployer restores the recorded deployments, each says how far it has got.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Deployer deployer;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Insight insight;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Restoring restoring;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Backends backends;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile dev.mosaic.gateway.Gateway gateway;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile dev.mosaic.logs.RuntimeLogs logs;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile dev.mosaic.deployer.Fleet fleet;

    private RouteCalls calls;

    @org.osgi.service.component.annotations.Activate
    void activate(org.osgi.framework.BundleContext context) {
        calls = new RouteCalls(context.getProperty("mosaic.gateway.host"), context.getProperty("mosaic.trace.key"));
        String await = context.getProperty("mosaic.fleet.awaitMillis");
        fleetViews = new FleetViews(() -> fleet, java.time.Duration.ofMillis(await == null ? 30_000 : Long.parseLong(await.trim())));
    }

    /** In a fleet, a change answers once every live instance has applied it, as the management API's do. */
    private FleetViews fleetViews = new FleetViews(() -> null, java.time.Duration.ZERO);

    private Object applied(DeployResult result) {
        return fleetViews.applied(result);
    }

    private Deployer deployer() {
        Deployer d = deployer;
        if (d == null) {
            throw new IllegalStateException(ManagementServer.notYet(restoring));
        }
        return d;
    }

    private Insight insight() {
        Insight i = insight;
        if (i == null) {
            throw new IllegalStateException(ManagementServer.notYet(restoring));
        }
        return i;
    }

    @Descriptor("deploy an adapter or release a shared-module version")
    public Object deploy(
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("how long it lives: 30m, 12h, 7d, none (default: Mosaic-TTL outside prod, else the environment's)") @Parameter(names = { "--ttl" }, absentValue = "") String ttl,
            @Descriptor("only say what would happen") @Parameter(names = { "-n", "--dry-run" }, presentValue = "true", absentValue = "false") boolean dryRun,
            @Descriptor("the team to call, for a bundle that names none (Mosaic-Owner)") @Parameter(names = { "-o", "--owner" }, absentValue = "") String owner,
            @Descriptor("release a module version even if its version understates its API change (recorded in history)") @Parameter(names = { "--allow-incompatible" }, presentValue = "true", absentValue = "false") boolean allowIncompatible,
            @Descriptor("the bundle jar, a path on the runtime's machine") String file) throws DeployException, IOException {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            return applied(deployer().deploy(in, new DeployOptions(env, actor(), ttl.isEmpty() ? null : ttl, dryRun,
                    owner.isEmpty() ? null : owner, allowIncompatible)));
        } catch (NoSuchFileException e) {
            throw new DeployException(DeployException.NOT_FOUND, "no file " + Path.of(file).toAbsolutePath());
        }
    }

    @Descriptor("what the deploy policy says of a bundle, without deploying it")
    public PolicyReport check(
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("the bundle jar, a path on the runtime's machine") String file) throws DeployException, IOException {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            return deployer().check(in, env);
        } catch (NoSuchFileException e) {
            throw new DeployException(DeployException.NOT_FOUND, "no file " + Path.of(file).toAbsolutePath());
        }
    }

    @Descriptor("deploy to another environment the very artifact (same SHA-256) an adapter uses in its environment")
    public Object promote(
            @Descriptor(DRY_RUN) @Parameter(names = { "-n", "--dry-run" }, presentValue = "true", absentValue = "false") boolean dryRun,
            @Descriptor("from this environment") @Parameter(names = { "--from" }, absentValue = "test") String from,
            @Descriptor("to this environment") @Parameter(names = { "--to" }, absentValue = "prod") String to,
            @Descriptor("the adapter's symbolic name") String name) throws DeployException {
        return applied(deployer().promote(name, null, from, to, actor(), dryRun));
    }

    @Descriptor("deploy to another environment the very artifact (same SHA-256) of a module version")
    public Object promote(
            @Descriptor(DRY_RUN) @Parameter(names = { "-n", "--dry-run" }, presentValue = "true", absentValue = "false") boolean dryRun,
            @Descriptor("from this environment") @Parameter(names = { "--from" }, absentValue = "test") String from,
            @Descriptor("to this environment") @Parameter(names = { "--to" }, absentValue = "prod") String to,
            @Descriptor("the module's symbolic name") String name,
            @Descriptor("the version") String version) throws DeployException {
        return applied(deployer().promote(name, version, from, to, actor(), dryRun));
    }

    @Descriptor("set how long a deployment lives from now: 30m, 12h, 7d, or none")
    public Object ttl(
            @Descriptor(DRY_RUN) @Parameter(names = { "-n", "--dry-run" }, presentValue = "true", absentValue = "false") boolean dryRun,
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("the module version, for a module") @Parameter(names = { "-v", "--version" }, absentValue = "") String version,
            @Descriptor("the symbolic name") String name,
            @Descriptor("the new TTL") String ttl) throws DeployException {
        return applied(deployer().setTtl(env, name, version.isEmpty() ? null : version, ttl, actor(), dryRun));
    }

    @Descriptor("remove module versions nobody has used for a while (--dry-run lists them)")
    public Object sunset(
            @Descriptor("only this environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "") String env,
            @Descriptor("unused for at least this long (default: mosaic.sunset.after, 30d)") @Parameter(names = { "--unused-for" }, absentValue = "") String unusedFor,
            @Descriptor("only list the candidates") @Parameter(names = { "-n", "--dry-run" }, presentValue = "true", absentValue = "false") boolean dryRun)
            throws DeployException {
        String e = env.isEmpty() ? null : env;
        String period = unusedFor.isEmpty() ? null : unusedFor;
        return dryRun ? deployer().sunsetCandidates(e, period) : applied(deployer().sunset(e, null, null, period, actor()));
    }

    @Descriptor("remove one module version nobody has used for a while (refused if it is in use)")
    public Object sunset(
            @Descriptor(DRY_RUN) @Parameter(names = { "-n", "--dry-run" }, presentValue = "true", absentValue = "false") boolean dryRun,
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("unused for at least this long (default: mosaic.sunset.after, 30d)") @Parameter(names = { "--unused-for" }, absentValue = "") String unusedFor,
            @Descriptor("the module's symbolic name") String module,
            @Descriptor("the version") String version) throws DeployException {
        return applied(deployer().sunset(env, module, version, unusedFor.isEmpty() ? null : unusedFor, actor(), dryRun));
    }

    @Descriptor("who uses each version of a module, and who is elsewhere and why")
    public List<Dependents> dependents(
            @Descriptor("only this environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "") String env,
            @Descriptor(TRANSITIVE) @Parameter(names = { "-t", "--transitive" }, presentValue = "true", absentValue = "false") boolean transitive,
            @Descriptor("the module's symbolic name") String module) throws DeployException {
        return Lookups.dependents(insight(), deployer(), env.isEmpty() ? null : env, module, null, transitive);
    }

    @Descriptor("who uses one version of a module, and who is elsewhere and why")
    public List<Dependents> dependents(
            @Descriptor("only this environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "") String env,
            @Descriptor(TRANSITIVE) @Parameter(names = { "-t", "--transitive" }, presentValue = "true", absentValue = "false") boolean transitive,
            @Descriptor("the module's symbolic name") String module,
            @Descriptor("the version") String version) throws DeployException {
        return Lookups.dependents(insight(), deployer(), env.isEmpty() ? null : env, module, version, transitive);
    }

    @Descriptor("what a deployment imports, transitively: ranges, versions wired, newest available")
    public List<DependencyNode> deps(
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("only this version of a module") @Parameter(names = { "-v", "--version" }, absentValue = "") String version,
            @Descriptor("the symbolic name") String name) throws DeployException {
        return Lookups.dependencies(insight(), deployer(), env, name, version.isEmpty() ? null : version);
    }

    @Descriptor("how consumers are spread over the versions of each module")
    public List<Uptake> uptake(
            @Descriptor("only this environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "") String env) {
        return insight().uptake(env.isEmpty() ? null : env, null);
    }

    @Descriptor("how consumers are spread over the versions of a module")
    public List<Uptake> uptake(
            @Descriptor("only this environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "") String env,
            @Descriptor("the module's symbolic name") String module) throws DeployException {
        return Lookups.uptake(insight(), deployer(), env.isEmpty() ? null : env, module);
    }

    @Descriptor("the dependency graph: JSON-ready nodes and edges, or Graphviz DOT with --dot")
    public Object graph(
            @Descriptor("only this environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "") String env,
            @Descriptor("Graphviz DOT") @Parameter(names = { "--dot" }, presentValue = "true", absentValue = "false") boolean dot) {
        String e = env.isEmpty() ? null : env;
        if (dot) {
            return insight().dot(e);
        }
        dev.mosaic.insight.Graph g = insight().graph(e);
        return orUnused(env, g);
    }

    @Descriptor("undeploy an adapter (its routes answer 404 afterwards)")
    public Object undeploy(
            @Descriptor(DRY_RUN) @Parameter(names = { "-n", "--dry-run" }, presentValue = "true", absentValue = "false") boolean dryRun,
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("the adapter's symbolic name") String name) throws DeployException {
        return applied(deployer().undeploy(env, name, null, false, actor(), dryRun));
    }

    @Descriptor("undeploy a shared-module version (refused while in use, unless --force)")
    public Object undeploy(
            @Descriptor(DRY_RUN) @Parameter(names = { "-n", "--dry-run" }, presentValue = "true", absentValue = "false") boolean dryRun,
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("move its consumers to another version first") @Parameter(names = { "-f", "--force" }, presentValue = "true", absentValue = "false") boolean force,
            @Descriptor("the module's symbolic name") String name,
            @Descriptor("the version") String version) throws DeployException {
        return applied(deployer().undeploy(env, name, version, force, actor(), dryRun));
    }

    @Descriptor("put back the adapter version that served before the current one")
    public Object rollback(
            @Descriptor(DRY_RUN) @Parameter(names = { "-n", "--dry-run" }, presentValue = "true", absentValue = "false") boolean dryRun,
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("the adapter's symbolic name") String name) throws DeployException {
        return applied(deployer().rollback(env, name, actor(), dryRun));
    }

    @Descriptor("withdraw a shared-module version: its consumers move to the best other version in their range")
    public Object yank(
            @Descriptor(DRY_RUN) @Parameter(names = { "-n", "--dry-run" }, presentValue = "true", absentValue = "false") boolean dryRun,
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("the module's symbolic name") String name,
            @Descriptor("the version") String version) throws DeployException {
        return applied(deployer().yank(env, name, version, actor(), dryRun));
    }

    @Descriptor("make a yanked shared-module version available again")
    public Object unyank(
            @Descriptor(DRY_RUN) @Parameter(names = { "-n", "--dry-run" }, presentValue = "true", absentValue = "false") boolean dryRun,
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("the module's symbolic name") String name,
            @Descriptor("the version") String version) throws DeployException {
        return applied(deployer().unyank(env, name, version, actor(), dryRun));
    }

    @Descriptor("move a consumer with manual uptake to the newest module versions its ranges admit")
    public Object adopt(
            @Descriptor(DRY_RUN) @Parameter(names = { "-n", "--dry-run" }, presentValue = "true", absentValue = "false") boolean dryRun,
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("the consumer's symbolic name") String name) throws DeployException {
        return applied(deployer().adopt(env, name, actor(), dryRun));
    }

    @Descriptor("list deployments (adapters and module versions), as the CLI's ls")
    public Object ls(
            @Descriptor(WIDE) @Parameter(names = { "-w", "--wide" }, presentValue = "true", absentValue = "false") boolean wide,
            @Descriptor("only this environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "") String env,
            @Descriptor("only this owner (Mosaic-Owner)") @Parameter(names = { "-o", "--owner" }, absentValue = "") String owner,
            @Descriptor("only adapters or only modules") @Parameter(names = { "-k", "--kind" }, absentValue = "") String kind)
            throws DeployException {
        return listed(wide, env, owner, kind, null);
    }

    @Descriptor("list the deployments of one name (an adapter, or a module's versions), as the CLI's ls NAME")
    public Object ls(
            @Descriptor(WIDE) @Parameter(names = { "-w", "--wide" }, presentValue = "true", absentValue = "false") boolean wide,
            @Descriptor("only this environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "") String env,
            @Descriptor("only this owner (Mosaic-Owner)") @Parameter(names = { "-o", "--owner" }, absentValue = "") String owner,
            @Descriptor("only adapters or only modules") @Parameter(names = { "-k", "--kind" }, absentValue = "") String kind,
            @Descriptor("the symbolic name") String name) throws DeployException {
        return listed(wide, env, owner, kind, name);
    }

    @Descriptor("list deployments (adapters and module versions); the same as ls")
    public Object list(
            @Descriptor(WIDE) @Parameter(names = { "-w", "--wide" }, presentValue = "true", absentValue = "false") boolean wide,
            @Descriptor("only this environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "") String env,
            @Descriptor("only this owner (Mosaic-Owner)") @Parameter(names = { "-o", "--owner" }, absentValue = "") String owner,
            @Descriptor("only adapters or only modules") @Parameter(names = { "-k", "--kind" }, absentValue = "") String kind)
            throws DeployException {
        return listed(wide, env, owner, kind, null);
    }

    @Descriptor("list the deployments of one name; the same as ls NAME")
    public Object list(
            @Descriptor(WIDE) @Parameter(names = { "-w", "--wide" }, presentValue = "true", absentValue = "false") boolean wide,
            @Descriptor("only this environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "") String env,
            @Descriptor("only this owner (Mosaic-Owner)") @Parameter(names = { "-o", "--owner" }, absentValue = "") String owner,
            @Descriptor("only adapters or only modules") @Parameter(names = { "-k", "--kind" }, absentValue = "") String kind,
            @Descriptor("the symbolic name") String name) throws DeployException {
        return listed(wide, env, owner, kind, name);
    }

    private Object listed(boolean wide, String env, String owner, String kind, String name) throws DeployException {
        return wide(wide, env, Lookups.deployments(deployer(), env.isEmpty() ? null : env, owner.isEmpty() ? null : owner,
                kind.isEmpty() ? null : Kind.parse(kind), name));
    }

    @Descriptor("list the routes served, with their adapter and the module versions it is wired to")
    public Object routes(
            @Descriptor(WIDE) @Parameter(names = { "-w", "--wide" }, presentValue = "true", absentValue = "false") boolean wide,
            @Descriptor("only this environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "") String env) {
        return wide(wide, env, Lookups.routes(deployer(), env.isEmpty() ? null : env));
    }

    /**
     * A listing as it is (the console shows the columns a terminal has room for), or marked to show every column; of an
     * environment nothing is in, {@link #orUnused what it says instead}.
     */
    private Object wide(boolean wide, String env, List<?> listing) {
        Object shown = orUnused(env, listing);
        return shown != listing ? shown : wide ? new Formats.Wide(listing) : listing;
    }

    /** @return what is shown (a listing, a graph), or when it is empty for an environment nothing is in, {@link Lookups#unused} */
    private Object orUnused(String env, Object shown) {
        String unused = Lookups.unusedInstead(deployer(), env, shown);
        return unused != null ? unused : shown;
    }

    @Descriptor("show the history of changes")
    public Object history(
            @Descriptor("only this environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "") String env,
            @Descriptor("how many of the newest entries") @Parameter(names = { "-n", "--limit" }, absentValue = "50") int limit)
            throws DeployException {
        return orUnused(env, Lookups.history(deployer(), limit, env.isEmpty() ? null : env, null));
    }

    @Descriptor("show the changes of one adapter, module or backend (and the releases that moved it)")
    public Object history(
            @Descriptor("only this environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "") String env,
            @Descriptor("how many of the newest entries") @Parameter(names = { "-n", "--limit" }, absentValue = "50") int limit,
            @Descriptor("the adapter, module or backend") String name) throws DeployException {
        return orUnused(env, Lookups.history(deployer(), limit, env.isEmpty() ? null : env, name));
    }

    @Descriptor("declare a backend (set NAME --url U [--timeout 1s] [--retries 2] [--header N=V] [--secret-header N=env:VAR]"
            + " ...) or remove one (rm NAME [--force]); --env E, --dry-run")
    public Object backend(
            @Descriptor("set, rm, or show") String action,
            @Descriptor("the backend's name") String name,
            @Descriptor("--env E, -n, --force, and the declaration's options: --url (repeat for several), --timeout, --retries,"
                    + " --retry-budget, --max-concurrent, --breaker-failure-rate, --breaker-min-calls, --breaker-window,"
                    + " --breaker-open, --max-response, --header N=V, --secret-header N=env:VAR|file:/path, --trust-store,"
                    + " --trust-store-password, --key-store, --key-store-password") String... args) throws DeployException {
        BackendViews.Args a;
        try {
            a = BackendViews.Args.parse(java.util.Arrays.asList(args));
        } catch (IllegalArgumentException e) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, e.getMessage());
        }
        return switch (action) {
            case "show" -> BackendViews.one(deployer(), backends, a.env(), name);
            case "set" -> applied(deployer().setBackend(a.env(), name, a.options(), actor(), a.dryRun()));
            case "rm", "remove" -> {
                if (!a.options().isEmpty()) {
                    throw new DeployException(DeployException.INVALID_ARGUMENT, "backend rm takes only --env, --force and"
                            + " --dry-run; got " + a.options().keySet());
                }
                yield applied(deployer().removeBackend(a.env(), name, a.force(), actor(), a.dryRun()));
            }
            default -> throw new DeployException(DeployException.INVALID_ARGUMENT, "backend " + action
                    + ": the actions are set, rm and show");
        };
    }

    @Descriptor("the backends declared, who calls them, and how their calls go: errors, retries, p50/p99, breaker")
    public Object backends(
            @Descriptor("only this environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "") String env) {
        return orUnused(env, BackendViews.of(deployer(), backends, env.isEmpty() ? null : env));
    }

    @Descriptor("call a route with a chosen request, traced: its status, headers, body and the backend calls it made")
    public RouteCalls.Answer call(
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("a request header, 'Name: value' (more follow the path)") @Parameter(names = { "-H", "--header" }, absentValue = "") String header,
            @Descriptor("the request body") @Parameter(names = { "-d", "--body" }, absentValue = "") String body,
            @Descriptor("the method: GET, POST, ...") String method,
            @Descriptor("the path and query: /tv/home?profile=kids") String path,
            @Descriptor("more request headers, 'Name: value'") String... headers) throws Exception {
        java.util.List<String> all = new java.util.ArrayList<>();
        if (!header.isEmpty()) {
            all.add(header);
        }
        all.addAll(java.util.List.of(headers));
        return calls.call(gateway, method.toUpperCase(java.util.Locale.ROOT), path, env, all, body.isEmpty() ? null : body,
                () -> deployer().routes());
    }

    @Descriptor("call a route with GET (POST with -d), traced: its status, headers, body and the backend calls it made")
    public RouteCalls.Answer call(
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("a request header, 'Name: value'") @Parameter(names = { "-H", "--header" }, absentValue = "") String header,
            @Descriptor("the request body") @Parameter(names = { "-d", "--body" }, absentValue = "") String body,
            @Descriptor("the path and query: /tv/home?profile=kids") String path) throws Exception {
        return call(env, header, body, body.isEmpty() ? "GET" : "POST", path);
    }

    @Descriptor("the adapters whose log level was set at runtime (bin/mosaic log-level)")
    public List<LogLevels.Level> loglevel() throws Exception {
        return LogLevels.of(logs);
    }

    @Descriptor("set one adapter's log level at runtime: TRACE, DEBUG, INFO, WARN, ERROR, OFF, or reset")
    public LogLevels.Change loglevel(
            @Descriptor("the adapter's symbolic name") String adapter,
            @Descriptor("the level, or reset") String level) throws Exception {
        return LogLevels.set(logs, deployer(), adapter, level, actor());
    }

    @Descriptor("failed deployments, and retired bundles still in memory (leaks)")
    public Health health() {
        return deployer().health();
    }

    @Descriptor("the fleet's instances (with a store): group, address, applied revision, lag, health, last heartbeat")
    public Object fleet() throws DeployException, Answers.ApiError {
        return new FleetViews(() -> fleet, java.time.Duration.ZERO).list();
    }

    @Descriptor("judged canaries and rollouts in waves: rollout status [NAME], rollout pause|resume|promote|abort NAME;"
            + " --env E, --dry-run")
    public Object rollout(
            @Descriptor(DRY_RUN) @Parameter(names = { "-n", "--dry-run" }, presentValue = "true", absentValue = "false") boolean dryRun,
            @Descriptor("environment") @Parameter(names = { ENV_FLAGS_1, ENV_FLAGS_2 }, absentValue = "prod") String env,
            @Descriptor("status, pause, resume, promote or abort") String action,
            @Descriptor("the adapter (or, for a release in waves, the module)") String... name) throws DeployException {
        String n = name.length == 0 ? null : name[0];
        if (action.equals("status")) {
            return deployer().rollouts().stream().filter(r -> r.environment().equals(env))
                    .filter(r -> n == null || r.adapter().equals(n)).toList();
        }
        if (n == null || name.length > 1) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "rollout " + action + " takes one name: the adapter"
                    + " (or the module released in waves)");
        }
        return switch (action) {
            case "pause" -> applied(deployer().pauseRollout(env, n, actor(), dryRun));
            case "resume" -> applied(deployer().resumeRollout(env, n, actor(), dryRun));
            case "promote" -> applied(deployer().promoteCanary(env, n, null, actor(), dryRun));
            case "abort" -> applied(deployer().abortCanary(env, n, actor(), dryRun));
            default -> throw new DeployException(DeployException.INVALID_ARGUMENT, "rollout takes status, pause, resume,"
                    + " promote or abort, not '" + action + "'");
        };
    }

    /** What {@code help mosaic} shows: Gogo's help looks a command up by name, so the scope has a command of its name. */
    static final String SCOPE_HELP = "Mosaic's commands (scope mosaic), the same as the CLI's: deploy, check, ls, routes, yank,"
            + " unyank, rollback, undeploy, adopt, history, promote, ttl, sunset, dependents, deps, uptake, graph, health, fleet, rollout,"
            + " backend, backends, call, loglevel (log-level in the CLI)."
            + " Type 'mosaic' for one line on each, 'help <command>' for its options";

    @Descriptor(SCOPE_HELP)
    public String mosaic() {
        StringBuilder b = new StringBuilder("Mosaic's commands (help <command> for its options):\n");
        java.util.Map<String, String> lines = new java.util.TreeMap<>();
        for (java.lang.reflect.Method m : MosaicCommands.class.getMethods()) {
            Descriptor d = m.getAnnotation(Descriptor.class);
            if (d != null && !m.getName().equals("mosaic")) {
                lines.merge("mosaic:" + m.getName(), d.value(), (a, c) -> a.length() <= c.length() ? a : c);
            }
        }
        lines.forEach((name, what) -> b.append(String.format("  %-18s %s%n", name, what)));
        return b.toString().stripTrailing();
    }

    /**
     * @return who runs the command, as history records it: the session's {@code mosaic.actor} (a login over SSH:
     *         {@code ssh:alice@laptop}), else the local console's user
     */
    private static String actor() {
        try {
            org.apache.felix.service.command.Process process = org.apache.felix.service.command.Process.Utils.current();
            Object said = process == null || process.job() == null ? null : process.job().session().get("mosaic.actor");
            if (said != null) {
                return said.toString();
            }
        } catch (RuntimeException e) {
            // no session to ask: the local console's user
        }
        return "console:" + System.getProperty("user.name", "unknown");
    }
}
