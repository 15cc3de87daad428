package dev.mosaic.deployer.internal.checks;

import java.util.regex.Pattern;

import org.osgi.framework.Version;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.gateway.Gateway;

/** What environments, names and versions given to an operation must look like, checked before anything is looked up. */
public final class Names {

    private static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private Names() {
    }

    /** @return the environment, {@code prod} when none is given */
    public static String environment(String env) throws DeployException {
        String e = env == null || env.isBlank() ? Gateway.DEFAULT_ENVIRONMENT : env.trim();
        if (!Gateway.ENVIRONMENT_NAME.matcher(e).matches()) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "'" + e + "' is not an environment name: use lower"
                    + " case letters, digits and '-', starting with a letter, at most 32 characters (e.g. prod, test, pr-42)");
        }
        return e;
    }

    /** @return the bundle symbolic name, checked */
    public static String name(String name) throws DeployException {
        if (name == null || name.length() > 200 || !SYMBOLIC_NAME.matcher(name).matches()) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "'" + name + "' is not a bundle symbolic name"
                    + " (dot-separated tokens of letters, digits, '_' and '-')");
        }
        return name;
    }

    /** @return the version in its canonical form ({@code 1.2} is {@code 1.2.0}) */
    public static String version(String version) throws DeployException {
        try {
            return Version.parseVersion(version == null ? "" : version.trim()).toString();
        } catch (IllegalArgumentException e) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "'" + version + "' is not a version (e.g. 1.2.0)");
        }
    }
}
