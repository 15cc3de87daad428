package dev.mosaic.deployer.internal.flow;

import java.util.List;
import java.util.stream.Collectors;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Suggestions;
import dev.mosaic.deployer.internal.checks.Names;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Registry.Unit;

/** Finds what an operation names, or says exactly what there is instead. */
final class Lookup {

    private Lookup() {
    }

    /**
     * @return the adapter of that name (when {@code version} is null or its own), or that version of the module
     * @param whatFor finishes "say which version ..." in the message
     */
    static Unit find(Registry registry, String env, String name, String version, String whatFor) throws DeployException {
        Unit adapter = registry.adapter(env, name);
        if (adapter != null && (version == null || adapter.key.version().equals(Names.version(version)))) {
            return adapter;
        }
        List<Unit> named = registry.named(env, name);
        if (named.isEmpty()) {
            throw notDeployed(registry, env, name);
        }
        if (version == null) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, name + " is a shared module in " + env
                    + " with versions " + versions(named) + "; say which version " + whatFor);
        }
        return moduleVersion(registry, env, name, version);
    }

    /** @return that version of a module, or an error saying which versions there are */
    static Unit moduleVersion(Registry registry, String env, String name, String version) throws DeployException {
        UnitKey key = new UnitKey(env, name, Names.version(version));
        Unit unit = registry.unit(key);
        if (unit == null) {
            List<Unit> named = registry.named(env, name);
            if (named.isEmpty()) {
                throw notDeployed(registry, env, name);
            }
            throw new DeployException(DeployException.NOT_FOUND, name + " " + key.version() + " is not deployed in "
                    + env + "; deployed versions: " + versions(named));
        }
        return unit;
    }

    /**
     * @return not found, saying what was likely meant: the environments where that name is deployed (an {@code --env}
     *         left out), else the names of the environment it is {@link Suggestions#nearest near} (a typo)
     */
    static DeployException notDeployed(Registry registry, String env, String name) {
        return new DeployException(DeployException.NOT_FOUND, "nothing named " + name + " is deployed in " + env
                + meant(registry, env, name));
    }

    /**
     * @return what was likely meant by a name not deployed in an environment: where it is deployed, else a name of that
     *         environment near it, else a name near it in another environment, and where that one is; or nothing
     */
    private static String meant(Registry registry, String env, String name) {
        List<String> elsewhere = environmentsOf(registry, name);
        if (!elsewhere.isEmpty()) {
            return "; it is deployed in " + String.join(" and ", elsewhere);
        }
        String here = Suggestions.didYouMean(name, registry.units(env).stream().map(u -> u.key.name()).toList());
        if (!here.isEmpty()) {
            return here;
        }
        List<String> near = Suggestions.nearest(name, registry.units(null).stream().map(u -> u.key.name()).toList());
        return near.isEmpty() ? "" : " (did you mean " + near.stream().map(n -> n + ", deployed in "
                + String.join(" and ", environmentsOf(registry, n))).collect(Collectors.joining("; or ")) + "?)";
    }

    private static List<String> environmentsOf(Registry registry, String name) {
        return registry.environments().stream().filter(e -> !registry.named(e, name).isEmpty()).toList();
    }

    static String versions(List<Unit> units) {
        return units.stream().map(u -> u.key.version() + (u.yanked ? " (yanked)" : "")).collect(Collectors.joining(", "));
    }

    static String consumers(List<Unit> consumers) {
        return consumers.stream().map(c -> c.key.name() + " " + c.key.version()).collect(Collectors.joining(", "));
    }
}
