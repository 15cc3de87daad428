package dev.mosaic.deployer.internal.flow;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.PolicyReport;
import dev.mosaic.deployer.internal.checks.ArtifactReader;
import dev.mosaic.deployer.internal.checks.Finding;
import dev.mosaic.deployer.internal.checks.Policy;
import dev.mosaic.deployer.internal.checks.PolicyCheck;
import dev.mosaic.deployer.internal.framework.PlatformPackages;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.plan.Planner;
import dev.mosaic.deployer.internal.store.ArtifactStore;
import dev.mosaic.deployer.internal.store.JsonSupport;

/**
 * The first steps of a deploy: the upload is received (size), read (a bundle Mosaic runs),
 * checked against the policy (imports, then bytecode) and against what was stored before
 * under its name and version.
 */
final class Intake {

    /**
     * An upload that passed, or (for a dry run) failed only the policy, with what it violates.
     *
     * @param verdict what the policy says of it: findings refused (only for a dry run) and reported, imports left unwired
     */
    record Checked(Artifact artifact, boolean stored, List<String> violations, PolicyCheck.Verdict verdict) {
    }

    private final ArtifactStore store;
    private final RecordedState state;
    private final Settings settings;
    private final PlatformPackages platform;
    private final ObjectMapper json = JsonSupport.mapper();

    Intake(ArtifactStore store, RecordedState state, Settings settings, PlatformPackages platform) {
        this.store = store;
        this.state = state;
        this.settings = settings;
        this.platform = platform;
    }

    /**
     * Reads an upload into a temporary file of the store as it arrives, never whole in memory,
     * and stops reading as soon as it passes the upload limit.
     *
     * @return the file; the caller discards it
     */
    Path receive(InputStream jar) throws DeployException {
        long limit = settings.maxUploadBytes();
        Path temp;
        try {
            temp = store.newUpload();
        } catch (IOException e) {
            throw new DeployException(DeployException.INTERNAL, "cannot store the upload: " + e.getMessage(), e);
        }
        long read = 0;
        try (OutputStream out = Files.newOutputStream(temp)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; read <= limit && (n = jar.read(buffer, 0, (int) Math.min(buffer.length, limit + 1 - read))) >= 0;) {
                out.write(buffer, 0, n);
                read += n;
            }
        } catch (IOException e) {
            store.discard(temp);
            throw new DeployException(DeployException.INVALID_BUNDLE, "the upload could not be read completely after " + read
                    + " bytes: " + e.getMessage(), e);
        }
        if (read == 0) {
            store.discard(temp);
            throw new DeployException(DeployException.INVALID_BUNDLE, "the upload is empty; send the bundle jar");
        }
        if (read > limit) {
            store.discard(temp);
            throw new DeployException(DeployException.INVALID_BUNDLE, "the upload is larger than allowed: the limit is " + limit
                    + " bytes (mosaic.deploy.maxBytes); nothing more of it was read");
        }
        return temp;
    }

    /**
     * @param dryRun report policy violations rather than refuse, so the dry run says what else would fail
     * @throws DeployException if it is not a bundle, violates the policy, is a development build where releases only go, or
     *         reuses a name and version for other bytes
     */
    Checked check(Path upload, String env, boolean dryRun) throws DeployException {
        Artifact artifact = ArtifactReader.read(upload, settings.archiveLimits());
        List<String> violations = new ArrayList<>();
        Policy policy = policy();
        PolicyCheck.Verdict verdict = verdict(upload, env, artifact, policy);
        if (!verdict.allowed()) {
            DeployException refusal = PolicyCheck.refusal(artifact, policy, verdict);
            if (!dryRun) {
                throw refusal;
            }
            violations.add(refusal.getMessage());
        }
        Artifact known = state.read(r -> r.artifact(artifact.name(), artifact.version()));
        String devBuild = artifact.version().endsWith("SNAPSHOT") ? "a SNAPSHOT version"
                : known != null && known.sha256().equals(artifact.sha256()) && ArtifactReader.devBuild(known)
                        ? "these bytes replaced others of its version in a development environment" : null;
        if (devBuild != null && settings.releasesOnly(env)) {
            DeployException refusal = new DeployException(DeployException.CONFLICT, artifact.name() + " " + artifact.version()
                    + " is a development build (" + devBuild + "), and " + env + " takes release versions only"
                    + " (mosaic.deploy.releasesOnly): build it with a release version (1.0.0, not 1.0.0-SNAPSHOT) and deploy"
                    + " that");
            if (!dryRun) {
                throw refusal;
            }
            violations.add(refusal.getMessage());
        }
        if (known != null && !known.sha256().equals(artifact.sha256())) {
            return replacing(artifact, known, env, violations, verdict);
        }
        // a known artifact whose bytes were sunset is stored again from the upload
        return new Checked(artifact, known != null && store.contains(artifact.name(), artifact.version()), violations, verdict);
    }

    /**
     * New bytes for a name and version stored before: a development build replacing itself where that is allowed
     * (marked so that it is never promoted), else refused.
     */
    private Checked replacing(Artifact artifact, Artifact known, String env, List<String> violations, PolicyCheck.Verdict verdict)
            throws DeployException {
        String what = artifact.name() + " " + artifact.version() + " was deployed before with different content (sha256 "
                + known.sha256().substring(0, 12) + "..., this upload " + artifact.sha256().substring(0, 12) + "...). ";
        if (!settings.replaceable(env)) {
            throw new DeployException(DeployException.ARTIFACT_CONFLICT, what + "A version is never reused for different"
                    + " bytes outside development environments (mosaic.deploy.replaceable, here: " + env + " is not one):"
                    + " give the bundle a new Bundle-Version");
        }
        List<String> elsewhere = state.read(r -> r.environments().stream().filter(e -> !e.equals(env))
                .filter(e -> r.named(e, artifact.name()).stream().anyMatch(u -> u.key.version().equals(artifact.version())))
                .toList());
        if (!elsewhere.isEmpty()) {
            throw new DeployException(DeployException.ARTIFACT_CONFLICT, what + "It is also deployed in " + elsewhere
                    + ", which would run other bytes under the same name: remove it there, or give the bundle a new"
                    + " Bundle-Version");
        }
        java.util.Map<String, String> metadata = new java.util.TreeMap<>(artifact.metadata());
        metadata.put(ArtifactReader.DEV_BUILD, "replaced in " + env);
        Artifact replaced = new Artifact(artifact.name(), artifact.version(), artifact.kind(), artifact.sha256(), artifact.size(),
                artifact.manualUptake(), artifact.exports(), artifact.imports(), java.util.Map.copyOf(metadata));
        return new Checked(replaced, false, violations, verdict);
    }

    /** @return what the policy says of the upload in the environment */
    PolicyReport report(Path upload, String env) throws DeployException {
        Artifact a = ArtifactReader.read(upload, settings.archiveLimits());
        Policy policy = policy();
        PolicyCheck.Verdict v = verdict(upload, env, a, policy);
        String exemption = v.allowed() ? null : "\"" + a.name() + "\": [" + v.refused().stream().map(Finding::exemption)
                .distinct().sorted().map(x -> "\"" + x + "\"").collect(java.util.stream.Collectors.joining(", ")) + "]";
        return new PolicyReport(env, a.name(), a.version(), a.kind(), v.allowed(), v.refused().stream().map(Finding::text).toList(),
                v.reportedTexts(), new java.util.ArrayList<>(new java.util.TreeSet<>(v.unwired())), exemption, policy.source);
    }

    Policy policy() throws DeployException {
        return Policy.load(settings.policyFile(), json);
    }

    /** What the policy says of the bundle in the environment: its imports (the environment's modules allowed) and its code. */
    PolicyCheck.Verdict verdict(Path jar, String env, Artifact a, Policy policy) throws DeployException {
        Set<String> modulePackages = state.read(registry -> Planner.owners(registry, env).keySet());
        return PolicyCheck.check(jar, a, policy, modulePackages, platform.get().keySet());
    }

    /**
     * The verdict for an artifact already in the store (a promote, a rollback), or its refusal.
     *
     * @param violations where a dry run's refusal goes; null to throw it
     */
    PolicyCheck.Verdict admit(String env, Artifact a, List<String> violations) throws DeployException {
        Policy policy = policy();
        PolicyCheck.Verdict verdict = verdict(store.path(a.name(), a.version()), env, a, policy);
        if (!verdict.allowed()) {
            DeployException refusal = PolicyCheck.refusal(a, policy, verdict);
            if (violations == null) {
                throw refusal;
            }
            violations.add(refusal.getMessage());
        }
        return verdict;
    }
}
