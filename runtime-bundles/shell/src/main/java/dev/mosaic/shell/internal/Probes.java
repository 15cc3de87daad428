package dev.mosaic.shell.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.Callback;

import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.Restoring;
import dev.mosaic.gateway.Gateway;

/**
 * Liveness and readiness, for whatever supervises the process (a load balancer, Kubernetes):
 * {@code GET /health/live} and {@code GET /health/ready}, no token, a small JSON body, 200 or
 * 503. Ready means the recorded deployments are restored (the deployer is there) and the
 * device listener is open (not yet while it starts, no longer once the runtime stops).
 * They tell nothing about what is deployed: that is {@code /api/v1/health}, with the token.
 */
final class Probes {

    static final String LIVE = "/health/live";
    static final String READY = "/health/ready";

    private final Supplier<Deployer> deployer;
    private final Supplier<Restoring> restoring;
    private final Supplier<Gateway> gateway;

    Probes(Supplier<Deployer> deployer, Supplier<Restoring> restoring, Supplier<Gateway> gateway) {
        this.deployer = deployer;
        this.restoring = restoring;
        this.gateway = gateway;
    }

    void addTo(PathMappingsHandler mappings) {
        mappings.addMapping(new UriTemplatePathSpec(LIVE), probe(this::live));
        mappings.addMapping(new UriTemplatePathSpec(READY), probe(this::ready));
    }

    /** The process answers: it is alive. */
    Map<String, Object> live() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "live");
        return body;
    }

    /** @return the readiness, with {@code ready} true or false and, when not ready, why */
    Map<String, Object> ready() {
        Map<String, Object> body = new LinkedHashMap<>();
        Gateway g = gateway.get();
        String why = null;
        if (deployer.get() == null) {
            why = ManagementServer.notYet(restoring.get());
        } else if (g == null || !g.serving()) {
            why = "the device listener is not open (starting, or the runtime is stopping)";
        }
        body.put("status", why == null ? "ready" : "not_ready");
        body.put("ready", why == null);
        if (why != null) {
            body.put("reason", why);
        }
        return body;
    }

    private static Handler probe(Supplier<Map<String, Object>> answer) {
        return new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
                    response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
                    Answers.error(response, callback, 405, "method_not_allowed", "the probes answer GET");
                    return true;
                }
                Map<String, Object> body = answer.get();
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
                Answers.json(response, callback, Boolean.FALSE.equals(body.get("ready")) ? 503 : 200, body);
                return true;
            }
        };
    }
}
