package dev.mosaic.shell.internal;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.DeployOptions;
import dev.mosaic.deployer.DeployResult;
import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.Health;
import dev.mosaic.deployer.Restoring;
import dev.mosaic.insight.Insight;
import dev.mosaic.shell.ManagementApi;

/**
 * The HTTP management API under {@code /api/v1}, on its own port, bound to 127.0.0.1 unless
 * configured otherwise, every request authenticated with {@code Authorization: Bearer}.
 * It calls the same {@link Deployer} service as the console.
 *
 * <p>Configuration (framework properties): {@code mosaic.mgmt.port} (default 8081, 0 for
 * any free port), {@code mosaic.mgmt.host} (default 127.0.0.1; another address needs
 * {@code mosaic.mgmt.allowRemote=true}), {@code mosaic.mgmt.maxUploadBytes} (default 64 MiB),
 * {@code mosaic.mgmt.maxAuthFailures} and {@code mosaic.mgmt.authLockMillis} (after that
 * many failed authentications from one address, every request from it is refused for that
 * long; default 20 and 60000), {@code mosaic.data} (where the generated token is kept).
 */
@Component(service = ManagementApi.class, immediate = true)
public final class ManagementServer extends Handler.Abstract implements ManagementApi {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    private static final String PREFIX = "/api/v1";

    // Optional and dynamic: the API listens from the start and, while the deployer restores the
    // recorded deployments (minutes, with thousands of them), answers 503 saying how far it has got.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Deployer deployer;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Insight insight;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Restoring restoring;

    private final ObjectMapper mapper = new ObjectMapper();

    /** Why the deployer or insight is not there yet (the API's 503 and the console's error say the same). */
    static String notYet(Restoring r) {
        return r == null ? "the runtime is starting; try again shortly"
                : String.format(java.util.Locale.ROOT, "the runtime is restoring its recorded deployments (%,d of %,d"
                        + " installed); try again shortly", r.installed(), r.deployments());
    }
    private Server server;
    private Tokens tokens;
    private String url;
    private long maxUpload;
    private AuthFailures authFailures;

    @Activate
    void activate(BundleContext context) throws Exception {
        int port = Integer.parseInt(property(context, "mosaic.mgmt.port", "8081"));
        String host = property(context, "mosaic.mgmt.host", "127.0.0.1");
        maxUpload = Long.parseLong(property(context, "mosaic.mgmt.maxUploadBytes", Long.toString(64L << 20)));
        tokens = Tokens.load(System.getenv(Tokens.ENV), Path.of(property(context, "mosaic.data", "mosaic-data")).toAbsolutePath());
        if (!InetAddress.getByName(host).isLoopbackAddress()) {
            if (!"true".equals(context.getProperty("mosaic.mgmt.allowRemote"))) {
                throw new IllegalStateException("the management API would listen on " + host + ", reachable from other"
                        + " machines; say so explicitly with --mgmt-allow-remote (mosaic.mgmt.allowRemote=true)");
            }
            LOG.warn("the management API listens on {}, reachable from other machines; anyone holding the token can deploy", host);
        }
        authFailures = new AuthFailures(Integer.parseInt(property(context, "mosaic.mgmt.maxAuthFailures", "20")),
                Long.parseLong(property(context, "mosaic.mgmt.authLockMillis", "60000")));
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("mosaic-mgmt");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(this);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw new IllegalStateException("cannot serve the management API on " + host + ":" + port + ": " + e.getMessage()
                    + " (set --mgmt-port to a free port)", e);
        }
        String shownHost = host.contains(":") ? "[" + host + "]" : host;
        url = "http://" + shownHost + ":" + connector.getLocalPort() + PREFIX;
        LOG.info("management API on {} (token from {})", url, tokens.source());
    }

    @Deactivate
    void deactivate() throws Exception {
        server.stop();
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public String tokenSource() {
        return tokens.source();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String address = Request.getRemoteAddr(request);
        long lockedFor = authFailures.lockedForMillis(address);
        if (lockedFor > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString((lockedFor + 999) / 1000));
            send(response, callback, 429, error("too_many_failures", "too many failed authentications from " + address
                    + "; try again in " + ((lockedFor + 999) / 1000) + " s"));
            return true;
        }
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String presented = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
        if (!tokens.matches(presented)) {
            if (presented != null) {
                authFailures.failed(address);
                LOG.warn("failed authentication to the management API from {}", address);
            }
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"mosaic\"");
            send(response, callback, 401, error("unauthorized", presented == null
                    ? "send the management token as 'Authorization: Bearer <token>' (token from " + tokens.source() + ")"
                    : "the bearer token is not valid"));
            return true;
        }
        if (deployer == null || insight == null) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "5");
            send(response, callback, 503, error("restoring", notYet(restoring)));
            return true;
        }
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        boolean text = accept != null && accept.contains("text/plain") && !accept.contains("json");
        try {
            Object body = dispatch(request);
            int status = body instanceof DeployResult r && r.changed && "POST".equals(request.getMethod()) ? 201 : 200;
            if (body instanceof Status s) {
                status = s.status();
                body = s.body();
            }
            if (body instanceof Text t) {
                response.setStatus(status);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, t.type() + ";charset=utf-8");
                response.write(true, ByteBuffer.wrap(t.content().getBytes(java.nio.charset.StandardCharsets.UTF_8)), callback);
                return true;
            }
            if (text) {
                sendText(response, callback, status, body);
                return true;
            }
            send(response, callback, status, body);
        } catch (DeployException e) {
            send(response, callback, e.httpStatus(), error(e.code(), e.getMessage()));
        } catch (ApiError e) {
            send(response, callback, e.status, error(e.code, e.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("management request {} {} failed", request.getMethod(), Request.getPathInContext(request), e);
            send(response, callback, 500, error(DeployException.INTERNAL, "the request failed inside the runtime: " + e));
        }
        return true;
    }

    /** A body that is already text of a given type (Graphviz), written as it is. */
    private record Text(String type, String content) {
    }

    /** A body to answer with another status than 200/201. */
    private record Status(int status, Object body) {
    }

    private Object dispatch(Request request) throws DeployException, ApiError {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        if (!path.startsWith(PREFIX + "/") && !path.equals(PREFIX)) {
            throw new ApiError(404, "not_found", "no such resource " + path + "; the API lives under " + PREFIX);
        }
        List<String> s = segments(path.substring(PREFIX.length()));
        Fields query = Request.extractQueryParameters(request);
        String env = query.getValue("env");
        String actor = actor(request);
        String first = s.isEmpty() ? "" : s.get(0);
        switch (first) {
            case "deployments" -> {
                if (s.size() == 1) {
                    if (method.equals("GET")) {
                        return deployer.list(env, query.getValue("owner"), query.getValue("kind"));
                    }
                    allow(method, path, "GET", "POST");
                    DeployOptions options = DeployOptions.to(env, actor);
                    options.ttl = query.getValue("ttl");
                    options.dryRun = "true".equals(query.getValue("dryRun"));
                    return deployer.deploy(body(request), options);
                }
                if (s.size() < 3) {
                    break;
                }
                String e = s.get(1);
                String name = s.get(2);
                String action = s.size() == 4 ? s.get(3) : null;
                if (action != null && List.of("rollback", "adopt", "promote", "ttl").contains(action)) {
                    allow(method, path, "POST");
                    return switch (action) {
                        case "rollback" -> deployer.rollback(e, name, actor);
                        case "adopt" -> deployer.adopt(e, name, actor);
                        case "promote" -> deployer.promote(name, query.getValue("version"), e, required(query, "to"), actor);
                        default -> deployer.setTtl(e, name, query.getValue("version"), required(query, "ttl"), actor);
                    };
                }
                if ("dependencies".equals(action)) {
                    allow(method, path, "GET");
                    return insight.dependencies(e, name, query.getValue("version"));
                }
                if (s.size() <= 4) {
                    allow(method, path, "DELETE");
                    String version = action != null ? action : query.getValue("version");
                    return deployer.undeploy(e, name, version, "true".equals(query.getValue("force")), actor);
                }
            }
            case "modules" -> {
                if (s.size() == 4 && (s.get(3).equals("yank") || s.get(3).equals("unyank"))) {
                    allow(method, path, "POST");
                    return s.get(3).equals("yank") ? deployer.yank(env, s.get(1), s.get(2), actor)
                            : deployer.unyank(env, s.get(1), s.get(2), actor);
                }
                if (s.size() == 3 && s.get(2).equals("dependents")) {
                    allow(method, path, "GET");
                    return insight.dependents(env, s.get(1), query.getValue("version"));
                }
                if (s.size() == 3 && s.get(2).equals("uptake")) {
                    allow(method, path, "GET");
                    return insight.uptake(env, s.get(1));
                }
            }
            case "uptake" -> {
                if (s.size() == 1) {
                    allow(method, path, "GET");
                    return insight.uptake(env, query.getValue("module"));
                }
            }
            case "graph" -> {
                if (s.size() == 1) {
                    allow(method, path, "GET");
                    return "dot".equals(query.getValue("format")) ? new Text("text/vnd.graphviz", insight.dot(env))
                            : insight.graph(env);
                }
            }
            case "sunset" -> {
                if (s.size() == 1) {
                    if (method.equals("GET")) {
                        return deployer.sunsetCandidates(env, query.getValue("unusedFor"));
                    }
                    allow(method, path, "GET", "POST");
                    return deployer.sunset(env, query.getValue("module"), query.getValue("version"), query.getValue("unusedFor"), actor);
                }
            }
            case "health" -> {
                if (s.size() == 1) {
                    allow(method, path, "GET");
                    Health health = deployer.health();
                    return "ok".equals(health.status) ? health : new Status(503, health);
                }
            }
            case "routes" -> {
                if (s.size() == 1) {
                    allow(method, path, "GET");
                    return deployer.routes();
                }
            }
            case "history" -> {
                if (s.size() == 1) {
                    allow(method, path, "GET");
                    String limit = query.getValue("limit");
                    try {
                        return deployer.history(limit == null ? 100 : Integer.parseInt(limit));
                    } catch (NumberFormatException x) {
                        throw new ApiError(400, DeployException.INVALID_ARGUMENT, "limit must be a number, got '" + limit + "'");
                    }
                }
            }
            default -> {
                // below
            }
        }
        throw new ApiError(404, "not_found", "no such resource " + method + " " + path);
    }

    private static void allow(String method, String path, String... allowed) throws ApiError {
        if (!List.of(allowed).contains(method)) {
            throw new ApiError(405, "method_not_allowed", method + " is not allowed on " + path + "; allowed: "
                    + String.join(", ", allowed));
        }
    }

    private static String required(Fields query, String name) throws ApiError {
        String v = query.getValue(name);
        if (v == null || v.isBlank()) {
            throw new ApiError(400, DeployException.INVALID_ARGUMENT, "the query parameter '" + name + "' is required");
        }
        return v;
    }

    private byte[] body(Request request) throws ApiError {
        long length = request.getLength();
        if (length > maxUpload) {
            throw new ApiError(413, "body_too_large", "the upload is " + length + " bytes; the limit is " + maxUpload);
        }
        try {
            return Content.Source.asByteArrayAsync(request, (int) Math.min(Integer.MAX_VALUE - 8, maxUpload)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, DeployException.INTERNAL, "interrupted while reading the upload");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalArgumentException || e.getCause() instanceof IllegalStateException) {
                throw new ApiError(413, "body_too_large", "the upload is over the limit of " + maxUpload + " bytes");
            }
            throw new ApiError(400, DeployException.INVALID_BUNDLE, "the upload could not be read completely: " + e.getCause());
        }
    }

    /** Who asks: the API, and what the client says about itself (for history only; the token is what authorises). */
    private static String actor(Request request) {
        String said = request.getHeaders().get("X-Mosaic-Actor");
        if (said == null || said.isBlank()) {
            return "api";
        }
        String clean = said.replaceAll("[^A-Za-z0-9@._:+-]", "");
        return "api:" + (clean.length() > 80 ? clean.substring(0, 80) : clean);
    }

    private static List<String> segments(String path) throws ApiError {
        List<String> list = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                list.add(part);
            }
        }
        return list;
    }

    private static Map<String, Object> error(String code, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", code);
        m.put("message", message);
        return m;
    }

    private void send(Response response, Callback callback, int status, Object body) {
        byte[] bytes;
        try {
            bytes = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            status = 500;
            bytes = ("{\"error\":\"internal_error\",\"message\":\"the answer could not be written as JSON\"}").getBytes();
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** The console's rendering, for people using the CLI; errors stay JSON so the CLI can read their code. */
    private void sendText(Response response, Callback callback, int status, Object body) {
        String shown = Formats.format(body);
        if (shown == null) {
            shown = body instanceof List<?> list && list.isEmpty() ? "(none)" : String.valueOf(body);
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
        response.write(true, ByteBuffer.wrap((shown + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)), callback);
    }

    private static String property(BundleContext context, String name, String defaultValue) {
        String v = context.getProperty(name);
        return v == null || v.isBlank() ? defaultValue : v.trim();
    }

    /** A request the API refuses before reaching the deployer. */
    private static final class ApiError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        ApiError(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }
}
