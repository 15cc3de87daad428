package dev.mosaic.deployer.internal.checks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Kind;

/**
 * What tenant bundles may use, as data: the packages they may import besides the shared
 * modules of their environment, the JDK APIs they may not call, what a finding does for each
 * kind of bundle (refuse the deploy, or report it), and per-bundle exemptions. Read from the
 * operator's file, laid over the built-in default (what the file names replaces the default's,
 * what it leaves out stays), at every deploy, so a change to it applies to the
 * next deploy without a restart. Only someone who can write the file (the operator) can
 * change it: the management API cannot.
 *
 * <p>Profiles per kind: adapters are the platform's tenants' own code and get the strict rules
 * (every finding refuses); shared modules are often libraries from elsewhere (commons-lang3,
 * gson), which reflect for a living, so for them reflection is reported, not refused.
 * Network, processes and {@code System.exit} are refused for every kind: the platform's
 * client is the only egress, and only a per-bundle exemption lets a library have them. The
 * operator can tighten any category to {@code refuse}, per kind ({@code "actions"}) or per
 * bundle ({@code "bundleActions"}); a policy file without these keeps working with the defaults.
 *
 * <p>Packages of the running JDK ({@code javax.xml.*}, {@code org.w3c.dom}, ...) may be
 * imported, except {@code deniedJdkImports} (by default naming and directory access, raw
 * sockets and TLS factories, JMX, scripting, RMI, and the JDK's internals).
 *
 * <p>This is defence in depth against mistakes and careless code, not a sandbox.
 */
public final class Policy {

    /** What a finding of a category does to a deploy. */
    public enum Action {
        REFUSE, REPORT
    }

    /** Categories no kind-wide setting may loosen: only a per-bundle exemption does. */
    public static final Set<String> ALWAYS_REFUSED = Set.of("network", "process", "exit");

    /** A forbidden use: any member of the classes, or only the named methods. */
    public record Rule(String category, Set<String> internalNames, Set<String> methods) {
        /** A rule naming methods matches calls of those methods only; a rule without, any use of the classes. */
        public boolean matches(String owner, String member) {
            return internalNames.contains(owner) && (methods.isEmpty() || (member != null && methods.contains(member)));
        }
    }

    private static final List<String> DEFAULT_DENIED_JDK = List.of("javax.naming.*", "javax.net.*", "javax.management.*",
            "javax.script.*", "java.rmi.*", "javax.rmi.*", "sun.*", "com.sun.*", "jdk.*");
    private static volatile Set<String> jdkPackages;

    /** Where the policy came from, for messages: the operator's file, or the built-in default. */
    public final String source;
    /** The file an operator edits to change it (whether it exists yet or not). */
    public final Path file;
    private final List<String> allowedImports;
    private final List<String> deniedJdkImports;
    public final List<Rule> forbidden;
    private final Map<Kind, Map<String, Action>> actions;
    private final Map<String, Map<String, Action>> bundleActions;
    private final Map<String, Set<String>> exemptions;

    private Policy(String source, Path file, List<String> allowedImports, List<String> deniedJdkImports, List<Rule> forbidden,
            Map<Kind, Map<String, Action>> actions, Map<String, Map<String, Action>> bundleActions,
            Map<String, Set<String>> exemptions) {
        this.source = source;
        this.file = file;
        this.allowedImports = allowedImports;
        this.deniedJdkImports = deniedJdkImports;
        this.forbidden = forbidden;
        this.actions = actions;
        this.bundleActions = bundleActions;
        this.exemptions = exemptions;
    }

    /**
     * @param file the operator's policy
     * @return the operator's policy if the file exists, else the built-in default
     * @throws DeployException if the operator's file is malformed: no deploy happens with an unreadable policy
     */
    public static Policy load(Path file, ObjectMapper mapper) throws DeployException {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode policy;
            try (InputStream in = Policy.class.getResourceAsStream("default-policy.json")) {
                policy = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(in);
            }
            if (file != null && Files.exists(file)) {
                // the operator's file over the default: what it says replaces the default's, what it leaves out is kept
                JsonNode own = mapper.readTree(file.toFile());
                if (own == null || !own.isObject()) {
                    throw new IllegalArgumentException("it must hold a JSON object");
                }
                policy.setAll((com.fasterxml.jackson.databind.node.ObjectNode) own);
                return parse(policy, file.toString(), file);
            }
            return parse(policy, "the built-in default policy (write " + file + " to change it)", file);
        } catch (IOException | RuntimeException e) {
            throw new DeployException(DeployException.INTERNAL, "the deploy policy " + file + " cannot be read ("
                    + e.getMessage() + "); fix it: no deploy is accepted without a policy", e);
        }
    }

    private static Policy parse(JsonNode root, String source, Path file) {
        List<String> allowed = new ArrayList<>();
        root.path("allowedImports").forEach(n -> allowed.add(n.asText()));
        List<String> denied = new ArrayList<>();
        root.path("deniedJdkImports").forEach(n -> denied.add(n.asText()));
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
        Map<Kind, Map<String, Action>> actions = new EnumMap<>(Kind.class);
        actions.put(Kind.ADAPTER, Map.of());
        actions.put(Kind.MODULE, Map.of("reflection", Action.REPORT));
        root.path("actions").fields().forEachRemaining(e -> {
            Kind kind = Kind.parse(e.getKey());
            Map<String, Action> forKind = new TreeMap<>(actions.get(kind));
            forKind.putAll(actions(e.getValue(), "actions." + e.getKey()));
            actions.put(kind, Map.copyOf(forKind));
        });
        Map<String, Map<String, Action>> bundleActions = new TreeMap<>();
        root.path("bundleActions").fields().forEachRemaining(e -> bundleActions.put(e.getKey(),
                actions(e.getValue(), "bundleActions." + e.getKey())));
        Map<String, Set<String>> exemptions = new TreeMap<>();
        root.path("exemptions").fields().forEachRemaining(e -> {
            Set<String> what = new TreeSet<>();
            e.getValue().forEach(v -> what.add(v.asText()));
            exemptions.put(e.getKey(), what);
        });
        return new Policy(source, file, List.copyOf(allowed), root.has("deniedJdkImports") ? List.copyOf(denied)
                : DEFAULT_DENIED_JDK, List.copyOf(rules), Map.copyOf(actions), Map.copyOf(bundleActions), Map.copyOf(exemptions));
    }

    private static Map<String, Action> actions(JsonNode node, String where) {
        Map<String, Action> m = new TreeMap<>();
        node.fields().forEachRemaining(e -> {
            Action a;
            try {
                a = Action.valueOf(e.getValue().asText().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException(where + "." + e.getKey() + " must be refuse or report, not '"
                        + e.getValue().asText() + "'");
            }
            if (a == Action.REPORT && ALWAYS_REFUSED.contains(e.getKey())) {
                throw new IllegalArgumentException(where + "." + e.getKey() + " cannot be report: " + e.getKey()
                        + " is refused for every bundle but those exempted by name in \"exemptions\"");
            }
            m.put(e.getKey(), a);
        });
        return Map.copyOf(m);
    }

    /** @return whether the bundle is exempted from a category ({@code network}, {@code import:javax.script}, ...) */
    public boolean exempt(String bundle, String category) {
        return exemptions.getOrDefault(bundle, Set.of()).contains(category);
    }

    /** @return what a finding of the category does for this bundle of this kind */
    public Action action(Kind kind, String bundle, String category) {
        Action perBundle = bundleActions.getOrDefault(bundle, Map.of()).get(category);
        if (perBundle != null) {
            return perBundle;
        }
        return ALWAYS_REFUSED.contains(category) ? Action.REFUSE
                : actions.getOrDefault(kind, Map.of()).getOrDefault(category, Action.REFUSE);
    }

    /** @return whether a tenant may import the package from the platform (the allow-list, or the JDK less its deny list) */
    public boolean allowsPlatformImport(String bundle, String pkg) {
        if (matchesAny(pkg, allowedImports) || exemptions.getOrDefault(bundle, Set.of()).stream()
                .anyMatch(x -> x.startsWith("import:") && matches(pkg, x.substring("import:".length())))) {
            return true;
        }
        return isJdkPackage(pkg) && !matchesAny(pkg, deniedJdkImports);
    }

    /** @return the allow-list, for messages */
    public List<String> allowedImports() {
        return allowedImports;
    }

    /** @return the JDK packages no tenant imports unless exempted, for messages */
    public List<String> deniedJdkImports() {
        return deniedJdkImports;
    }

    /** @return whether a module of the running JDK has the package ({@code javax.xml.parsers}, {@code org.w3c.dom}...) */
    public static boolean isJdkPackage(String pkg) {
        Set<String> known = jdkPackages;
        if (known == null) {
            Set<String> all = new HashSet<>();
            for (Module m : ModuleLayer.boot().modules()) {
                all.addAll(m.getPackages());
            }
            jdkPackages = known = Set.copyOf(all);
        }
        return known.contains(pkg);
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
