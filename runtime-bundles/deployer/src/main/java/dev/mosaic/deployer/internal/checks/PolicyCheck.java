package dev.mosaic.deployer.internal.checks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.Import;

/**
 * What the policy says of a bundle, all of it at once: its imports and its code, each finding
 * refused or reported by the bundle's kind (see {@link Policy}), and which optional imports it
 * may not have (they stay unwired rather than refuse the bundle).
 */
public final class PolicyCheck {

    /**
     * @param refused findings that refuse the deploy
     * @param reported findings that do not, kept with the deployment
     * @param unwired packages the bundle imports optionally and may not have: the framework leaves them unwired
     */
    public record Verdict(List<Finding> refused, List<Finding> reported, Set<String> unwired) {

        /** @return whether the deploy may go on */
        public boolean allowed() {
            return refused.isEmpty();
        }

        /** @return the reported findings in words, as kept with the deployment */
        public List<String> reportedTexts() {
            return reported.stream().map(Finding::text).toList();
        }
    }

    private static final int MAX_SHOWN = 10;

    private PolicyCheck() {
    }

    /**
     * @param modulePackages packages exported by shared modules of the environment
     * @param platformPackages packages exported by the platform's bundles (the system bundle's JDK packages among them)
     */
    public static Verdict check(Path jar, Artifact a, Policy policy, Set<String> modulePackages, Set<String> platformPackages)
            throws DeployException {
        List<Finding> refused = new ArrayList<>();
        List<Finding> reported = new ArrayList<>();
        Set<String> unwired = new TreeSet<>();
        Set<String> own = new TreeSet<>();
        a.exports().forEach(e -> own.add(e.pkg()));
        for (Import i : a.imports()) {
            String pkg = i.pkg();
            boolean fromPlatform = platformPackages.contains(pkg) || Policy.isJdkPackage(pkg);
            if (!fromPlatform || modulePackages.contains(pkg) || own.contains(pkg) || policy.allowsPlatformImport(a.name(), pkg)) {
                continue; // a module's, its own, allowed, or nobody's (then resolution says so)
            }
            String what = Policy.isJdkPackage(pkg) ? " from the JDK, which the policy keeps from tenant bundles"
                    : " from the platform, which tenant bundles may not use";
            if (i.optional()) {
                unwired.add(pkg);
                reported.add(new Finding("import", "import: " + a.name() + " " + a.version() + " optionally imports " + pkg
                        + what + "; it stays unwired", "import:" + pkg));
            } else {
                refused.add(new Finding("import", "import: " + a.name() + " " + a.version() + " imports " + i + what,
                        "import:" + pkg));
            }
        }
        for (Finding f : BytecodeScanner.scan(jar, a, policy)) {
            (policy.action(a.kind(), a.name(), f.category()) == Policy.Action.REFUSE ? refused : reported).add(f);
        }
        return new Verdict(List.copyOf(refused), List.copyOf(reported), Set.copyOf(unwired));
    }

    /** @return the refusal of a verdict with refused findings: every finding, and the exemption that would allow it */
    public static DeployException refusal(Artifact a, Policy policy, Verdict v) {
        List<String> shown = v.refused().stream().map(Finding::text).limit(MAX_SHOWN).toList();
        Set<String> exemptions = v.refused().stream().map(Finding::exemption).collect(Collectors.toCollection(TreeSet::new));
        boolean adapter = a.kind() == Kind.ADAPTER;
        StringBuilder b = new StringBuilder(a.name()).append(' ').append(a.version())
                .append(adapter ? " (an adapter)" : " (a shared module)")
                .append(" uses what the deploy policy does not allow ").append(adapter ? "adapters" : "shared modules").append(": ")
                .append(String.join("; ", shown));
        if (v.refused().size() > MAX_SHOWN) {
            b.append("; and ").append(v.refused().size() - MAX_SHOWN).append(" more");
        }
        if (!v.reported().isEmpty()) {
            b.append(". Also found, not refused: ").append(v.reported().size()).append(" finding(s)");
        }
        if (v.refused().stream().anyMatch(f -> f.category().equals("import"))) {
            b.append(". Tenant bundles may import the shared modules of their environment, the JDK's packages but ")
                    .append(String.join(", ", policy.deniedJdkImports())).append(", and of the platform ")
                    .append(String.join(", ", policy.allowedImports()));
        }
        b.append(adapter ? ". Adapters reach other services through the platform's client and shared modules, not directly"
                : ". A shared module reaches other services only through the platform, not directly");
        b.append(". To allow this bundle anyway, an operator adds to the \"exemptions\" of ")
                .append(policy.source).append(": \"").append(a.name()).append("\": [")
                .append(exemptions.stream().map(e -> "\"" + e + "\"").collect(Collectors.joining(", "))).append("]");
        return new DeployException(DeployException.POLICY_VIOLATION, b.toString());
    }
}
