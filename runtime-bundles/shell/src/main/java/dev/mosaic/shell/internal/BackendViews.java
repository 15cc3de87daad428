package dev.mosaic.shell.internal;

import java.util.ArrayList;
import java.util.List;

import dev.mosaic.backends.BackendSpec;
import dev.mosaic.backends.BackendStats;
import dev.mosaic.backends.Backends;
import dev.mosaic.deployer.BackendInfo;
import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.Suggestions;

/** What {@code backends} shows: each declaration, who names it, and how its calls went. */
final class BackendViews {

    /**
     * A backend's declaration, callers and calls; its calls without the environment and declaration the view says once,
     * and without their latency histogram (the metrics' series; the view has the percentiles).
     *
     * @param stats how calls went on this runtime, or null when the egress has no figures for it yet
     */
    record BackendView(String environment, String name, BackendSpec spec, List<String> usedBy,
            @com.fasterxml.jackson.annotation.JsonIgnoreProperties({ "environment", "spec", "latency" }) BackendStats stats) {
    }

    private BackendViews() {
    }

    static List<BackendView> of(Deployer deployer, Backends egress, String environment) {
        java.util.Map<String, BackendStats> stats = new java.util.HashMap<>();
        if (egress != null) {
            egress.stats(environment).forEach(s -> stats.putIfAbsent(s.environment() + "\n" + s.spec().name(), s));
        }
        List<BackendView> out = new ArrayList<>();
        for (BackendInfo b : deployer.backends(environment)) {
            out.add(new BackendView(b.environment(), b.spec().name(), b.spec(), b.usedBy(),
                    stats.get(b.environment() + "\n" + b.spec().name())));
        }
        return out;
    }

    /** One backend's declaration in full, who names it, and how its calls go: what {@code backend show} answers. */
    record Detail(@com.fasterxml.jackson.annotation.JsonValue BackendView view) {
        String text() {
            BackendSpec s = view.spec();
            BackendStats st = view.stats();
            java.util.Map<String, String> f = new java.util.LinkedHashMap<>();
            f.put("backend", view.name() + " in " + view.environment());
            f.put("base URLs", String.join(", ", s.urls()));
            f.put("timeout", s.timeoutMillis() + " ms (a call's, retries included)");
            f.put("retries", s.retries() + ", within " + s.retryBudgetPercent() + "% of the calls of the last 10 s");
            f.put("in flight", "at most " + s.maxConcurrent());
            f.put("breaker", "opens at " + s.breakerFailurePercent() + "% failures over at least " + s.breakerMinCalls()
                    + " calls in " + s.breakerWindowSeconds() + " s, for " + s.breakerOpenMillis() + " ms");
            f.put("max response", s.maxResponseBytes() + " bytes");
            f.put("headers", s.headers().isEmpty() ? "-" : String.join(", ", s.headers().entrySet().stream()
                    .map(h -> h.getKey() + ": " + h.getValue()).toList()));
            f.put("secret headers", s.secretHeaders().isEmpty() ? "-" : String.join(", ", s.secretHeaders().entrySet().stream()
                    .map(h -> h.getKey() + " from " + h.getValue()).toList()));
            f.put("trust store", s.trustStore() == null ? "the JVM's" : s.trustStore());
            f.put("client certificate", s.keyStore() == null ? "-" : s.keyStore());
            f.put("used by", view.usedBy().isEmpty() ? "-" : String.join(", ", view.usedBy()));
            f.put("calls", st == null ? "none yet" : st.calls() + ", " + st.errors() + " failed, " + st.retries() + " retried, "
                    + st.rejected() + " rejected; p50 " + millis(st.p50Millis(), " ms") + ", p99 " + millis(st.p99Millis(), " ms")
                    + " over the last minute");
            f.put("breaker state", st == null ? "closed" : st.breaker());
            int width = f.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
            StringBuilder b = new StringBuilder();
            f.forEach((k, v) -> b.append(b.length() == 0 ? "" : "\n").append(k).append(":")
                    .append(" ".repeat(width - k.length() - 1)).append(v));
            changes(st).forEach(c -> b.append("\n  ").append(c));
            return b.toString();
        }
    }

    /** @return the backend of that name in the environment, or not_found naming those declared there */
    static Detail one(Deployer deployer, Backends egress, String environment, String name) throws DeployException {
        List<BackendView> all = of(deployer, egress, environment);
        for (BackendView v : all) {
            if (v.name().equals(name)) {
                return new Detail(v);
            }
        }
        throw Suggestions.noSuchBackend(name, environment, all.stream().map(BackendView::name).toList());
    }

    static String table(List<BackendView> list) {
        Table t = new Table("ENV", "BACKEND", "URLS", "TIMEOUT", "USED BY", "CALLS", "ERRORS", "RETRIES", "REJECTED", "P50",
                "P99", "BREAKER");
        for (BackendView v : list) {
            BackendStats s = v.stats();
            t.row(v.environment(), v.name(), String.join(",", v.spec().urls()), v.spec().timeoutMillis() + "ms",
                    v.usedBy().isEmpty() ? "-" : String.join(",", v.usedBy()), s == null ? 0 : s.calls(),
                    s == null ? 0 : s.errors(), s == null ? 0 : s.retries(), s == null ? 0 : s.rejected(),
                    s == null ? "-" : millis(s.p50Millis(), "ms"), s == null ? "-" : millis(s.p99Millis(), "ms"),
                    s == null ? "closed" : s.breaker());
        }
        StringBuilder b = new StringBuilder(t.toString());
        for (BackendView v : list) {
            changes(v.stats()).forEach(c -> b.append('\n').append(v.environment()).append(' ').append(v.name()).append(' ')
                    .append(c));
        }
        return b.toString();
    }

    /** @return a latency percentile with its unit, "-" when there were no calls to take it from */
    private static String millis(double percentile, String unit) {
        return percentile < 0 ? "-" : percentile + unit;
    }

    /** @return the breaker's recent changes and the URLs being skipped, a line each; none without figures */
    private static List<String> changes(BackendStats s) {
        List<String> lines = new ArrayList<>();
        if (s != null) {
            s.transitions().forEach(tr -> lines.add("breaker " + tr.from() + " -> " + tr.to() + " at " + tr.at()));
            s.urls().stream().filter(BackendStats.UrlState::skipped).forEach(u -> lines.add(u.url() + " skipped until "
                    + u.skippedUntil() + " (its connections failed)"));
        }
        return lines;
    }

    /**
     * Reads {@code --env E}, {@code -n/--dry-run}, {@code -f/--force} and the declaration's
     * {@code --option value} pairs (repeatable) from a console command's arguments.
     */
    record Args(String env, boolean dryRun, boolean force, java.util.Map<String, List<String>> options) {
        static Args parse(List<String> args) {
            String env = "prod";
            boolean dryRun = false;
            boolean force = false;
            java.util.Map<String, List<String>> options = new java.util.LinkedHashMap<>();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "-n", "--dry-run" -> dryRun = true;
                    case "-f", "--force" -> force = true;
                    case "-e", "--env" -> env = value(args, ++i, a);
                    default -> {
                        if (!a.startsWith("--")) {
                            throw new IllegalArgumentException("unexpected '" + a + "': options are --name value");
                        }
                        String name = a.substring(2);
                        String value;
                        int eq = name.indexOf('=');
                        if (eq > 0 && !name.startsWith("header") && !name.startsWith("secret-header")) {
                            value = name.substring(eq + 1);
                            name = name.substring(0, eq);
                        } else {
                            value = value(args, ++i, a);
                        }
                        // --base-url, as the CLI spells it (where --url is the management API's)
                        options.computeIfAbsent(name.equals("base-url") ? "url" : name, k -> new ArrayList<>()).add(value);
                    }
                }
            }
            return new Args(env, dryRun, force, options);
        }

        private static String value(List<String> args, int i, String option) {
            if (i >= args.size()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args.get(i);
        }
    }
}
