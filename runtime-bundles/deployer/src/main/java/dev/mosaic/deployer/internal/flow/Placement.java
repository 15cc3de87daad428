package dev.mosaic.deployer.internal.flow;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.internal.checks.ArtifactReader;
import dev.mosaic.deployer.internal.checks.PolicyCheck;
import dev.mosaic.deployer.internal.model.Fit;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.Durations;
import dev.mosaic.deployer.internal.model.Model;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Registry.Unit;
import dev.mosaic.deployer.internal.plan.Planner;

/** The steps an adapter deploy and a module release share when they put an artifact in an environment. */
final class Placement {

    private Placement() {
    }

    /**
     * @param owner the owner given at deploy, or null
     * @return the artifact, naming that owner if it names none
     * @throws DeployException if it names another: the bundle's own word stands
     */
    static Artifact owned(Artifact a, String owner) throws DeployException {
        if (owner == null || owner.isBlank()) {
            return a;
        }
        String own = a.metadata().get(ArtifactReader.OWNER);
        if (own != null) {
            if (own.equals(owner.trim())) {
                return a;
            }
            throw new DeployException(DeployException.INVALID_ARGUMENT, a.name() + " " + a.version() + " names its owner ("
                    + ArtifactReader.OWNER + ": " + own + "); --owner is for bundles that name none");
        }
        if (owner.length() > 200 || owner.chars().anyMatch(Character::isISOControl)) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "an owner is a team or an address of at most 200"
                    + " characters, without control characters");
        }
        java.util.Map<String, String> metadata = new java.util.TreeMap<>(a.metadata());
        metadata.put(ArtifactReader.OWNER, owner.trim());
        return new Artifact(a.name(), a.version(), a.kind(), a.sha256(), a.size(), a.manualUptake(), a.exports(), a.imports(),
                java.util.Map.copyOf(metadata));
    }

    /** A name is either an adapter or a module in an environment, never both. */
    static void checkKind(Registry target, String env, Artifact a) throws DeployException {
        List<Unit> sameName = target.named(env, a.name());
        if (sameName.stream().anyMatch(u -> (u.kind == Kind.ADAPTER) != (a.kind() == Kind.ADAPTER))) {
            throw new DeployException(DeployException.CONFLICT, a.name() + " is deployed as " + (a.kind() == Kind.ADAPTER
                    ? "a shared module" : "an adapter") + " in " + env + "; a name is either an adapter or a module");
        }
    }

    /**
     * @param problems for a dry run, where an unresolvable import is reported; null to refuse
     * @param fit whether the artifact's code runs on a module version: the newest one it does is chosen
     * @return the module versions the artifact's imports are bound to in the target
     */
    static Map<String, String> bind(Registry target, String env, Artifact a, List<String> problems, Fit fit)
            throws DeployException {
        try {
            return Planner.bind(target, env, a, Map.of(), false, null, fit, null);
        } catch (Planner.Unresolvable u) {
            if (problems == null) {
                throw new DeployException(DeployException.UNRESOLVABLE, u.getMessage());
            }
            problems.add(u.getMessage());
            return Map.of();
        }
    }

    /**
     * When a deployment expires, and what its summary says of that.
     *
     * @param at the instant, null when it does not expire
     * @param untaken what is said of the artifact's {@code Mosaic-TTL} when it was not taken, or nothing
     */
    record Expiry(String at, String untaken) {

        /** @return the expiry as a summary ends with it: {@code "; expires ..."}, the untaken header, or nothing */
        String summary() {
            return (at == null ? "" : "; expires " + at) + untaken;
        }
    }

    /**
     * When a deployment of this artifact in this environment expires: the option, else the header, else the environment's
     * default. In an environment whose deployments never expire by default (prod, unless {@code mosaic.ttl.default.prod}
     * says otherwise) the header is not taken: a jar's {@code Mosaic-TTL} is written for the environments where builds come
     * and go, and the same jar promoted to prod must not vanish from it hours later. Only the option ends one there, and
     * the summary of a deploy, promote, release, canary or rollback (dry runs included) says the header was not taken.
     */
    static Expiry expiry(Context ctx, Artifact a, String env, String option) throws DeployException {
        Duration ttl;
        String untaken = "";
        String text = a.metadata().get(ArtifactReader.TTL);
        if (option != null) {
            ttl = Durations.parse(option, "TTL");
        } else if (text != null) {
            // checked wherever it goes; null when it says none
            Duration header = Durations.parse(text, ArtifactReader.TTL + " of " + a.name() + " " + a.version());
            ttl = ctx.settings().defaultTtl(env) == null ? null : header;
            if (ttl == null && header != null) {
                untaken = "; its " + ArtifactReader.TTL + " (" + text.trim() + ") is not applied in " + env
                        + ", where deployments do not expire unless --ttl gives one an end";
            }
        } else {
            ttl = ctx.settings().defaultTtl(env);
        }
        return new Expiry(ttl == null ? null : ctx.instant().plus(ttl).toString(), untaken);
    }

    /** What the policy said of the artifact goes with its unit and the event putting it in place. */
    static void admitted(Unit unit, Event event, PolicyCheck.Verdict verdict) {
        unit.findings = verdict.reportedTexts();
        unit.unwired = verdict.unwired();
        event.findings = unit.findings.isEmpty() ? null : unit.findings;
        event.unwired = unit.unwired.isEmpty() ? null : new java.util.ArrayList<>(new java.util.TreeSet<>(unit.unwired));
    }

    /** For a dry run: required imports that neither a module of the environment nor the platform provides. */
    static List<String> platformGaps(Context ctx, Registry target, String env, Artifact a) {
        Map<String, String> owners = Planner.owners(target, env);
        Map<String, String> platform = ctx.platform().get();
        List<String> gaps = new ArrayList<>();
        for (Model.Import i : a.imports()) {
            if (!i.optional() && !owners.containsKey(i.pkg()) && !platform.containsKey(i.pkg())) {
                gaps.add(a.name() + " " + a.version() + " imports package " + i
                        + ", which no module in " + env + " and no platform bundle exports");
            }
        }
        return gaps;
    }
}
