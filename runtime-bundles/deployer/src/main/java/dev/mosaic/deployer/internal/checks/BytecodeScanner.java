package dev.mosaic.deployer.internal.checks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.internal.model.Model.Artifact;

/**
 * Reads every class of a bundle and refuses the bundle if its code uses an API the policy
 * forbids, naming the class and method where it does: constructing or calling into the
 * classes of a rule, method references to them, and classes extending them. Code that
 * reaches such APIs only through reflection by name is not seen: the scan is a safeguard,
 * not a sandbox.
 */
public final class BytecodeScanner {

    private BytecodeScanner() {
    }

    /**
     * @return what the bundle's code uses of the policy's rules, exempted categories left out,
     *         each once, in the order found
     * @throws DeployException if a class cannot be read
     */
    public static List<Finding> scan(Path jar, Artifact artifact, Policy policy) throws DeployException {
        Map<String, Finding> findings = new LinkedHashMap<>();
        Set<String> own = new HashSet<>();
        Map<String, String> referenced = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory() || !e.getName().endsWith(".class")) {
                    continue;
                }
                byte[] bytes;
                try (InputStream in = zip.getInputStream(e)) {
                    bytes = in.readAllBytes();
                }
                try {
                    own.add(scan(bytes, artifact.name(), policy, findings, referenced));
                } catch (RuntimeException malformed) {
                    throw new DeployException(DeployException.INVALID_BUNDLE, artifact.name() + " " + artifact.version()
                            + " holds " + e.getName() + ", which is not a valid class file (" + malformed + ")");
                }
            }
        } catch (IOException e) {
            throw new DeployException(DeployException.INVALID_BUNDLE, "cannot read the classes of " + artifact.name() + ": "
                    + e.getMessage());
        }
        missing(artifact, own, referenced);
        return new ArrayList<>(findings.values());
    }

    /**
     * Refuses a bundle whose code refers to classes of its own packages that it does not hold: they would fail with
     * NoClassDefFoundError when that code runs (a build caught halfway, a class left out of the jar). Packages it
     * imports are left out: their classes come from elsewhere.
     */
    private static void missing(Artifact artifact, Set<String> own, Map<String, String> referenced) throws DeployException {
        Set<String> packages = new HashSet<>();
        for (String c : own) {
            packages.add(packageOf(c));
        }
        for (var i : artifact.imports()) {
            packages.remove(i.pkg().replace('.', '/'));
        }
        List<String> missing = new ArrayList<>();
        referenced.forEach((type, where) -> {
            if (!own.contains(type) && packages.contains(packageOf(type))) {
                missing.add(type.replace('/', '.') + " (used in " + where + ")");
            }
        });
        if (!missing.isEmpty()) {
            throw new DeployException(DeployException.INVALID_BUNDLE, artifact.name() + " " + artifact.version() + " does not"
                    + " hold classes its own code uses, which would fail with NoClassDefFoundError: " + String.join(", ",
                            missing.subList(0, Math.min(5, missing.size()))) + (missing.size() > 5 ? " and " + (missing.size() - 5)
                                    + " more" : "") + ". Was it built whole? Build it again (mvn package) and deploy that jar");
        }
    }

    private static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash);
    }

    /** @return the class's internal name */
    private static String scan(byte[] classFile, String bundle, Policy policy, Map<String, Finding> findings,
            Map<String, String> referenced) {
        ClassReader reader = new ClassReader(classFile);
        String className = reader.getClassName().replace('/', '.');
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                check(superName, null, className, "(class declaration)", "extends ");
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                String where = name;
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String member, String desc, boolean itf) {
                        check(owner, member, className, where, "calls ");
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        if (opcode == Opcodes.NEW) {
                            check(type, null, className, where, "creates ");
                        }
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String member, String desc) {
                        check(owner, member, className, where, "uses ");
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String name, String desc, Handle bootstrap, Object... args) {
                        for (Object arg : args) {
                            if (arg instanceof Handle h) {
                                check(h.getOwner(), h.getName(), className, where, "refers to ");
                            }
                        }
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        if (value instanceof Handle h) {
                            check(h.getOwner(), h.getName(), className, where, "refers to ");
                        } else if (value instanceof Type t && t.getSort() == Type.OBJECT) {
                            check(t.getInternalName(), null, className, where, "refers to ");
                        }
                    }
                };
            }

            private void check(String owner, String member, String inClass, String inMethod, String verb) {
                if (owner == null) {
                    return;
                }
                if (owner.charAt(0) != '[') {
                    referenced.putIfAbsent(owner, inClass + "." + inMethod);
                }
                for (Policy.Rule rule : policy.forbidden) {
                    if (rule.matches(owner, member) && !policy.exempt(bundle, rule.category())) {
                        String text = rule.category() + ": " + inClass + "." + inMethod + " " + verb
                                + owner.replace('/', '.') + (member == null ? "" : "." + member);
                        findings.putIfAbsent(text, new Finding(rule.category(), text, rule.category()));
                    }
                }
            }
        }, ClassReader.SKIP_FRAMES);
        return reader.getClassName();
    }
}
