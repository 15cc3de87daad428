package dev.mosaic.deployer.internal.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Version;

import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.Export;

/**
 * Consumers' bytecode against two versions of a module, each compiled here from source: what a
 * consumer calls, extends and implements decides whether it runs on a version.
 */
class ApiFitTest {

    @TempDir
    Path dir;
    private final Map<String, Path> jars = new HashMap<>();
    private ApiFit fit;
    private Artifact v1;
    private Artifact v2;

    @BeforeEach
    void modules() throws Exception {
        fit = new ApiFit(a -> jars.get(a.sha256()));
        v1 = module("1.0.0", Map.of(
                "shelf/Shelf.java", """
                        package shelf;
                        public final class Shelf {
                            public static java.util.List<String> titles() { return java.util.List.of("Dark"); }
                            public static int count() { return 1; }
                            public static int size() { return 1; }
                            public static final String NAME = String.valueOf("shelf"); // not a constant: read, not inlined
                        }""",
                "shelf/Listener.java", "package shelf; public interface Listener { void added(String title); }",
                "shelf/Base.java", "package shelf; public abstract class Base { public abstract String name(); }"));
        // 2.0.0: count() and NAME gone, size() no longer static, Listener and Base each gain an abstract method,
        // Listener a default one too (harmless)
        v2 = module("2.0.0", Map.of(
                "shelf/Shelf.java", """
                        package shelf;
                        public final class Shelf {
                            public static java.util.List<String> titles() { return java.util.List.of("Dark"); }
                            public int size() { return 1; }
                        }""",
                "shelf/Listener.java", """
                        package shelf;
                        public interface Listener {
                            void added(String title);
                            void removed(String title);
                            default void cleared() { }
                        }""",
                "shelf/Base.java", "package shelf; public abstract class Base { public abstract String name(); public abstract int id(); }"));
    }

    @Test
    void aConsumerUsingWhatStaysFitsBothVersions() throws Exception {
        Artifact reader = consumer("reader", "app/Reader.java", """
                package app;
                public class Reader {
                    public Object read() { return shelf.Shelf.titles(); }
                    public void listen(shelf.Listener l) { l.added("x"); }   // calls it, does not implement it
                }""");
        assertNull(fit.misfit(reader, v1));
        assertEquals(List.of(), fit.problems(reader, v2));
    }

    @Test
    void aRemovedMethodOrFieldIsNamed() throws Exception {
        Artifact counter = consumer("counter", "app/Counter.java", """
                package app;
                public class Counter {
                    public int count() { return shelf.Shelf.count() + shelf.Shelf.NAME.length(); }
                }""");
        assertNull(fit.misfit(counter, v1));
        assertEquals(List.of("uses Shelf.count(), which 2.0.0 does not have", "uses field Shelf.NAME, which 2.0.0 does not have"),
                fit.problems(counter, v2));
        assertEquals("uses Shelf.count(), which 2.0.0 does not have (and 1 more)", fit.misfit(counter, v2));
    }

    @Test
    void aMethodNoLongerStaticIsNamed() throws Exception {
        Artifact sizer = consumer("sizer", "app/Sizer.java", "package app; public class Sizer { int s() { return shelf.Shelf.size(); } }");
        assertNull(fit.misfit(sizer, v1));
        assertEquals(List.of("calls Shelf.size() as static, which it is not in 2.0.0"), fit.problems(sizer, v2));
    }

    @Test
    void anImplementerMissesTheAbstractMethodsANewVersionAdds() throws Exception {
        Artifact impl = consumer("impl", "app/Impl.java", """
                package app;
                public class Impl implements shelf.Listener {
                    public void added(String title) { }
                }""");
        assertNull(fit.misfit(impl, v1));
        assertEquals(List.of("Impl implements Listener, whose Listener.removed(String) it does not implement (abstract in 2.0.0)"),
                fit.problems(impl, v2));
        // one that implements it already (through its own superclass) fits
        Artifact ready = consumer("ready", Map.of(
                "app/Both.java", "package app; public class Both { public void removed(String t) { } }",
                "app/Ready.java", "package app; public class Ready extends Both implements shelf.Listener { public void added(String t) { } }"));
        assertNull(fit.misfit(ready, v2));
        // an abstract class of the consumer need not implement anything
        Artifact partial = consumer("partial", "app/Partial.java", "package app; public abstract class Partial implements shelf.Listener { }");
        assertNull(fit.misfit(partial, v2));
    }

    @Test
    void aLambdaImplementingAnInterfaceThatGainsAnAbstractMethodIsNamed() throws Exception {
        Artifact lambda = consumer("lambda", "app/Wiring.java", """
                package app;
                public class Wiring {
                    public shelf.Listener listener() { return title -> System.out.println(title); }
                }""");
        assertNull(fit.misfit(lambda, v1));
        assertEquals(List.of("Wiring implements Listener with a lambda, and Listener.removed(String) is abstract in 2.0.0 too"),
                fit.problems(lambda, v2));
    }

    @Test
    void aSubclassMissesTheAbstractMethodsItsModuleSuperclassGains() throws Exception {
        Artifact named = consumer("named", "app/Named.java", "package app; public class Named extends shelf.Base { public String name() { return \"n\"; } }");
        assertNull(fit.misfit(named, v1));
        assertEquals(List.of("Named extends Base, whose Base.id() it does not implement (abstract in 2.0.0)"), fit.problems(named, v2));
    }

    @Test
    void aRemovedClassIsNamed() throws Exception {
        Artifact v3 = module("3.0.0", Map.of("shelf/Shelf.java", "package shelf; public final class Shelf { }"));
        Artifact impl = consumer("impl2", "app/Impl.java", "package app; public class Impl implements shelf.Listener { public void added(String t) { } }");
        assertTrue(fit.problems(impl, v3).contains("uses Listener, which 3.0.0 does not have"), fit.problems(impl, v3).toString());
    }

    private Artifact module(String version, Map<String, String> sources) throws IOException {
        Path jar = compile("shelf-" + version, sources, List.of());
        return artifact("shelf", version, jar, List.of(new Export("shelf", Version.parseVersion(version))));
    }

    private Artifact consumer(String name, String file, String source) throws IOException {
        return consumer(name, Map.of(file, source));
    }

    private Artifact consumer(String name, Map<String, String> sources) throws IOException {
        Path jar = compile(name, sources, List.of(jars.get("shelf@1.0.0")));
        return artifact(name, "1.0.0", jar, List.of());
    }

    private Artifact artifact(String name, String version, Path jar, List<Export> exports) {
        String sha = name + "@" + version;
        jars.put(sha, jar);
        return new Artifact(name, version, Kind.MODULE, sha, 0, false, exports, List.of(), Map.of());
    }

    /** Compiles the sources against the class path into a jar of their classes. */
    private Path compile(String name, Map<String, String> sources, List<Path> classPath) throws IOException {
        Path src = Files.createDirectories(dir.resolve(name + "-src"));
        Path classes = Files.createDirectories(dir.resolve(name + "-classes"));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "--release", "17"));
        if (!classPath.isEmpty()) {
            args.add("-cp");
            args.add(String.join(java.io.File.pathSeparator, classPath.stream().map(Path::toString).toList()));
        }
        for (Map.Entry<String, String> s : sources.entrySet()) {
            Path file = src.resolve(s.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, s.getValue());
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, args.toArray(new String[0])), "compiling " + name);
        Path jar = dir.resolve(name + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, (OutputStream) out);
                out.closeEntry();
            }
        }
        return jar;
    }
}
