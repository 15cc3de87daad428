package dev.mosaic.deployer.internal.flow;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.PolicyReport;
import dev.mosaic.deployer.Suggestions;
import dev.mosaic.deployer.internal.checks.Names;
import dev.mosaic.deployer.internal.checks.PolicyCheck;
import dev.mosaic.deployer.Durations;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Registry.Unit;

/**
 * Where an artifact enters: a {@code deploy} of uploaded bytes (read, checked, then handed
 * to the {@link AdapterFlow} or, for a module version, to the {@link ReleaseFlow}), and a
 * {@code promote} of an artifact already deployed in another environment.
 */
final class Deploys {

    private final Context ctx;
    private final Intake intake;
    private final AdapterFlow adapters;
    private final ReleaseFlow releases;
    private final CanaryFlow canaries;

    Deploys(Context ctx, Intake intake, AdapterFlow adapters, ReleaseFlow releases, CanaryFlow canaries) {
        this.ctx = ctx;
        this.intake = intake;
        this.adapters = adapters;
        this.releases = releases;
        this.canaries = canaries;
    }

    /** An adapter version read and checked as a deploy's, then put next to the serving one as a canary. */
    DeployResult canary(InputStream jar, DeployOptions options, int percent, String sticky,
            dev.mosaic.deployer.Judgement judgement, java.util.List<String> waves) throws DeployException {
        CanaryFlow.checkJudgement(judgement); // before the upload is read
        canaries.checkWaves(waves, judgement);
        return received(jar, options, (env, a, bytes, checked, start) -> waves != null && a.kind() == Kind.MODULE
                ? releases.release(env, a, bytes, options, Operation.RELEASE, null, checked.violations(), checked.verdict(),
                        start, waves, judgement)
                : canaries.place(env, a, bytes, options, percent, sticky, judgement, waves, checked.violations(),
                        checked.verdict(), start));
    }

    DeployResult deploy(InputStream jar, DeployOptions options) throws DeployException {
        return received(jar, options, (env, a, bytes, checked, start) -> a.kind() == Kind.ADAPTER
                ? adapters.place(env, a, bytes, options, Operation.DEPLOY, null, checked.violations(), checked.verdict(), start)
                : releases.release(env, a, bytes, options, Operation.RELEASE, null, checked.violations(), checked.verdict(),
                        start));
    }

    /** Where an uploaded artifact goes once read and checked, with changes held off. */
    @FunctionalInterface
    private interface Placing {
        DeployResult place(String env, Artifact a, Path bytes, Intake.Checked checked, long start) throws DeployException;
    }

    /** Receives the upload, then (changes held off) checks it and places it; the upload is discarded after. */
    private DeployResult received(InputStream jar, DeployOptions options, Placing placing) throws DeployException {
        long start = System.nanoTime();
        String env = Names.environment(options.environment());
        if (options.ttl() != null) {
            Durations.parse(options.ttl(), "TTL");
        }
        Path upload = intake.receive(jar);
        try {
            return ctx.changes().run(() -> {
                Intake.Checked checked = intake.check(upload, env, options.dryRun());
                Artifact a = Placement.owned(checked.artifact(), options.owner());
                String fresh = newEnvironment(env);
                return noted(placing.place(env, a, checked.stored() ? null : upload, checked, start), fresh);
            });
        } finally {
            ctx.store().discard(upload);
        }
    }

    /** What the policy says of an upload in an environment; nothing is stored, planned or changed. */
    PolicyReport check(InputStream jar, String environment) throws DeployException {
        String env = Names.environment(environment);
        Path upload = intake.receive(jar);
        try {
            return intake.report(upload, env);
        } finally {
            ctx.store().discard(upload);
        }
    }

    DeployResult promote(String name, String version, String fromEnvironment, String toEnvironment, String actor,
            boolean dryRun) throws DeployException {
        long start = System.nanoTime();
        String from = Names.environment(fromEnvironment);
        String to = Names.environment(toEnvironment);
        Names.name(name);
        if (from.equals(to)) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, "promote needs two different environments; got " + from + " twice");
        }
        return ctx.changes().run(() -> {
            Artifact a = ctx.state().ask(registry -> {
                if (registry.units(from).isEmpty()) {
                    throw new DeployException(DeployException.NOT_FOUND, "nothing is deployed in environment '" + from
                            + "' to promote from" + Suggestions.didYouMean(from, registry.environments())
                            + "; environments with deployments: " + String.join(", ", registry.environments()));
                }
                Unit unit = Lookup.find(registry, from, name, version, "to promote");
                return registry.artifact(unit.key);
            });
            if (dev.mosaic.deployer.internal.checks.ArtifactReader.devBuild(a)) {
                throw new DeployException(DeployException.CONFLICT, a.name() + " " + a.version() + " in " + from + " is a"
                        + " development build (" + (a.version().endsWith("SNAPSHOT") ? "a SNAPSHOT version"
                                : "its bytes replaced others of its version") + "), and a development build is never"
                        + " promoted: build it with a release version and deploy that");
            }
            if (!ctx.store().contains(a.name(), a.version())) {
                throw new DeployException(DeployException.INTERNAL, "the artifact of " + a.name() + " " + a.version()
                        + " is missing from the store");
            }
            List<String> violations = new java.util.ArrayList<>();
            PolicyCheck.Verdict verdict = intake.admit(to, a, dryRun ? violations : null);
            DeployOptions options = DeployOptions.to(to, actor).withDryRun(dryRun);
            String fresh = newEnvironment(to);
            return noted(a.kind() == Kind.ADAPTER
                    ? adapters.place(to, a, null, options, Operation.PROMOTE, from, violations, verdict, start)
                    : releases.release(to, a, null, options, Operation.PROMOTE, from, violations, verdict, start), fresh);
        });
    }

    /**
     * @return what to say of a deploy to an environment that has nothing yet (no deployment, no backend): any name makes
     *         an environment, so a misspelt {@code --env} would otherwise go unnoticed, serving nobody; null for one that
     *         has something, and for the default environment
     */
    private String newEnvironment(String env) {
        return ctx.state().read(r -> {
            java.util.Set<String> known = new java.util.TreeSet<>(r.environments());
            known.addAll(r.backends().keySet());
            if (known.contains(env) || env.equals(dev.mosaic.gateway.Gateway.DEFAULT_ENVIRONMENT)) {
                return null; // the default environment is there from the start
            }
            String near = Suggestions.didYouMean(env, known);
            return env + " is a new environment: nothing else is deployed there and it declares no backends"
                    + (near.isEmpty() ? known.isEmpty() ? "" : " (the others: " + String.join(", ", known) + ")" : near);
        });
    }

    /** @return the result with the note on its environment, if any, at the end of its summary */
    private static DeployResult noted(DeployResult r, String note) {
        return note == null ? r : new DeployResult(r.operation(), r.changed(), r.summary() + "; " + note, r.deployment(),
                r.replacedVersion(), r.moves(), r.stays(), r.problems(), r.dryRun(), r.removed(), r.millis(), r.sequence(),
                r.report());
    }
}
