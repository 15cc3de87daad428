package dev.mosaic.deployer.internal.checks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.Import;

/**
 * What tenant bundles may use, as data: the packages they may import besides the shared
 * modules of their environment, the JDK APIs they may not call, and per-bundle exemptions.
 * Read from the operator's file (or the built-in default) at every deploy, so a change to
 * it applies to the next deploy without a restart. Only someone who can write the file
 * (the operator) can change it: the management API cannot.
 *
 * <p>This is defence in depth against mistakes and careless code, not a sandbox.
 */
public final class Policy {

    /** A forbidden use: any member of the classes, or only the named methods. */
    public record Rule(String category, Set<String> internalNames, Set<String> methods) {
        /** A rule naming methods matches calls of those methods only; a rule without, any use of the classes. */
        public boolean matches(String owner, String member) {
            return internalNames.contains(owner) && (methods.isEmpty() || (member != null && methods.contains(member)));
        }
    }

    public final String source;
    private final List<String> allowedImports;
    public final List<Rule> forbidden;
    private final Map<String, Set<String>> exemptions;

    private Policy(String source, List<String> allowedImports, List<Rule> forbidden, Map<String, Set<String>> exemptions) {
        this.source = source;
        this.allowedImports = allowedImports;
        this.forbidden = forbidden;
        this.exemptions = exemptions;
    }

    /**
     * @param file the operator's policy, or null
     * @return the operator's policy if the file exists, else the built-in default
     * @throws DeployException if the operator's file is malformed: no deploy happens with an unreadable policy
     */
    public static Policy load(Path file, ObjectMapper mapper) throws DeployException {
        try {
            if (file != null && Files.exists(file)) {
                return parse(mapper.readTree(file.toFile()), file.toString());
            }
            try (InputStream in = Policy.class.getResourceAsStream("default-policy.json")) {
                return parse(mapper.readTree(in), "the built-in default policy");
            }
        } catch (IOException | RuntimeException e) {
            throw new DeployException(DeployException.INTERNAL, "the deploy policy " + file + " cannot be read ("
                    + e.getMessage() + "); fix it: no deploy is accepted without a policy", e);
        }
    }

    private static Policy parse(JsonNode root, String source) {
        List<String> allowed = new ArrayList<>();
        root.path("allowedImports").forEach(n -> allowed.add(n.asText()));
        List<Rule> rules = new ArrayList<>();
        for (JsonNode r : root.path("forbidden")) {
            Set<String> classes = new TreeSet<>();
            r.path("classes").forEach(c -> classes.add(c.asText().replace('.', '/')));
            Set<String> methods = new TreeSet<>();
            r.path("methods").forEach(m -> methods.add(m.asText()));
            if (classes.isEmpty()) {
                throw new IllegalArgumentException("a forbidden rule without classes: " + r);
            }
            rules.add(new Rule(r.path("category").asText("forbidden"), classes, methods));
        }
        Map<String, Set<String>> exemptions = new java.util.TreeMap<>();
        root.path("exemptions").fields().forEachRemaining(e -> {
            Set<String> what = new TreeSet<>();
            e.getValue().forEach(v -> what.add(v.asText()));
            exemptions.put(e.getKey(), what);
        });
        return new Policy(source, List.copyOf(allowed), List.copyOf(rules), Map.copyOf(exemptions));
    }

    public boolean exempt(String bundle, String category) {
        return exemptions.getOrDefault(bundle, Set.of()).contains(category);
    }

    /**
     * Refuses imports of platform packages that are not on the allow-list (nor exempted for
     * this bundle with {@code import:<pattern>}). Shared modules' packages are always allowed;
     * a package nobody provides is not a policy matter but a resolution failure, reported as such.
     *
     * @param modulePackages packages exported by shared modules of the environment
     * @param platformPackages packages exported by the platform's bundles (and the JDK beyond java.*)
     */
    public void checkImports(Artifact a, Set<String> modulePackages, Set<String> ownExports, Set<String> platformPackages)
            throws DeployException {
        List<String> refused = new ArrayList<>();
        for (Import i : a.imports()) {
            String pkg = i.pkg();
            if (!platformPackages.contains(pkg) || modulePackages.contains(pkg) || ownExports.contains(pkg)
                    || matchesAny(pkg, allowedImports)
                    || exemptions.getOrDefault(a.name(), Set.of()).stream()
                            .anyMatch(x -> x.startsWith("import:") && matches(pkg, x.substring("import:".length())))) {
                continue;
            }
            refused.add(pkg + " " + i.range());
        }
        if (!refused.isEmpty()) {
            throw new DeployException(DeployException.POLICY_VIOLATION, a.name() + " " + a.version() + " imports "
                    + String.join(", ", refused) + " from the platform, which tenant bundles may not use. They may import"
                    + " the shared modules of their environment and, of the platform, " + String.join(", ", allowedImports)
                    + ". An operator can exempt a bundle in " + source);
        }
    }

    private static boolean matchesAny(String pkg, List<String> patterns) {
        return patterns.stream().anyMatch(p -> matches(pkg, p));
    }

    public static boolean matches(String pkg, String pattern) {
        if (pattern.endsWith(".*")) {
            String base = pattern.substring(0, pattern.length() - 2);
            return pkg.equals(base) || pkg.startsWith(base + ".");
        }
        return pkg.equals(pattern);
    }
}
