package dev.mosaic.deployer.internal.model;

import java.util.List;
import java.util.Map;

import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

import dev.mosaic.deployer.Kind;

/** The deployer's vocabulary, independent of the framework so the planning can be unit-tested. */
public final class Model {

    private Model() {
    }

    /** One deployed unit: an adapter, or one version of a module, in one environment. */
    public record UnitKey(String env, String name, String version) implements Comparable<UnitKey> {
        @Override
        public int compareTo(UnitKey o) {
            int c = env.compareTo(o.env);
            c = c != 0 ? c : name.compareTo(o.name);
            return c != 0 ? c : Version.parseVersion(version).compareTo(Version.parseVersion(o.version));
        }

        @Override
        public String toString() {
            return name + " " + version + " in " + env;
        }
    }

    /** A package a bundle exports, at a version. */
    public record Export(String pkg, Version version) {
    }

    /** A package a bundle imports, with the range it accepts. */
    public record Import(String pkg, VersionRange range, boolean optional) {
        @Override
        public String toString() {
            return pkg + " " + dev.mosaic.deployer.ImportInfo.describe(range.toString());
        }
    }

    /** What the deployer knows of a bundle from its manifest. */
    public record Artifact(String name, String version, Kind kind, String sha256, long size, boolean manualUptake,
            List<Export> exports, List<Import> imports, Map<String, String> metadata) {
    }
}
