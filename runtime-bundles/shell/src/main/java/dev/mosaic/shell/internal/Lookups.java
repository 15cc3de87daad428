package dev.mosaic.shell.internal;

import java.util.List;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.DeploymentInfo;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.RouteView;
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
        if (found.isEmpty() && !module.startsWith("backend:")) {
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

    /** @return the routes served, in one environment or (null) in all */
    static List<RouteView> routes(Deployer deployer, String env) {
        List<RouteView> all = deployer.routes();
        return env == null ? all : all.stream().filter(r -> r.environment().equals(env)).toList();
    }

    /**
     * @return the names someone who typed {@code asked} most likely meant: those it is the last part of (catalog for
     *         dev.mosaic.examples.catalog), else those at the fewest edits, if few enough for a typo; at most three
     */
    static List<String> nearest(String asked, List<String> names) {
        List<String> tails = names.stream().filter(n -> n.endsWith("." + asked) || n.endsWith("-" + asked)).sorted().toList();
        if (!tails.isEmpty()) {
            return tails.subList(0, Math.min(3, tails.size()));
        }
        int allowed = Math.max(2, asked.length() / 8);
        int best = Integer.MAX_VALUE;
        List<String> nearest = new java.util.ArrayList<>();
        for (String n : names.stream().sorted().toList()) {
            if (Math.abs(n.length() - asked.length()) > allowed) {
                continue; // at least that many edits apart: a long name asked costs no more than a short one
            }
            int d = edits(asked, n);
            if (d <= allowed && d < best) {
                best = d;
                nearest.clear();
            }
            if (d == best && nearest.size() < 3) {
                nearest.add(n);
            }
        }
        return nearest;
    }

    /** @return the Levenshtein distance: the fewest characters inserted, removed or replaced to make one the other */
    private static int edits(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int replace = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(replace, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    private static DeployException notDeployed(Deployer deployer, String env, String name, String version, Kind wanted) {
        String where = env == null ? "any environment" : env;
        List<DeploymentInfo> named = deployer.list(env).stream().filter(d -> d.name().equals(name)).toList();
        String list = "; bin/mosaic ls" + (env == null ? "" : " --env " + env) + (wanted == Kind.MODULE ? " --kind module" : "")
                + " lists what is";
        if (named.isEmpty()) {
            List<String> near = nearest(name, deployer.list(env).stream()
                    .filter(d -> wanted == null || d.kind() == wanted).map(DeploymentInfo::name).distinct().toList());
            return new DeployException(DeployException.NOT_FOUND, "no " + (wanted == Kind.MODULE ? "module " : "") + name
                    + " is deployed in " + where + (near.isEmpty() ? "" : " (did you mean " + String.join(" or ", near) + "?)")
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
