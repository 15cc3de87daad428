package dev.mosaic.deployer.internal.checks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.ZipException;

import org.osgi.framework.Constants;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.Export;
import dev.mosaic.deployer.internal.model.Model.Import;
import dev.mosaic.deployer.Kind;

/**
 * Reads and checks an uploaded bundle before anything is installed: a jar with a manifest,
 * a symbolic name and a version, not a fragment, of a kind Mosaic runs. Every refusal says
 * what is wrong and what to do about it.
 */
public final class ArtifactReader {

    /** Manifest header choosing adapter or module; inferred from Export-Package when absent. */
    public static final String KIND = "Mosaic-Kind";
    /** Manifest header: {@code manual} to take module updates only on {@code adopt}. */
    public static final String UPTAKE = "Mosaic-Uptake";
    public static final String OWNER = "Mosaic-Owner";
    public static final String SCM_COMMIT = "Mosaic-SCM-Commit";
    public static final String BUILD_TIME = "Mosaic-Build-Time";
    /** How long a deployment of this bundle lives ({@code 7d}, {@code none}), unless the deploy says otherwise. */
    public static final String TTL = "Mosaic-TTL";
    /**
     * Set by the deployer, never read from a manifest: these bytes replaced others of the same name and version in an
     * environment that allows it ({@code mosaic.deploy.replaceable}, default {@code dev}). Such a build is never promoted.
     */
    public static final String DEV_BUILD = "Mosaic-Dev-Build";

    /** @return whether the artifact is a development build: a SNAPSHOT version, or bytes that replaced others of its version */
    public static boolean devBuild(Artifact a) {
        return a.version().endsWith("SNAPSHOT") || a.metadata().containsKey(DEV_BUILD);
    }

    private static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    private static final List<String> DESCRIPTIVE = List.of(Constants.BUNDLE_NAME, Constants.BUNDLE_DESCRIPTION,
            Constants.BUNDLE_VENDOR, Constants.BUNDLE_DOCURL, "Bundle-SCM", Constants.BUNDLE_COPYRIGHT);

    private ArtifactReader() {
    }

    /** How big and how many an archive may be before it is refused unread. */
    public record ArchiveLimits(int maxEntries, long maxInflatedBytes, int maxCompressionRatio) {
        public static final ArchiveLimits DEFAULT = new ArchiveLimits(10_000, 256L << 20, 200);
    }

    public static Artifact read(Path file) throws DeployException {
        return read(file, ArchiveLimits.DEFAULT);
    }

    /**
     * @param file the uploaded bytes, stored in a temporary file
     * @return what the bundle is
     * @throws DeployException with code {@link DeployException#INVALID_BUNDLE}
     */
    public static Artifact read(Path file, ArchiveLimits limits) throws DeployException {
        long size;
        String sha256;
        try {
            size = java.nio.file.Files.size(file);
            if (size == 0) {
                throw invalid("the upload is empty; send the bundle jar as the request body");
            }
            sha256 = sha256(file);
        } catch (IOException e) {
            throw new DeployException(DeployException.INTERNAL, "cannot read the upload: " + e.getMessage(), e);
        }
        Manifest manifest;
        try (JarFile jar = new JarFile(file.toFile(), true)) {
            manifest = jar.getManifest();
            checkEntries(jar, limits);
        } catch (ZipException e) {
            throw invalid("not a jar (zip) file, or a truncated one: " + e.getMessage());
        } catch (SecurityException e) {
            throw invalid("the jar's signature does not match its content (" + e.getMessage()
                    + "); sign it again or deploy it unsigned");
        } catch (IOException e) {
            throw invalid("the jar cannot be read: " + e.getMessage());
        }
        if (manifest == null) {
            throw invalid("the jar has no META-INF/MANIFEST.MF; build it with bnd (bnd-maven-plugin) to make it a bundle");
        }
        return fromManifest(manifest.getMainAttributes(), sha256, size);
    }

    /**
     * Refuses hostile or broken archives before anything reads them for real: too many
     * entries, too much inflated data or too high a compression ratio (zip bombs), names
     * escaping the archive, duplicate names, nested archives, and signatures that do not
     * cover or match the content.
     */
    private static void checkEntries(JarFile jar, ArchiveLimits limits) throws IOException, DeployException {
        Set<String> names = new HashSet<>();
        boolean signed = false;
        int count = 0;
        for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements();) {
            JarEntry e = en.nextElement();
            String name = e.getName();
            if (++count > limits.maxEntries()) {
                throw invalid("the jar has more than " + limits.maxEntries() + " entries");
            }
            if (name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0 || name.matches("^[A-Za-z]:.*")
                    || List.of(name.split("/")).contains("..")) {
                throw invalid("the jar has an entry named '" + printable(name) + "', which is not a relative path inside the jar");
            }
            if (!names.add(name)) {
                throw invalid("the jar has two entries named '" + printable(name) + "'");
            }
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (!e.isDirectory() && (lower.endsWith(".jar") || lower.endsWith(".zip") || lower.endsWith(".war")
                    || lower.endsWith(".ear"))) {
                throw invalid("the jar embeds the archive '" + printable(name) + "'; nested jars are not supported:"
                        + " put that code in a shared module, or let bnd inline the classes you need");
            }
            if (lower.startsWith("meta-inf/") && (lower.endsWith(".sf") || lower.endsWith(".rsa") || lower.endsWith(".dsa")
                    || lower.endsWith(".ec"))) {
                signed = true;
            }
        }
        long total = 0;
        byte[] buffer = new byte[8192];
        List<String> unsigned = new ArrayList<>();
        for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements();) {
            JarEntry e = en.nextElement();
            if (e.isDirectory()) {
                continue;
            }
            long inflated = 0;
            try (InputStream in = jar.getInputStream(e)) {
                for (int n; (n = in.read(buffer)) > 0;) {
                    inflated += n;
                    if (total + inflated > limits.maxInflatedBytes()) {
                        throw invalid("the jar inflates to more than " + limits.maxInflatedBytes() + " bytes");
                    }
                }
            }
            long compressed = e.getCompressedSize();
            if (compressed > 0 && inflated > (1 << 20) && inflated / compressed > limits.maxCompressionRatio()) {
                throw invalid("the entry '" + printable(e.getName()) + "' inflates " + (inflated / compressed)
                        + " times its size; that is a zip bomb, not a bundle");
            }
            total += inflated;
            String upper = e.getName().toUpperCase(java.util.Locale.ROOT);
            if (signed && !upper.startsWith("META-INF/") && e.getCodeSigners() == null) {
                unsigned.add(e.getName());
            }
        }
        if (!unsigned.isEmpty()) {
            throw invalid("the jar is signed, but its signature does not cover " + unsigned.size() + " entr"
                    + (unsigned.size() == 1 ? "y" : "ies") + " (e.g. '" + printable(unsigned.get(0))
                    + "'); sign it again or deploy it unsigned");
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    public static Artifact fromManifest(Attributes main, String sha256, long size) throws DeployException {
        String bsnHeader = main.getValue(Constants.BUNDLE_SYMBOLICNAME);
        if (bsnHeader == null || bsnHeader.isBlank()) {
            throw invalid("the manifest has no Bundle-SymbolicName, so this jar is not an OSGi bundle; build it with bnd");
        }
        if (!"2".equals(trim(main.getValue(Constants.BUNDLE_MANIFESTVERSION)))) {
            throw invalid("Bundle-ManifestVersion must be 2 (OSGi R4 and later), got '"
                    + main.getValue(Constants.BUNDLE_MANIFESTVERSION) + "'");
        }
        String name = bsnHeader.split(";", 2)[0].trim();
        if (!SYMBOLIC_NAME.matcher(name).matches() || name.length() > 200) {
            throw invalid("Bundle-SymbolicName '" + name + "' is not a valid symbolic name (dot-separated tokens of letters, digits, '_' and '-')");
        }
        String versionHeader = trim(main.getValue(Constants.BUNDLE_VERSION));
        if (versionHeader == null) {
            throw invalid(name + " has no Bundle-Version; give it a semantic version such as 1.0.0");
        }
        Version version;
        try {
            version = Version.parseVersion(versionHeader);
        } catch (IllegalArgumentException e) {
            throw invalid(name + " has Bundle-Version '" + versionHeader
                    + "', which is not a version (major.minor.micro[.qualifier], e.g. 1.2.0)");
        }
        if (main.getValue(Constants.FRAGMENT_HOST) != null) {
            throw invalid(name + " " + version + " is a fragment (Fragment-Host: " + main.getValue(Constants.FRAGMENT_HOST)
                    + "); Mosaic deploys adapters and shared modules, not fragments");
        }
        String classPath = trim(main.getValue(Constants.BUNDLE_CLASSPATH));
        if (classPath != null && !classPath.equals(".")) {
            throw invalid(name + " " + version + " has Bundle-ClassPath: " + classPath
                    + "; embedded jars and directories are not supported: put shared code in a shared module");
        }
        if (main.getValue(Constants.BUNDLE_NATIVECODE) != null) {
            throw invalid(name + " " + version + " carries native code (Bundle-NativeCode); tenant bundles are Java only");
        }
        if (main.getValue(Constants.DYNAMICIMPORT_PACKAGE) != null) {
            throw invalid(name + " " + version + " uses DynamicImport-Package; import the packages it needs with"
                    + " Import-Package, so Mosaic can check and wire them");
        }
        if (main.getValue(Constants.REQUIRE_BUNDLE) != null) {
            throw invalid(name + " " + version + " uses Require-Bundle; import packages instead (Import-Package), so Mosaic can choose the module version");
        }
        List<Export> exports = exports(name, main.getValue(Constants.EXPORT_PACKAGE));
        List<Import> imports = imports(name, main.getValue(Constants.IMPORT_PACKAGE));

        String kindHeader = trim(main.getValue(KIND));
        Kind kind;
        if (kindHeader == null) {
            kind = exports.isEmpty() ? Kind.ADAPTER : Kind.MODULE;
        } else if (kindHeader.equalsIgnoreCase("adapter")) {
            kind = Kind.ADAPTER;
        } else if (kindHeader.equalsIgnoreCase("module")) {
            kind = Kind.MODULE;
        } else {
            throw invalid(name + " has " + KIND + ": '" + kindHeader + "'; use 'adapter' or 'module'");
        }
        if (kind == Kind.ADAPTER && !exports.isEmpty()) {
            throw invalid(name + " is an adapter but exports " + exports.get(0).pkg()
                    + "; adapters export nothing. Shared code belongs in a module (" + KIND + ": module)");
        }
        if (kind == Kind.MODULE && exports.isEmpty()) {
            throw invalid(name + " is a module but exports no package; a shared module exports its API with @Export in package-info.java");
        }
        String uptake = trim(main.getValue(UPTAKE));
        if (uptake != null && !uptake.equalsIgnoreCase("auto") && !uptake.equalsIgnoreCase("manual")) {
            throw invalid(name + " has " + UPTAKE + ": '" + uptake + "'; use 'auto' (the default) or 'manual'");
        }
        Map<String, String> metadata = new TreeMap<>();
        for (Map.Entry<Object, Object> e : main.entrySet()) {
            String key = e.getKey().toString();
            if ((key.startsWith("Mosaic-") && !key.equals(DEV_BUILD)) || DESCRIPTIVE.contains(key)) {
                metadata.put(key, String.valueOf(e.getValue()));
            }
        }
        return new Artifact(name, version.toString(), kind, sha256, size, "manual".equalsIgnoreCase(uptake),
                List.copyOf(exports), List.copyOf(imports), Map.copyOf(metadata));
    }

    private static List<Export> exports(String name, String header) throws DeployException {
        List<Export> exports = new ArrayList<>();
        try {
            for (Headers.Clause c : Headers.parse(header)) {
                String v = c.attributes().get(Constants.VERSION_ATTRIBUTE);
                Version version = v == null ? Version.emptyVersion : Version.parseVersion(v);
                for (String pkg : c.names()) {
                    exports.add(new Export(pkg, version));
                }
            }
        } catch (IllegalArgumentException e) {
            throw invalid(name + " has a malformed Export-Package header: " + e.getMessage());
        }
        return exports;
    }

    private static List<Import> imports(String name, String header) throws DeployException {
        List<Import> imports = new ArrayList<>();
        try {
            for (Headers.Clause c : Headers.parse(header)) {
                String v = c.attributes().get(Constants.VERSION_ATTRIBUTE);
                VersionRange range = v == null ? new VersionRange("0.0.0") : new VersionRange(v);
                boolean optional = Constants.RESOLUTION_OPTIONAL.equals(c.directives().get(Constants.RESOLUTION_DIRECTIVE));
                for (String pkg : c.names()) {
                    if (!pkg.startsWith("java.")) { // always from the JDK, never a module's
                        imports.add(new Import(pkg, range, optional));
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            throw invalid(name + " has a malformed Import-Package header: " + e.getMessage());
        }
        return imports;
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(java.nio.file.Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String trim(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static DeployException invalid(String message) {
        return new DeployException(DeployException.INVALID_BUNDLE, message);
    }
}
