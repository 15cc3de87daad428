package dev.mosaic.semver.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Opcodes;
import org.osgi.service.component.annotations.Component;

import aQute.bnd.differ.Baseline;
import aQute.bnd.differ.DiffPluginImpl;
import aQute.bnd.osgi.Jar;
import aQute.bnd.osgi.Processor;
import aQute.bnd.osgi.Resource;
import aQute.bnd.service.diff.Delta;
import aQute.bnd.service.diff.Diff;
import aQute.bnd.service.diff.Type;
import dev.mosaic.deployer.ApiBaseliner;
import dev.mosaic.deployer.ReleaseReport;
import dev.mosaic.deployer.ReleaseReport.PackageChange;

/**
 * The deployer's {@link ApiBaseliner}: bnd's baselining, the check behind
 * {@code bnd-baseline-maven-plugin}, on the two jars. A delayed component: bndlib's classes
 * are loaded when the first release asks, not when the runtime starts.
 */
@Component(service = ApiBaseliner.class)
public final class BndBaseliner implements ApiBaseliner {

    private static final Set<Type> TYPES = Set.of(Type.CLASS, Type.INTERFACE, Type.ENUM, Type.ANNOTATION);
    private static final Set<Type> MEMBERS = Set.of(Type.METHOD, Type.FIELD, Type.CONSTANT);

    @Override
    public ReleaseReport compare(Path newer, Path older) throws IOException {
        try (Processor reporter = new Processor(); Jar n = new Jar(newer.toFile()); Jar o = new Jar(older.toFile())) {
            Baseline baseline = new Baseline(reporter, new DiffPluginImpl());
            Set<Baseline.Info> infos = baseline.baseline(n, o, null);
            List<PackageChange> packages = new ArrayList<>();
            List<Baseline.Info> sorted = new ArrayList<>(infos);
            sorted.sort(Comparator.comparing(i -> i.packageName));
            for (Baseline.Info i : sorted) {
                Delta delta = i.packageDiff.getDelta();
                packages.add(new PackageChange(i.packageName, delta.name(), version(i.olderVersion, delta == Delta.ADDED),
                        version(i.newerVersion, delta == Delta.REMOVED), String.valueOf(i.suggestedVersion), i.mismatch,
                        changes(i.packageDiff)));
            }
            Baseline.BundleInfo b = baseline.getBundleInfo();
            boolean mismatch = b.mismatch || sorted.stream().anyMatch(i -> i.mismatch);
            return new ReleaseReport(b.bsn, String.valueOf(b.newerVersion), String.valueOf(b.olderVersion),
                    annotated(n, sorted.stream().map(i -> i.packageName).toList()), String.valueOf(b.suggestedVersion), mismatch,
                    packages);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("bnd could not compare " + newer.getFileName() + " with " + older.getFileName() + ": " + e, e);
        }
    }

    private static String version(aQute.bnd.version.Version v, boolean absent) {
        return absent || v == null ? null : v.toString();
    }

    /** @return each class added or removed, and each member added, removed or changed: {@code removed method Catalog.trending()} */
    private static List<String> changes(Diff pkg) {
        List<String> out = new ArrayList<>();
        for (Diff type : pkg.getChildren()) {
            if (!TYPES.contains(type.getType()) || quiet(type.getDelta())) {
                continue;
            }
            String simple = type.getName().substring(type.getName().lastIndexOf('.') + 1);
            if (type.getDelta() == Delta.ADDED || type.getDelta() == Delta.REMOVED) {
                out.add(word(type.getDelta()) + " " + kind(type.getType()) + " " + simple);
                continue;
            }
            for (Diff member : type.getChildren()) {
                if (MEMBERS.contains(member.getType()) && !quiet(member.getDelta())) {
                    out.add(word(member.getDelta()) + " " + kind(member.getType()) + " " + simple + "." + member.getName());
                }
            }
        }
        return out;
    }

    private static boolean quiet(Delta d) {
        return d == Delta.UNCHANGED || d == Delta.IGNORED;
    }

    private static String word(Delta d) {
        return switch (d) {
            case ADDED -> "added";
            case REMOVED -> "removed";
            default -> "changed";
        };
    }

    private static String kind(Type t) {
        return t.name().toLowerCase(Locale.ROOT);
    }

    /** @return whether a class of the exported packages is marked {@code @ProviderType} or {@code @ConsumerType} */
    static boolean annotated(Jar jar, List<String> packages) throws Exception {
        Set<String> dirs = new TreeSet<>();
        for (String p : packages) {
            dirs.add(p.replace('.', '/'));
        }
        for (Map.Entry<String, Resource> e : jar.getResources().entrySet()) {
            String path = e.getKey();
            int slash = path.lastIndexOf('/');
            if (!path.endsWith(".class") || slash < 0 || !dirs.contains(path.substring(0, slash))) {
                continue;
            }
            boolean[] found = {false};
            try (InputStream in = e.getValue().openInputStream()) {
                new ClassReader(in).accept(new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
                        if (descriptor.equals("Lorg/osgi/annotation/versioning/ProviderType;")
                                || descriptor.equals("Lorg/osgi/annotation/versioning/ConsumerType;")) {
                            found[0] = true;
                        }
                        return null;
                    }
                }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
            }
            if (found[0]) {
                return true;
            }
        }
        return false;
    }
}
