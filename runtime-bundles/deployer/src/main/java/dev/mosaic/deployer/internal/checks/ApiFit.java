package dev.mosaic.deployer.internal.checks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import dev.mosaic.deployer.internal.model.Fit;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.Export;

/**
 * Whether a consumer's code can run on a module version, from both bytecodes: every class,
 * method and field of the module's packages the consumer refers to must be there (static
 * where it calls it static, not private), and every class of the consumer that implements an
 * interface or extends a class of the module must implement each abstract method the version
 * has. What the consumer reaches through reflection is not seen, and a member inherited from
 * outside the module (from {@code java.lang.Object}, say) is taken to be there.
 *
 * <p>What a consumer uses and what a module version offers are read once per artifact
 * (they are known by their SHA-256) and kept.
 */
public final class ApiFit implements Fit {

    private static final int MAX_CACHED = 4096;

    private final Function<Artifact, Path> jars;
    private final Map<String, Api> apis;
    private final Map<String, Usage> usages;
    /** Checks made through this instance, and the time they took (one release's: see {@link #with}). */
    private final java.util.concurrent.atomic.LongAdder checks = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder checkNanos = new java.util.concurrent.atomic.LongAdder();

    /** @param jars where an artifact's jar is */
    public ApiFit(Function<Artifact, Path> jars) {
        this(jars, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
    }

    private ApiFit(Function<Artifact, Path> jars, Map<String, Api> apis, Map<String, Usage> usages) {
        this.jars = jars;
        this.apis = apis;
        this.usages = usages;
    }

    /** @return this check, reading {@code artifact}'s jar at {@code jar} (an upload not in the store yet) */
    public ApiFit with(Artifact artifact, Path jar) {
        return new ApiFit(a -> a.sha256().equals(artifact.sha256()) ? jar : jars.apply(a), apis, usages);
    }

    /** @return how many checks this instance made */
    public long checks() {
        return checks.sum();
    }

    /** @return how long they took, in ms */
    public double checkMillis() {
        return checkNanos.sum() / 1e6;
    }

    @Override
    public String misfit(Artifact consumer, Artifact module) {
        long start = System.nanoTime();
        List<String> problems;
        try {
            problems = problems(consumer, module);
        } finally {
            checks.increment();
            checkNanos.add(System.nanoTime() - start);
        }
        if (problems.isEmpty()) {
            return null;
        }
        return problems.get(0) + (problems.size() == 1 ? "" : " (and " + (problems.size() - 1) + " more)");
    }

    /** @return what the consumer uses that the module version does not offer, in words; empty if it fits */
    public List<String> problems(Artifact consumer, Artifact module) {
        Set<String> packages = new HashSet<>();
        for (Export e : module.exports()) {
            packages.add(e.pkg().replace('.', '/'));
        }
        Usage usage = usage(consumer);
        Api api = api(module);
        Set<String> problems = new LinkedHashSet<>();
        String version = module.version();
        for (String type : usage.types) {
            if (inPackages(type, packages) && !api.classes.containsKey(type)) {
                problems.add("uses " + simple(type) + ", which " + version + " does not have");
            }
        }
        for (Member m : usage.methods) {
            if (!inPackages(m.owner, packages) || !api.classes.containsKey(m.owner)) {
                continue;
            }
            Found f = api.method(m.owner, m.name, m.desc);
            if (f == Found.MISSING) {
                problems.add("uses " + method(m.owner, m.name, m.desc) + ", which " + version + " does not have");
            } else if (f != Found.UNKNOWN && f.isStatic() != m.isStatic) {
                problems.add("calls " + method(m.owner, m.name, m.desc) + " as " + (m.isStatic ? "static" : "an instance method")
                        + ", which it is not in " + version);
            }
        }
        for (Member m : usage.fields) {
            if (inPackages(m.owner, packages) && api.classes.containsKey(m.owner) && api.field(m.owner, m.name, m.desc) == Found.MISSING) {
                problems.add("uses field " + simple(m.owner) + "." + m.name + ", which " + version + " does not have");
            }
        }
        for (ClassInfo c : usage.classes.values()) {
            if ((c.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_INTERFACE)) != 0) {
                continue;
            }
            for (String type : supertypes(c, usage)) {
                if (!inPackages(type, packages) || !api.classes.containsKey(type)) {
                    continue;
                }
                for (String abstractMethod : api.abstractMethods(type)) {
                    if (!implemented(c, abstractMethod, usage, api)) {
                        int paren = abstractMethod.indexOf('(');
                        problems.add(simple(c.name) + " " + (api.classes.get(type).isInterface() ? "implements " : "extends ")
                                + simple(type) + ", whose " + method(type, abstractMethod.substring(0, paren),
                                        abstractMethod.substring(paren)) + " it does not implement (abstract in " + version + ")");
                    }
                }
            }
        }
        for (Lambda l : usage.lambdas) {
            if (!inPackages(l.iface(), packages) || !api.classes.containsKey(l.iface())) {
                continue;
            }
            for (String abstractMethod : api.abstractMethods(l.iface())) {
                if (!abstractMethod.equals(l.implemented())) {
                    int paren = abstractMethod.indexOf('(');
                    problems.add(simple(l.inClass()) + " implements " + simple(l.iface()) + " with a lambda, and "
                            + method(l.iface(), abstractMethod.substring(0, paren), abstractMethod.substring(paren))
                            + " is abstract in " + version + " too");
                }
            }
        }
        return new ArrayList<>(problems);
    }

    private static boolean inPackages(String type, Set<String> packages) {
        int slash = type.lastIndexOf('/');
        return slash > 0 && packages.contains(type.substring(0, slash));
    }

    /** @return the module types a consumer class extends or implements, directly or through its own superclasses */
    private static Set<String> supertypes(ClassInfo c, Usage usage) {
        Set<String> found = new LinkedHashSet<>();
        for (ClassInfo k = c; k != null; k = k.superName == null ? null : usage.classes.get(k.superName)) {
            if (k.superName != null && !usage.classes.containsKey(k.superName)) {
                found.add(k.superName);
            }
            found.addAll(List.of(k.interfaces));
        }
        return found;
    }

    /** @return whether the consumer class, its own superclasses or the module's classes above them implement the method */
    private static boolean implemented(ClassInfo c, String nameAndDesc, Usage usage, Api api) {
        String superName = null;
        for (ClassInfo k = c; k != null; k = usage.classes.get(superName)) {
            if (k.concrete.contains(nameAndDesc)) {
                return true;
            }
            superName = k.superName;
            if (superName == null) {
                return false;
            }
        }
        return api.concreteIn(superName, nameAndDesc);
    }

    private Api api(Artifact module) {
        return cached(apis, module, jar -> read(jar, new Api()));
    }

    private Usage usage(Artifact consumer) {
        return cached(usages, consumer, jar -> read(jar, new Usage()));
    }

    private <T> T cached(Map<String, T> cache, Artifact a, Function<Path, T> reader) {
        T t = cache.get(a.sha256());
        if (t == null) {
            t = reader.apply(jars.apply(a));
            if (cache.size() >= MAX_CACHED) {
                cache.clear(); // crude, but a release meets far fewer artifacts than this
            }
            cache.put(a.sha256(), t);
        }
        return t;
    }

    private static <T extends Reader> T read(Path jar, T into) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory() || !e.getName().endsWith(".class") || e.getName().startsWith("META-INF/")) {
                    continue;
                }
                try (InputStream in = zip.getInputStream(e)) {
                    new ClassReader(in.readAllBytes()).accept(into.visitor(), ClassReader.SKIP_FRAMES | ClassReader.SKIP_DEBUG);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the classes of " + jar.getFileName() + ": " + e, e);
        }
        return into;
    }

    private static String simple(String internalName) {
        return internalName.substring(internalName.lastIndexOf('/') + 1).replace('$', '.');
    }

    /** @return e.g. {@code Catalog.find(String)} */
    static String method(String owner, String name, String desc) {
        StringBuilder b = new StringBuilder(simple(owner)).append('.').append(name).append('(');
        Type[] args = Type.getArgumentTypes(desc);
        for (int i = 0; i < args.length; i++) {
            String t = args[i].getClassName();
            b.append(i == 0 ? "" : ", ").append(t.substring(t.lastIndexOf('.') + 1).replace('$', '.'));
        }
        return b.append(')').toString();
    }

    /** A member lookup's outcome. */
    private enum Found {
        STATIC, INSTANCE, MISSING, UNKNOWN;

        boolean isStatic() {
            return this == STATIC;
        }
    }

    /** Something that reads classes. */
    private abstract static class Reader {
        final Map<String, ClassInfo> classes = new HashMap<>();

        abstract ClassVisitor visitor();

        /** Visits one class, which it keeps in {@link #classes} as {@code c}. */
        abstract class Visitor extends ClassVisitor {
            ClassInfo c;

            Visitor() {
                super(Opcodes.ASM9);
            }

            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                c = new ClassInfo(name, access, superName, interfaces);
                classes.put(name, c);
            }
        }
    }

    /** One class: its supertypes, and its members as {@code name + descriptor} with their access flags. */
    private static final class ClassInfo {
        final String name;
        final int access;
        final String superName;
        final String[] interfaces;
        final Map<String, Integer> methods = new HashMap<>();
        final Map<String, Integer> fields = new HashMap<>();
        final Set<String> concrete = new HashSet<>();

        ClassInfo(String name, int access, String superName, String[] interfaces) {
            this.name = name;
            this.access = access;
            this.superName = superName;
            this.interfaces = interfaces == null ? new String[0] : interfaces;
        }

        boolean isInterface() {
            return (access & Opcodes.ACC_INTERFACE) != 0;
        }
    }

    /** What a module version offers: all its classes (the exported packages' supertypes may be private ones). */
    private static final class Api extends Reader {
        @Override
        ClassVisitor visitor() {
            return new Visitor() {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                    c.methods.put(name + descriptor, access);
                    if ((access & Opcodes.ACC_ABSTRACT) == 0) {
                        c.concrete.add(name + descriptor);
                    }
                    return null;
                }

                @Override
                public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                    c.fields.put(name + ":" + descriptor, access);
                    return null;
                }
            };
        }

        Found method(String owner, String name, String desc) {
            return find(owner, name + desc, true, new HashSet<>());
        }

        Found field(String owner, String name, String desc) {
            return find(owner, name + ":" + desc, false, new HashSet<>());
        }

        /** Looks the member up as the JVM does: the class, its superclasses, its interfaces. */
        private Found find(String owner, String key, boolean method, Set<String> seen) {
            if (owner == null || !seen.add(owner)) {
                return Found.MISSING;
            }
            ClassInfo c = classes.get(owner);
            if (c == null) {
                return Jdk.find(owner, key, method); // the JDK's (java.lang.Object, say) are known; another module's are not
            }
            Integer access = (method ? c.methods : c.fields).get(key);
            if (access != null) {
                if ((access & Opcodes.ACC_PRIVATE) != 0) {
                    return Found.MISSING;
                }
                return (access & Opcodes.ACC_STATIC) != 0 ? Found.STATIC : Found.INSTANCE;
            }
            boolean unknown = false;
            List<String> up = new ArrayList<>();
            if (c.superName != null) {
                up.add(c.superName);
            } else if (c.isInterface()) {
                up.add("java/lang/Object");
            }
            up.addAll(List.of(c.interfaces));
            for (String s : up) {
                Found f = find(s, key, method, seen);
                if (f == Found.STATIC || f == Found.INSTANCE) {
                    return f;
                }
                unknown |= f == Found.UNKNOWN;
            }
            return unknown ? Found.UNKNOWN : Found.MISSING;
        }

        /** @return the abstract methods (name + descriptor) a concrete subclass of the type must implement */
        Set<String> abstractMethods(String type) {
            Set<String> all = new LinkedHashSet<>();
            collectAbstract(type, all, new HashSet<>());
            all.removeIf(m -> concreteIn(type, m));
            return all;
        }

        private void collectAbstract(String type, Set<String> into, Set<String> seen) {
            ClassInfo c = classes.get(type);
            if (c == null || !seen.add(type)) {
                return;
            }
            c.methods.forEach((m, access) -> {
                if ((access & Opcodes.ACC_ABSTRACT) != 0) {
                    into.add(m);
                }
            });
            collectAbstract(c.superName, into, seen);
            for (String i : c.interfaces) {
                collectAbstract(i, into, seen);
            }
        }

        /** @return whether the type or a class or interface above it in the module has a body for the method */
        boolean concreteIn(String type, String nameAndDesc) {
            return concreteIn(type, nameAndDesc, new HashSet<>());
        }

        private boolean concreteIn(String type, String nameAndDesc, Set<String> seen) {
            ClassInfo c = type == null ? null : classes.get(type);
            if (c == null || !seen.add(type)) {
                return false;
            }
            if (c.concrete.contains(nameAndDesc)) {
                return true;
            }
            if (concreteIn(c.superName, nameAndDesc, seen)) {
                return true;
            }
            for (String i : c.interfaces) {
                if (concreteIn(i, nameAndDesc, seen)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Members of the JDK's classes, which modules extend and implement, from the running JVM. */
    private static final class Jdk {
        private static final Map<String, Map<String, Found>> MEMBERS = new ConcurrentHashMap<>();

        private Jdk() {
        }

        /** @return the member if the class is the JDK's, UNKNOWN if the class is nobody's we can read */
        static Found find(String owner, String key, boolean method) {
            if (!owner.startsWith("java/") && !owner.startsWith("javax/")) {
                return Found.UNKNOWN;
            }
            Map<String, Found> members = MEMBERS.computeIfAbsent(owner, Jdk::members);
            if (members.isEmpty()) {
                return Found.UNKNOWN;
            }
            Found f = members.get((method ? "m:" : "f:") + key);
            return f == null ? Found.MISSING : f;
        }

        /** @return every public or protected member of the class and its supertypes, by {@code m:name+desc} or {@code f:name:desc} */
        private static Map<String, Found> members(String owner) {
            Map<String, Found> members = new HashMap<>();
            Class<?> type;
            try {
                type = Class.forName(owner.replace('/', '.'), false, ClassLoader.getPlatformClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                return Map.of();
            }
            List<Class<?>> all = new ArrayList<>();
            for (Class<?> k = type; k != null; k = k.getSuperclass()) {
                all.add(k);
                interfaces(k, all);
            }
            if (type.isInterface()) {
                all.add(Object.class);
            }
            for (Class<?> k : all) {
                for (java.lang.reflect.Method m : k.getDeclaredMethods()) {
                    if ((m.getModifiers() & (java.lang.reflect.Modifier.PUBLIC | java.lang.reflect.Modifier.PROTECTED)) != 0) {
                        members.putIfAbsent("m:" + m.getName() + Type.getMethodDescriptor(m),
                                java.lang.reflect.Modifier.isStatic(m.getModifiers()) ? Found.STATIC : Found.INSTANCE);
                    }
                }
                for (java.lang.reflect.Field f : k.getDeclaredFields()) {
                    if ((f.getModifiers() & (java.lang.reflect.Modifier.PUBLIC | java.lang.reflect.Modifier.PROTECTED)) != 0) {
                        members.putIfAbsent("f:" + f.getName() + ":" + Type.getDescriptor(f.getType()),
                                java.lang.reflect.Modifier.isStatic(f.getModifiers()) ? Found.STATIC : Found.INSTANCE);
                    }
                }
            }
            return members;
        }

        private static void interfaces(Class<?> k, List<Class<?>> into) {
            for (Class<?> i : k.getInterfaces()) {
                into.add(i);
                interfaces(i, into);
            }
        }
    }

    /** A lambda or method reference in a consumer's class, implementing one method of an interface. */
    private record Lambda(String inClass, String iface, String implemented) {
    }

    /** One member a consumer refers to. */
    private record Member(String owner, String name, String desc, boolean isStatic) {
    }

    /** What a consumer's code refers to, and its own classes (for what they implement). */
    private static final class Usage extends Reader {
        final Set<String> types = new HashSet<>();
        final Set<Member> methods = new HashSet<>();
        final Set<Member> fields = new HashSet<>();
        /** Interfaces the consumer implements with lambdas or method references: each with the one method it implements. */
        final Set<Lambda> lambdas = new HashSet<>();

        @Override
        ClassVisitor visitor() {
            return new Visitor() {
                @Override
                public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                    super.visit(version, access, name, signature, superName, interfaces);
                    type(superName);
                    if (interfaces != null) {
                        for (String i : interfaces) {
                            type(i);
                        }
                    }
                }

                @Override
                public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                    descriptor(descriptor);
                    return null;
                }

                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                    if ((access & Opcodes.ACC_ABSTRACT) == 0) {
                        c.concrete.add(name + descriptor);
                    }
                    descriptor(descriptor);
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitMethodInsn(int opcode, String owner, String member, String desc, boolean itf) {
                            if (owner.startsWith("[")) {
                                return; // an array's clone()
                            }
                            methods.add(new Member(owner, member, desc, opcode == Opcodes.INVOKESTATIC));
                            type(owner);
                            descriptor(desc);
                        }

                        @Override
                        public void visitFieldInsn(int opcode, String owner, String member, String desc) {
                            fields.add(new Member(owner, member, desc, opcode == Opcodes.GETSTATIC || opcode == Opcodes.PUTSTATIC));
                            type(owner);
                        }

                        @Override
                        public void visitTypeInsn(int opcode, String type) {
                            type(type);
                        }

                        @Override
                        public void visitLdcInsn(Object value) {
                            if (value instanceof Type t && t.getSort() == Type.OBJECT) {
                                type(t.getInternalName());
                            } else if (value instanceof Handle h) {
                                handle(h);
                            }
                        }

                        @Override
                        public void visitInvokeDynamicInsn(String name, String desc, Handle bootstrap, Object... args) {
                            for (Object arg : args) {
                                if (arg instanceof Handle h) {
                                    handle(h);
                                }
                            }
                            Type made = Type.getReturnType(desc);
                            if (bootstrap.getOwner().equals("java/lang/invoke/LambdaMetafactory") && made.getSort() == Type.OBJECT
                                    && args.length > 0 && args[0] instanceof Type sam) {
                                // a lambda or method reference: a class implementing this interface's one abstract method
                                lambdas.add(new Lambda(c.name, made.getInternalName(), name + sam.getDescriptor()));
                                type(made.getInternalName());
                            }
                        }
                    };
                }

                private void handle(Handle h) {
                    if (h.getTag() <= Opcodes.H_PUTSTATIC) {
                        fields.add(new Member(h.getOwner(), h.getName(), h.getDesc(),
                                h.getTag() == Opcodes.H_GETSTATIC || h.getTag() == Opcodes.H_PUTSTATIC));
                    } else if (!h.getOwner().startsWith("[")) {
                        methods.add(new Member(h.getOwner(), h.getName(), h.getDesc(), h.getTag() == Opcodes.H_INVOKESTATIC));
                    }
                    type(h.getOwner());
                }

                private void descriptor(String desc) {
                    Type t = Type.getType(desc);
                    if (t.getSort() == Type.METHOD) {
                        for (Type a : t.getArgumentTypes()) {
                            type(a);
                        }
                        type(t.getReturnType());
                    } else {
                        type(t);
                    }
                }

                private void type(Type t) {
                    Type e = t.getSort() == Type.ARRAY ? t.getElementType() : t;
                    if (e.getSort() == Type.OBJECT) {
                        types.add(e.getInternalName());
                    }
                }

                private void type(String internalName) {
                    if (internalName == null) {
                        return;
                    }
                    if (internalName.startsWith("[")) {
                        type(Type.getType(internalName));
                    } else {
                        types.add(internalName);
                    }
                }
            };
        }
    }
}
