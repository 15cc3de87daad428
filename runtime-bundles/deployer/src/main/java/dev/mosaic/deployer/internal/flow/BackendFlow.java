package dev.mosaic.deployer.internal.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.mosaic.backends.BackendSpec;
import dev.mosaic.backends.Backends;
import dev.mosaic.deployer.BackendInfo;
import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.internal.checks.Names;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Registry.Unit;

/**
 * Backends declared per environment: set (declare or change) and remove, recorded like every
 * change (journal, history, snapshot) and then applied to the {@link Backends} egress; and the
 * check every adapter placement makes, that the environment declares what the adapter names.
 *
 * <pre>
 *   backend set ──► parse + check (secrets readable) ──► record ──► egress.apply(env)
 *   backend rm ───► users? refuse, or force and name them ──► record ──► egress.apply(env)
 *   deploy, promote, rollback of an adapter ──► {@link #checkDeclared}
 * </pre>
 */
final class BackendFlow {

    private final Context ctx;
    private final Backends egress;

    BackendFlow(Context ctx, Backends egress) {
        this.ctx = ctx;
        this.egress = egress;
    }

    DeployResult set(String environment, String name, Map<String, List<String>> options, String actor, boolean dryRun)
            throws DeployException {
        long start = System.nanoTime();
        String env = Names.environment(environment);
        BackendSpec spec;
        try {
            spec = BackendSpec.parse(name, options == null ? Map.of() : options);
        } catch (IllegalArgumentException e) {
            throw new DeployException(DeployException.INVALID_ARGUMENT, e.getMessage());
        }
        return ctx.changes().run(() -> {
            BackendSpec before = ctx.state().read(r -> r.backend(env, name));
            try {
                egress.check(spec);
            } catch (IllegalArgumentException e) {
                throw new DeployException(DeployException.INVALID_ARGUMENT, "backend " + name + " cannot be declared in "
                        + env + ": " + e.getMessage());
            }
            String what = "backend " + name + " in " + env + " (" + describe(spec) + ")";
            if (spec.equals(before)) {
                return result(Operation.BACKEND_SET, false, what + " is declared so already", false, 0, start);
            }
            if (dryRun) {
                return result(Operation.BACKEND_SET, false, "dry run: would " + (before == null ? "declare " : "change ")
                        + what + "; nothing was changed", true, 0, start);
            }
            Event e = Event.about(Operation.BACKEND_SET, new UnitKey(env, name, null), actor);
            e.time = ctx.now();
            e.backend = spec;
            long seq = ctx.state().record(e);
            apply(env);
            return result(Operation.BACKEND_SET, true, (before == null ? "declared " : "changed ") + what, false, seq, start);
        });
    }

    DeployResult remove(String environment, String name, boolean force, String actor, boolean dryRun) throws DeployException {
        long start = System.nanoTime();
        String env = Names.environment(environment);
        return ctx.changes().run(() -> {
            BackendSpec before = ctx.state().read(r -> r.backend(env, name));
            if (before == null) {
                throw dev.mosaic.deployer.Suggestions.noSuchBackend(name, env, ctx.state().read(r -> r.backends(env)).stream()
                        .map(BackendSpec::name).toList());
            }
            List<String> users = ctx.state().read(r -> names(r.backendUsers(env, name)));
            if (!users.isEmpty() && !force) {
                throw new DeployException(DeployException.IN_USE, "backend " + name + " is called in " + env + " by "
                        + String.join(", ", users) + ", which name it in Mosaic-Backends. Deploy versions that do not,"
                        + " or remove it with force (their calls to it then fail)");
            }
            String what = "backend " + name + " from " + env + (users.isEmpty() ? "" : "; calls to it by "
                    + String.join(", ", users) + " fail from now on");
            if (dryRun) {
                return result(Operation.BACKEND_REMOVE, false, "dry run: would remove " + what + "; nothing was changed", true,
                        0, start);
            }
            Event e = Event.about(Operation.BACKEND_REMOVE, new UnitKey(env, name, null), actor);
            e.time = ctx.now();
            e.broken = users.isEmpty() ? null : users;
            long seq = ctx.state().record(e);
            apply(env);
            return result(Operation.BACKEND_REMOVE, true, "removed " + what, false, seq, start);
        });
    }

    List<BackendInfo> list(String environment) {
        return ctx.state().read(r -> {
            List<BackendInfo> out = new ArrayList<>();
            r.backends().forEach((env, specs) -> {
                if (environment == null || environment.equals(env)) {
                    for (BackendSpec s : specs) {
                        out.add(new BackendInfo(env, s, names(r.backendUsers(env, s.name()))));
                    }
                }
            });
            return out;
        });
    }

    /** Gives the egress every environment's declarations, as recorded; at start, before any adapter serves. */
    void applyAll() {
        Map<String, List<BackendSpec>> all = ctx.state().read(Registry::backends);
        all.forEach(egress::apply);
    }

    /** Hands the environment's declared backends to the egress (after a change to them, here or elsewhere in the fleet). */
    void apply(String env) {
        egress.apply(env, ctx.state().read(r -> r.backends(env)));
    }

    /**
     * Refuses an adapter that names a backend the environment does not declare.
     */
    static void checkDeclared(Registry target, String env, Artifact a) throws DeployException {
        java.util.Set<String> named;
        try {
            named = BackendSpec.namesIn(a.metadata().get(BackendSpec.MANIFEST_HEADER));
        } catch (IllegalArgumentException e) {
            throw new DeployException(DeployException.INVALID_BUNDLE, a.name() + " " + a.version() + ": " + e.getMessage());
        }
        List<String> missing = new ArrayList<>();
        for (String n : named) {
            if (target.backend(env, n) == null) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            throw new DeployException(DeployException.UNDECLARED_BACKEND, a.name() + " " + a.version() + " calls backend(s) "
                    + String.join(", ", missing) + " (its Mosaic-Backends header), which " + env + " does not declare."
                    + " Declared in " + env + ": " + (target.backends(env).isEmpty() ? "none"
                            : String.join(", ", target.backends(env).stream().map(BackendSpec::name).toList()))
                    + ". An operator declares one with: bin/mosaic backend set " + missing.get(0) + " --env " + env
                    + " --base-url http://...");
        }
    }

    /** @return what history shows of a backend change, or null for other changes */
    static String detail(Event e) {
        if (e.backend != null) {
            return describe(e.backend);
        }
        if (e.broken != null && !e.broken.isEmpty()) {
            return "forced; calls by " + String.join(", ", e.broken) + " fail";
        }
        return null;
    }

    /** @return the declaration in a line: URLs, timeout, and what differs from the defaults; secrets as references */
    static String describe(BackendSpec s) {
        StringBuilder sb = new StringBuilder(String.join(", ", s.urls()));
        sb.append("; timeout ").append(s.timeoutMillis()).append(" ms, ").append(s.retries()).append(" retries within ")
                .append(s.retryBudgetPercent()).append("%, at most ").append(s.maxConcurrent()).append(" in flight");
        if (!s.headers().isEmpty()) {
            sb.append("; headers ").append(String.join(", ", s.headers().keySet()));
        }
        s.secretHeaders().forEach((h, ref) -> sb.append("; ").append(h).append(" from ").append(ref));
        if (s.trustStore() != null) {
            sb.append("; trust store ").append(s.trustStore());
        }
        if (s.keyStore() != null) {
            sb.append("; client certificate from ").append(s.keyStore());
        }
        return sb.toString();
    }

    private static List<String> names(List<Unit> units) {
        return units.stream().map(u -> u.key.name() + " " + u.key.version()).toList();
    }

    private DeployResult result(Operation op, boolean changed, String summary, boolean dryRun, long seq, long start) {
        return new DeployResult(op, changed, summary, null, null, List.of(), List.of(), List.of(), dryRun, List.of(),
                Results.millisSince(start), seq);
    }
}
