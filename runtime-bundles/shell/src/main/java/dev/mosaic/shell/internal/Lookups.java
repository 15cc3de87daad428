package dev.mosaic.shell.internal;

import java.util.List;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.RouteView;
import dev.mosaic.deployer.Suggestions;
import dev.mosaic.insight.DependencyNode;
import dev.mosaic.insight.Dependents;
import dev.mosaic.insight.Insight;
import dev.mosaic.insight.Uptake;

/**
 * What a deployment uses, who uses a module and how they spread over its versions, and the routes of one environment, for
 * the API and the console alike; a name nothing deployed is said as not found: an empty answer for a misspelt module
 * would read as "nobody depends on it", which is what someone about to undeploy or sunset it wants to hear.
 */
final class Lookups {

    private Lookups() {
    }

    /** @return what a deployment imports, transitively; not found when nothing of that name (and version) is deployed */
    static List<DependencyNode> dependencies(Insight insight, Deployer deployer, String env, String name, String version)
            throws DeployException {
        List<DependencyNode> roots = insight.dependencies(env, name, version);
        if (roots.isEmpty()) {
            throw notDeployed(deployer, env, name, version, null);
        }
        return roots;
    }

    /**
     * @return who is wired to each version of a module (or calls a backend, for {@code backend:NAME}); not found when no
     *         version of that module (or not that version) is deployed where asked
     */
    static List<Dependents> dependents(Insight insight, Deployer deployer, String env, String module, String version,
            boolean transitive) throws DeployException {
        List<Dependents> found = insight.dependents(env, module, version, transitive);
        if (module.startsWith("backend:") && found.stream().allMatch(d -> d.wired().isEmpty())) {
            // a backend declared where asked that nobody calls answers empty; one not declared there is not found
            String backend = module.substring("backend:".length());
            List<String> declared = deployer.backends(env).stream().map(b -> b.spec().name()).distinct().toList();
            if (!declared.contains(backend)) {
                throw Suggestions.noSuchBackend(backend, env, declared);
            }
        } else if (found.isEmpty()) {
            throw notDeployed(deployer, env, module, version, Kind.MODULE);
        }
        return found;
    }

    /** @return how the consumers of each module (or of one) spread over its versions; not found for a module not deployed */
    static List<Uptake> uptake(Insight insight, Deployer deployer, String env, String module) throws DeployException {
        List<Uptake> found = insight.uptake(env, module);
        if (found.isEmpty() && module != null) {
            throw notDeployed(deployer, env, module, null, Kind.MODULE);
        }
        return found;
    }

    /**
     * @return the deployments (each filter null for any), of one name too if given: not found when nothing of that name is
     *         deployed where asked, empty when the other filters leave none of it
     */
    static List<DeploymentInfo> deployments(Deployer deployer, String env, String owner, Kind kind, String name)
            throws DeployException {
        List<DeploymentInfo> found = deployer.list(env, owner, kind);
        if (name == null) {
            return found;
        }
        List<DeploymentInfo> named = found.stream().filter(d -> d.name().equals(name)).toList();
        if (named.isEmpty() && deployer.list(env).stream().noneMatch(d -> d.name().equals(name))) {
            throw notDeployed(deployer, env, name, null, null);
        }
        return named;
    }

    /**
     * @return the newest changes of one environment, or of one adapter, module or backend (and the releases that moved
     *         it), or all of them (each filter null for any); not found for a name nothing of which has changed where
     *         asked and that nothing deployed or declared there bears (a misspelt name would otherwise read as "nothing
     *         happened to it")
     */
    static List<dev.mosaic.deployer.HistoryEntry> history(Deployer deployer, int limit, String env, String name)
            throws DeployException {
        List<dev.mosaic.deployer.HistoryEntry> found = deployer.history(limit, env, name);
        if (found.isEmpty() && name != null && limit > 0 && !known(deployer, env).contains(name)) {
            String where = env == null ? "any environment" : env;
            List<String> elsewhere = env == null ? List.of() : known(deployer, null).contains(name)
                    ? deployer.history(limit, null, name).stream().map(dev.mosaic.deployer.HistoryEntry::environment).distinct()
                            .toList()
                    : List.of();
            throw new DeployException(DeployException.NOT_FOUND, "no change concerns " + name + " in " + where
                    + ", and nothing deployed or declared there has that name" + (elsewhere.isEmpty()
                            ? Suggestions.didYouMean(name, known(deployer, env)) + "; bin/mosaic history" + (env == null ? ""
                                    : " --env " + env) + " lists every change"
                            : "; its changes are in " + String.join(", ", elsewhere) + ": bin/mosaic history " + name));
        }
        return found;
    }

    /** @return the names of what is deployed and the backends declared, in one environment or (null) in all */
    private static List<String> known(Deployer deployer, String env) {
        List<String> known = new java.util.ArrayList<>(deployer.list(env).stream().map(DeploymentInfo::name).toList());
        deployer.backends(env).forEach(b -> known.add(b.spec().name()));
        return known.stream().distinct().toList();
    }

    /**
     * @return for a listing of an environment where nothing is deployed or declared, what it says instead of an empty
     *         table ({@code (none: nothing is deployed or declared in prdo; in use: dev, prod (did you mean prod?))}), as a
     *         misspelt environment would otherwise read as an empty one; null for one in use, or none named
     */
    static String unused(Deployer deployer, String env) {
        if (env == null || env.isEmpty()) {
            return null;
        }
        java.util.Set<String> used = new java.util.TreeSet<>();
        deployer.list(null).forEach(d -> used.add(d.environment()));
        deployer.backends(null).forEach(b -> used.add(b.environment()));
        if (used.contains(env)) {
            return null;
        }
        return "(none: nothing is deployed or declared in " + env + (used.isEmpty() ? "" : "; in use: " + String.join(", ", used)
                + Suggestions.didYouMean(env, used)) + ")";
    }

    /**
     * @param shown what a command answers: a listing or a graph
     * @return when it is empty and of an environment nothing is deployed or declared in, what it says instead
     *         ({@link #unused}); null when it is to be shown as it is
     */
    static String unusedInstead(Deployer deployer, String env, Object shown) {
        boolean empty = shown instanceof java.util.Collection<?> c && c.isEmpty()
                || shown instanceof dev.mosaic.insight.Graph g && g.nodes().isEmpty();
        return empty ? unused(deployer, env) : null;
    }

    /** @return the routes served, in one environment or (null) in all */
    static List<RouteView> routes(Deployer deployer, String env) {
        List<RouteView> all = deployer.routes();
        return env == null ? all : all.stream().filter(r -> r.environment().equals(env)).toList();
    }

    private static DeployException notDeployed(Deployer deployer, String env, String name, String version, Kind wanted) {
        String where = env == null ? "any environment" : env;
        List<DeploymentInfo> named = deployer.list(env).stream().filter(d -> d.name().equals(name)).toList();
        String list = "; bin/mosaic ls" + (env == null ? "" : " --env " + env) + (wanted == Kind.MODULE ? " --kind module" : "")
                + " lists what is";
        if (named.isEmpty()) {
            return new DeployException(DeployException.NOT_FOUND, "no " + (wanted == Kind.MODULE ? "module " : "") + name
                    + " is deployed in " + where + Suggestions.didYouMean(name, deployer.list(env).stream()
                            .filter(d -> wanted == null || d.kind() == wanted).map(DeploymentInfo::name).toList())
                    + list);
        }
        if (wanted != null && named.stream().noneMatch(d -> d.kind() == wanted)) {
            return new DeployException(DeployException.NOT_FOUND, name + " is an adapter, not a module: nothing is wired to it;"
                    + " bin/mosaic deps " + name + " says what it uses");
        }
        return new DeployException(DeployException.NOT_FOUND, name + " has no version " + version + " in " + where + " (it has "
                + String.join(", ", named.stream().map(DeploymentInfo::version).distinct().toList()) + ")");
    }
}
