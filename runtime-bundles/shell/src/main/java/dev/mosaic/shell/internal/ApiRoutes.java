package dev.mosaic.shell.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.ServletPathSpec;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Durations;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.backends.Backends;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.Health;
import dev.mosaic.deployer.PolicyReport;
import dev.mosaic.deployer.Restoring;
import dev.mosaic.insight.Insight;
import dev.mosaic.shell.internal.Answers.ApiError;

/**
 * The management API's routes, under {@value #PREFIX}, in one table: a path template
 * (Jetty's {@link UriTemplatePathSpec}, matched by a {@link PathMappingsHandler}), and per
 * HTTP method the service call it makes. Every route is behind the {@link BearerAuth}, and
 * answers 503 {@code restoring} while the deployer restores the recorded deployments.
 */
final class ApiRoutes {

    static final String PREFIX = "/api/v1";
    /** On the answer to a dry run whose change would be refused (its problems say why). */
    static final String WOULD_FAIL = "X-Mosaic-Would-Fail";
    /** On the answer to {@code POST /call?fail=true} whose route answered 400 or more: the call is shown, and it failed. */
    static final String CALL_FAILED = "X-Mosaic-Failed";

    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);

    /** What an endpoint does for one method: the answer, written as JSON or, on request, as the console's table. */
    @FunctionalInterface
    interface Call {
        Object answer(ApiRequest request, Deployer deployer, Insight insight) throws DeployException, ApiError;
    }

    private final Supplier<Deployer> deployer;
    private final Supplier<Insight> insight;
    private final Supplier<Restoring> restoring;
    private final Supplier<Backends> backends;
    private final Function<Handler, Handler> auth;
    private final long maxUpload;
    private final Map<String, Map<String, Call>> routes = new LinkedHashMap<>();
    private final Tails tails;
    /** Told of each call once answered: its route template, method, status and time. */
    private volatile Timer timer = (request, template, status, nanos) -> { };

    /** Told of each management call once answered. */
    @FunctionalInterface
    interface Timer {
        void answered(ApiRequest request, String template, int status, long nanos);
    }

    /** In a fleet: changes wait for the instances, and the answers say when this one is stale. */
    private volatile FleetViews fleet = new FleetViews(() -> null, java.time.Duration.ZERO);

    ApiRoutes inFleet(FleetViews views) {
        this.fleet = views;
        return this;
    }

    ApiRoutes timedBy(Timer t) {
        this.timer = t;
        return this;
    }

    ApiRoutes(Supplier<Deployer> deployer, Supplier<Insight> insight, Supplier<Restoring> restoring,
            Supplier<Backends> backends, Supplier<dev.mosaic.gateway.Gateway> gateway, RouteCalls calls,
            Supplier<dev.mosaic.logs.RuntimeLogs> logs, Function<Handler, Handler> auth, long maxUpload) {
        this.tails = new Tails(deployer, gateway, logs);
        this.backends = backends;
        this.deployer = deployer;
        this.insight = insight;
        this.restoring = restoring;
        this.auth = auth;
        this.maxUpload = maxUpload;

        route("GET", "/deployments", (r, d, i) -> Lookups.deployments(d, r.query("env"), r.query("owner"), r.kind(),
                r.query("name")));
        route("POST", "/deployments", (r, d, i) -> {
            DeployOptions options = new DeployOptions(r.query("env"), r.actor(), r.query("ttl"), r.flag("dryRun"),
                    r.query("owner"), r.flag("allowIncompatible"));
            String canary = r.query("canary");
            String waves = r.query("waves");
            if (waves != null) {
                if (canary != null || r.query("sticky") != null || "false".equals(r.query("judge"))) {
                    throw new ApiError(400, DeployException.INVALID_ARGUMENT, "waves roll a version out group by group, judged:"
                            + " it does not go with canary, sticky or judge=false");
                }
                List<String> groups = java.util.Arrays.stream(waves.split(",")).map(String::trim).toList();
                dev.mosaic.deployer.Judgement judgement = judgement(r);
                return r.upload(body -> d.rollInWaves(body, options, groups, judgement));
            }
            if (canary == null) {
                return r.upload(body -> d.deploy(body, options));
            }
            int share = percent(canary, "canary");
            String sticky = r.query("sticky");
            dev.mosaic.deployer.Judgement judgement = judgement(r);
            return r.upload(body -> d.canary(body, options, share, sticky, judgement));
        });
        route("GET", "/rollouts", (r, d, i) -> d.rollouts().stream()
                .filter(x -> r.query("env") == null || x.environment().equals(r.query("env")))
                .filter(x -> r.query("name") == null || x.adapter().equals(r.query("name"))).toList());
        route("POST", "/deployments/{env}/{name}/rollout/pause", (r, d, i) -> d.pauseRollout(r.path("env"), r.path("name"),
                r.actor(), r.flag("dryRun")));
        route("POST", "/deployments/{env}/{name}/rollout/resume", (r, d, i) -> d.resumeRollout(r.path("env"), r.path("name"),
                r.actor(), r.flag("dryRun")));
        route("PUT", "/deployments/{env}/{name}/split", (r, d, i) -> d.split(r.path("env"), r.path("name"),
                weights(r.required("weights")), r.query("sticky"), r.actor(), r.flag("dryRun")));
        route("POST", "/deployments/{env}/{name}/canary/promote", (r, d, i) -> d.promoteCanary(r.path("env"), r.path("name"),
                r.query("version"), r.actor(), r.flag("dryRun")));
        route("POST", "/deployments/{env}/{name}/canary/abort", (r, d, i) -> d.abortCanary(r.path("env"), r.path("name"),
                r.actor(), r.flag("dryRun")));
        route("POST", "/check", (r, d, i) -> r.upload(body -> d.check(body, r.query("env"))));
        route("DELETE", "/deployments/{env}/{name}", (r, d, i) -> d.undeploy(r.path("env"), r.path("name"),
                r.query("version"), r.flag("force"), r.actor(), r.flag("dryRun")));
        route("DELETE", "/deployments/{env}/{name}/{version}", (r, d, i) -> d.undeploy(r.path("env"), r.path("name"),
                r.path("version"), r.flag("force"), r.actor(), r.flag("dryRun")));
        route("POST", "/deployments/{env}/{name}/rollback", (r, d, i) -> d.rollback(r.path("env"), r.path("name"), r.actor(),
                r.flag("dryRun")));
        route("POST", "/deployments/{env}/{name}/adopt", (r, d, i) -> d.adopt(r.path("env"), r.path("name"), r.actor(),
                r.flag("dryRun")));
        route("POST", "/deployments/{env}/{name}/promote", (r, d, i) -> d.promote(r.path("name"), r.query("version"),
                r.path("env"), r.required("to"), r.actor(), r.flag("dryRun")));
        route("POST", "/deployments/{env}/{name}/ttl", (r, d, i) -> d.setTtl(r.path("env"), r.path("name"),
                r.query("version"), r.required("ttl"), r.actor(), r.flag("dryRun")));
        route("GET", "/deployments/{env}/{name}/dependencies", (r, d, i) -> Lookups.dependencies(i, d, r.path("env"),
                r.path("name"), r.query("version")));
        route("POST", "/modules/{name}/{version}/yank", (r, d, i) -> d.yank(r.query("env"), r.path("name"),
                r.path("version"), r.actor(), r.flag("dryRun")));
        route("POST", "/modules/{name}/{version}/unyank", (r, d, i) -> d.unyank(r.query("env"), r.path("name"),
                r.path("version"), r.actor(), r.flag("dryRun")));
        route("GET", "/modules/{name}/dependents", (r, d, i) -> Lookups.dependents(i, d, r.query("env"), r.path("name"),
                r.query("version"), r.flag("transitive")));
        route("GET", "/modules/{name}/uptake", (r, d, i) -> Lookups.uptake(i, d, r.query("env"), r.path("name")));
        route("GET", "/uptake", (r, d, i) -> Lookups.uptake(i, d, r.query("env"), r.query("module")));
        route("GET", "/graph", (r, d, i) -> "dot".equals(r.query("format"))
                ? new Answers.Text("text/vnd.graphviz", i.dot(r.query("env"))) : i.graph(r.query("env")));
        route("GET", "/sunset", (r, d, i) -> d.sunsetCandidates(r.query("env"), r.query("unusedFor")));
        route("POST", "/sunset", (r, d, i) -> d.sunset(r.query("env"), r.query("module"), r.query("version"),
                r.query("unusedFor"), r.actor(), r.flag("dryRun")));
        route("GET", "/fleet", (r, d, i) -> fleet.list());
        route("GET", "/health", (r, d, i) -> {
            Health health = d.health();
            return health.status() == Health.Status.OK ? health : new Answers.Status(503, health);
        });
        route("GET", "/routes", (r, d, i) -> Lookups.routes(d, r.query("env")));
        route("GET", "/routes/stats", (r, d, i) -> gateway.get() == null ? List.of() : gateway.get().stats()); // the web console's live rates
        route("GET", "/backends", (r, d, i) -> BackendViews.of(d, backends.get(), r.query("env")));
        route("GET", "/backends/{env}", (r, d, i) -> BackendViews.of(d, backends.get(), r.path("env")));
        route("GET", "/backends/{env}/{name}", (r, d, i) -> BackendViews.one(d, backends.get(), r.path("env"), r.path("name")));
        route("PUT", "/backends/{env}/{name}", (r, d, i) -> d.setBackend(r.path("env"), r.path("name"), r.options(),
                r.actor(), r.flag("dryRun")));
        route("DELETE", "/backends/{env}/{name}", (r, d, i) -> d.removeBackend(r.path("env"), r.path("name"),
                r.flag("force"), r.actor(), r.flag("dryRun")));
        route("GET", "/history", (r, d, i) -> Lookups.history(d, r.limit(100), r.query("env"), r.query("name")));
        route("GET", "/recordings", (r, d, i) -> Recordings.of(backends.get()));
        route("PUT", "/recordings/{env}", (r, d, i) -> Recordings.set(backends.get(), r.path("env"), r.query("mode"),
                r.query("dir"), r.query("redact"), r.actor()));
        route("GET", "/log-levels", (r, d, i) -> LogLevels.of(logs.get()));
        route("PUT", "/log-levels/{adapter}", (r, d, i) -> LogLevels.set(logs.get(), d, r.path("adapter"), r.query("level"),
                r.actor()));
        route("DELETE", "/log-levels/{adapter}", (r, d, i) -> LogLevels.set(logs.get(), d, r.path("adapter"), null, r.actor()));
        route("POST", "/call", (r, d, i) -> {
            com.fasterxml.jackson.databind.JsonNode c = r.jsonObject("a call", "{\"method\":\"GET\",\"path\":\"/tv/home\","
                    + "\"env\":\"dev\",\"headers\":[\"X-Profile: kids\"],\"body\":\"...\"}");
            java.util.List<String> headers = new java.util.ArrayList<>();
            c.path("headers").forEach(h -> headers.add(h.asText()));
            try {
                return calls.call(gateway.get(), c.path("method").asText("GET"), c.path("path").asText(null),
                        c.path("env").asText(null), headers, c.hasNonNull("body") ? c.get("body").asText() : null, d::routes);
            } catch (java.io.IOException e) {
                throw new ApiError(502, "call_failed", "the route could not be called on the device port: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiError(503, "interrupted", "the call was interrupted");
            }
        });
    }

    /** @return a share, {@code 5} or {@code 5%}, from 0 to 100 */
    static int percent(String value, String what) throws ApiError {
        String v = value.endsWith("%") ? value.substring(0, value.length() - 1) : value;
        try {
            int p = Integer.parseInt(v.trim());
            if (p >= 0 && p <= 100) {
                return p;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new ApiError(400, DeployException.INVALID_ARGUMENT, what + " takes a share of the requests from 0% to 100%, such as"
                + " 5%, not '" + value + "'");
    }

    /**
     * @return how a canary is judged ({@code bake}, {@code deadline}, {@code minRequests}, {@code promote}; each
     *         defaulting to {@link dev.mosaic.deployer.Judgement#DEFAULT}'s), or null with {@code judge=false}
     */
    static dev.mosaic.deployer.Judgement judgement(ApiRequest r) throws DeployException, ApiError {
        dev.mosaic.deployer.Judgement def = dev.mosaic.deployer.Judgement.DEFAULT;
        if ("false".equals(r.query("judge"))) {
            for (String p : List.of("bake", "deadline", "minRequests", "promote")) {
                if (r.query(p) != null) {
                    throw new ApiError(400, DeployException.INVALID_ARGUMENT, p + " sets how a canary is judged; it does not"
                            + " go with judge=false");
                }
            }
            return null;
        }
        java.time.Duration bake = r.query("bake") == null ? def.bake() : Durations.parse(r.query("bake"), "the bake");
        java.time.Duration deadline = r.query("deadline") != null ? Durations.parse(r.query("deadline"), "the deadline")
                : bake != null && bake.multipliedBy(2).compareTo(def.deadline()) > 0 ? bake.multipliedBy(2) : def.deadline();
        int min = def.minRequests();
        if (r.query("minRequests") != null) {
            try {
                min = Integer.parseInt(r.query("minRequests").trim());
            } catch (NumberFormatException e) {
                throw new ApiError(400, DeployException.INVALID_ARGUMENT, "minRequests is a number of requests, such as 200,"
                        + " not '" + r.query("minRequests") + "'");
            }
        }
        return new dev.mosaic.deployer.Judgement(bake, deadline, min, r.flag("promote"));
    }

    /** @return {@code 1.0.0:90,1.1.0:10} (or with {@code =}) as version to share */
    static Map<String, Integer> weights(String value) throws ApiError {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (String part : value.split(",")) {
            String[] kv = part.trim().split("[:=]", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new ApiError(400, DeployException.INVALID_ARGUMENT, "weights are VERSION:SHARE pairs, such as"
                        + " 1.0.0:90,1.1.0:10, not '" + value + "'");
            }
            weights.put(kv[0].trim(), percent(kv[1], "the share of " + kv[0].trim()));
        }
        return weights;
    }

    private void route(String method, String template, Call call) {
        routes.computeIfAbsent(PREFIX + template, t -> new LinkedHashMap<>()).put(method, call);
    }

    /** Adds every route, and the API's 404, to the mappings. */
    void addTo(PathMappingsHandler mappings) {
        mappings.addMapping(new UriTemplatePathSpec(PREFIX + "/tail"), auth.apply(tails));
        routes.forEach((template, calls) -> mappings.addMapping(new UriTemplatePathSpec(template),
                auth.apply(new Endpoint(template, calls))));
        mappings.addMapping(new ServletPathSpec(PREFIX + "/*"), auth.apply(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Answers.error(response, callback, 404, "not_found", "no such resource " + request.getMethod() + " "
                        + ApiRequest.path(request));
                return true;
            }
        }));
    }

    /** @return the route table as {@code METHOD template} lines, for documentation and tests */
    Map<String, Map<String, Call>> table() {
        return routes;
    }

    /** One path template: dispatches on the method, answers 405 naming the allowed ones otherwise. */
    private final class Endpoint extends Handler.Abstract {
        private final String template;
        private final Map<String, Call> calls;

        Endpoint(String template, Map<String, Call> calls) {
            this.template = template;
            this.calls = calls;
        }

        @Override
        public boolean handle(Request request, Response response, Callback answered) {
            long start = System.nanoTime();
            ApiRequest r = new ApiRequest(request, maxUpload);
            Callback callback = Callback.from(answered, () -> {
                try {
                    timer.answered(r, template, response.getStatus(), System.nanoTime() - start);
                } catch (RuntimeException | LinkageError e) {
                    LOG.warn("counting management call {} {} failed: {}", request.getMethod(), template, e.toString());
                }
            });
            String path = ApiRequest.path(request);
            Call call = calls.get(request.getMethod());
            if (call == null) {
                dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
                response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", calls.keySet()));
                Answers.error(response, callback, 405, "method_not_allowed", request.getMethod() + " is not allowed on "
                        + path + "; allowed: " + String.join(", ", calls.keySet()));
                return true;
            }
            Deployer d = deployer.get();
            Insight i = insight.get();
            if (d == null || i == null) {
                dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
                response.getHeaders().put(HttpHeader.RETRY_AFTER, "5");
                Answers.error(response, callback, 503, "restoring", ManagementServer.notYet(restoring.get()));
                return true;
            }
            try {
                fleet.markStale(response);
                Object body = call.answer(r, d, i);
                int status = body instanceof DeployResult dr && dr.changed() && "POST".equals(request.getMethod()) ? 201 : 200;
                body = fleet.afterChange(body, r, response);
                if (body instanceof DeployResult dr && dr.dryRun() && !dr.problems().isEmpty()
                        || body instanceof PolicyReport report && !report.allowed()) {
                    // a dry run answers what the change would do; this says the change itself would be refused
                    response.getHeaders().put(WOULD_FAIL, "true");
                }
                if (body instanceof RouteCalls.Answer a && a.status() >= 400 && r.flag("fail")) {
                    response.getHeaders().put(CALL_FAILED, "HTTP " + a.status());
                }
                if (body instanceof Answers.Status s) {
                    status = s.status();
                    body = s.body();
                }
                if (body instanceof Answers.Text t) {
                    Answers.text(response, callback, status, t.type(), t.content());
                } else if (r.wantsText()) {
                    // a listing of an environment nothing is in says so: a misspelt one is not just empty
                    String env = r.query("env") != null ? r.query("env") : r.path("env");
                    String unused = Lookups.unusedInstead(d, env, body);
                    if (unused != null) {
                        Answers.text(response, callback, status, "text/plain", unused + "\n");
                    } else {
                        Answers.table(response, callback, status, body, r.flag("wide"));
                    }
                } else {
                    Answers.json(response, callback, status, body);
                }
            } catch (DeployException e) {
                dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
                Map<String, Object> error = Answers.error(e.code(), e.getMessage());
                if (e.report() != null) {
                    error.put("report", e.report()); // a refused release: package by package, what changed and what it needs
                }
                Answers.json(response, callback, e.httpStatus(), error);
            } catch (ApiError e) {
                dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
                Answers.error(response, callback, e.status, e.code, e.getMessage());
            } catch (IllegalArgumentException e) {
                // what was asked makes no sense (insight's checks of its arguments)
                dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
                Answers.error(response, callback, 400, DeployException.INVALID_ARGUMENT, e.getMessage());
            } catch (RuntimeException e) {
                dev.mosaic.gateway.Connections.closeIfBodyUnread(request, response);
                LOG.error("management request {} {} failed", request.getMethod(), path, e);
                Answers.error(response, callback, 500, DeployException.INTERNAL, "the request failed inside the runtime: " + e);
            }
            return true;
        }
    }
}
