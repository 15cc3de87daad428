package dev.mosaic.deployer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.Remapper;

/**
 * Which internal package of the deployer may use which, read from the compiled classes (every
 * type a class names: fields, signatures, calls, constants), the way Felix SCR's
 * PackageIsolationTest pins its own. The layers, bottom up:
 *
 * <pre>
 *   model       the vocabulary and the registry (no framework, no I/O)
 *   store       journal and artifact store           -> model
 *   fleet       the fleet's store (PostgreSQL) and following it -> model, store
 *   checks      what an upload or an argument may be -> model
 *   plan        who is bound to what, who moves      -> model
 *   judge       a canary's samples and verdict (statistics only) -> nothing internal
 *   framework   installing, wiring, retiring bundles -> model, store, plan
 *   flow        one class per operation, the change protocol -> all of the above
 *   (internal)  the OSGi component                   -> all
 * </pre>
 *
 * and the API package ({@code dev.mosaic.deployer}) uses none of them.
 */
class PackageIsolationTest {

    private static final String ROOT = "dev/mosaic/deployer";
    private static final String INTERNAL = ROOT + "/internal";

    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "model", Set.of(),
            "store", Set.of("model"),
            "fleet", Set.of("model", "store"),
            "checks", Set.of("model"),
            "plan", Set.of("model"),
            "judge", Set.of(),
            "framework", Set.of("model", "store", "plan"),
            "flow", Set.of("model", "store", "checks", "plan", "framework", "judge"),
            "", Set.of("model", "store", "fleet", "checks", "plan", "framework", "flow", "judge"),
            "api", Set.of());

    @Test
    void internalPackagesDependOnEachOtherOnlyDownTheLayers() throws Exception {
        Map<String, Set<String>> found = dependencies();
        assertTrue(found.keySet().containsAll(Set.of("model", "store", "checks", "plan", "framework", "flow", "", "api")),
                "every layer has classes: " + found.keySet());
        Map<String, Set<String>> forbidden = new TreeMap<>();
        found.forEach((from, uses) -> {
            Set<String> bad = new TreeSet<>(uses);
            bad.remove(from);
            bad.removeAll(ALLOWED.getOrDefault(from, Set.of()));
            if (!bad.isEmpty()) {
                forbidden.put(from.isEmpty() ? "internal" : from, bad);
            }
        });
        assertEquals(Map.of(), forbidden, "packages using what their layer may not");
    }

    @Test
    void theTestSeesAForbiddenUseWhereThereIsOne() throws Exception {
        // the check above is only worth something if it finds uses: flow uses every layer below it
        assertEquals(Set.of("flow", "model", "store", "checks", "plan", "framework", "judge"), dependencies().get("flow"));
    }

    /** @return for each layer ("" for internal itself, "api" for the exported package), the layers its classes name */
    private static Map<String, Set<String>> dependencies() throws IOException, URISyntaxException {
        Path classes = Path.of(PackageIsolationTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent().resolve("classes");
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(classes.resolve(ROOT))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String name = classes.relativize(f).toString().replace('\\', '/');
                String layer = layer(name);
                if (layer == null) {
                    continue;
                }
                Set<String> layers = uses.computeIfAbsent(layer, k -> new TreeSet<>());
                try (InputStream in = Files.newInputStream(f)) {
                    new ClassReader(in).accept(new ClassRemapper(new ClassVisitor(Opcodes.ASM9) {
                    }, new Remapper() {
                        @Override
                        public String map(String internalName) {
                            String used = layer(internalName + ".class");
                            if (used != null && !used.equals("api")) {
                                layers.add(used);
                            }
                            return internalName;
                        }
                    }), 0);
                }
            }
        }
        uses.values().forEach(s -> s.remove("api"));
        return uses;
    }

    /** @return the layer of a class file path, or null if it is not the deployer's */
    private static String layer(String classFile) {
        if (!classFile.startsWith(ROOT + "/")) {
            return null;
        }
        String dir = classFile.substring(0, classFile.lastIndexOf('/'));
        if (dir.equals(ROOT)) {
            return "api";
        }
        if (dir.equals(INTERNAL)) {
            return "";
        }
        if (dir.startsWith(INTERNAL + "/")) {
            String rest = dir.substring(INTERNAL.length() + 1);
            return rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        }
        return null;
    }
}
