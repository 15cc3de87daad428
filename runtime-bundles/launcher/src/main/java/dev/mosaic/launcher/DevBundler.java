package dev.mosaic.launcher;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.Constants;
import aQute.bnd.osgi.Jar;

/**
 * Makes a bundle of a project's compiled classes with bnd, in process and in milliseconds, the way the project's own
 * build made the bundle it started from: that bundle's manifest is the template for every header bnd does not compute
 * from the classes (name, version, Mosaic's headers, provenance), and its imports keep their ranges (a pin stays a
 * pin), while what the classes now need, export, or declare as components is computed afresh.
 */
final class DevBundler {

    /** Headers bnd computes from the classes (and the ones it adds about itself): never copied from the template. */
    private static final Set<String> COMPUTED = Set.of("Manifest-Version", "Bundle-ManifestVersion", "Import-Package",
            "Export-Package", "Provide-Capability", "Require-Capability", "Service-Component", "Private-Package",
            "Include-Resource", "Bnd-LastModified", "Tool", "Created-By", "Build-Jdk-Spec", "Built-By");

    /** A bundle bnd would not make: its errors, one per line. */
    static final class BundleError extends Exception {
        private static final long serialVersionUID = 1L;

        BundleError(String message) {
            super(message);
        }
    }

    private final Path base;
    private final Path classes;
    private final List<File> classpath;
    private final Attributes template;

    /**
     * @param base the project's folder
     * @param classes its compiled classes and resources
     * @param classpath what it compiles against (what bnd reads package versions from)
     * @param built the bundle the project's build made, whose manifest is the template
     */
    DevBundler(Path base, Path classes, List<File> classpath, Path built) throws IOException {
        this.base = base;
        this.classes = classes;
        this.classpath = List.copyOf(classpath);
        try (InputStream in = Files.newInputStream(built); JarInputStream jar = new JarInputStream(in)) {
            Manifest m = jar.getManifest();
            if (m == null || m.getMainAttributes().getValue("Bundle-SymbolicName") == null) {
                throw new IOException(built + " is not a bundle (no Bundle-SymbolicName): is the project built with"
                        + " mosaic-adapter-parent or mosaic-module-parent?");
            }
            this.template = m.getMainAttributes();
        }
    }

    /** @return the bundle's name and version, as the reload lines say them */
    String what() {
        return template.getValue("Bundle-SymbolicName") + " " + template.getValue("Bundle-Version");
    }

    /** @return the bundle of the classes as they are now */
    byte[] bundle() throws BundleError, IOException {
        try (Builder b = new Builder()) {
            b.setBase(base.toFile());
            for (var e : template.entrySet()) {
                String name = e.getKey().toString();
                if (!COMPUTED.contains(name)) {
                    b.setProperty(name, e.getValue().toString());
                }
            }
            String imports = template.getValue("Import-Package");
            b.setProperty(Constants.IMPORT_PACKAGE, (imports == null ? "" : imports + ",") + "*");
            b.setProperty(Constants.NOEXTRAHEADERS, "true");
            b.setProperty(Constants.REPRODUCIBLE, "true");
            b.setProperty(Constants.REMOVEHEADERS, "Private-Package, Include-Resource");
            b.setClasspath(classpath.toArray(File[]::new));
            b.setJar(new Jar("classes", classes.toFile()));
            Jar jar = b.build();
            if (!b.isOk()) {
                throw new BundleError(String.join("\n", b.getErrors()));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
            try {
                jar.write(out);
            } catch (Exception e) {
                throw new IOException("cannot write the bundle: " + e.getMessage(), e);
            }
            return out.toByteArray();
        } catch (BundleError | IOException e) {
            throw e;
        } catch (Exception e) {
            throw new BundleError(e.toString());
        }
    }
}
