package dev.mosaic.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The CLI: each command is one call to a running runtime's management API. People get the
 * same tables as the console; {@code --json} gives pipelines the API's JSON unchanged.
 *
 * <p>Exit codes: 0 done (including "nothing to do"); 1 the runtime refused or failed the
 * operation (the error code and message are printed); 2 bad usage; 3 the runtime cannot be
 * reached or the token is missing.
 */
final class Client {

    static final String DEFAULT_URL = "http://127.0.0.1:8081/api/v1";
    private static final Set<String> COMMON = Set.of("--url", "--env", "--data", "--token-file");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final PrintStream out;
    private final PrintStream err;

    Client(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    static boolean handles(String command) {
        return List.of("deploy", "ls", "list", "routes", "yank", "unyank", "rollback", "undeploy", "adopt", "history",
                "promote", "ttl", "sunset", "dependents", "deps", "uptake", "graph", "health").contains(command);
    }

    int run(String command, List<String> rest) throws Args.UsageException {
        Args a = Args.parse(rest, union(COMMON, Set.of("--limit", "--ttl", "--from", "--to", "--owner", "--kind", "--unused-for")),
                Set.of("--json", "--force", "--dry-run", "--dot"));
        String env = a.get("--env", "prod");
        String envQuery = "env=" + enc(env);
        Call call = switch (command) {
            case "deploy" -> {
                String file = one(a, "deploy FILE [--env E]");
                byte[] jar;
                try {
                    jar = Files.readAllBytes(Path.of(file));
                } catch (NoSuchFileException e) {
                    throw new Args.UsageException("no such file: " + file);
                } catch (IOException e) {
                    throw new Args.UsageException("cannot read " + file + ": " + e.getMessage());
                }
                yield new Call("POST", "/deployments?" + envQuery + (a.has("--ttl") ? "&ttl=" + enc(a.get("--ttl", "")) : "")
                        + (a.has("--dry-run") ? "&dryRun=true" : ""), jar);
            }
            case "ls", "list" -> new Call("GET", "/deployments" + query(a, "--env", "env", "--owner", "owner", "--kind", "kind"), null);
            case "promote" -> {
                if (a.positional.isEmpty() || a.positional.size() > 2 || !a.has("--to")) {
                    throw new Args.UsageException("usage: mosaic promote NAME [VERSION] --from ENV --to ENV");
                }
                yield new Call("POST", "/deployments/" + enc(a.get("--from", "test")) + "/" + enc(a.positional.get(0))
                        + "/promote?to=" + enc(a.get("--to", "")) + (a.positional.size() == 2 ? "&version=" + enc(a.positional.get(1)) : ""), null);
            }
            case "ttl" -> {
                if (a.positional.size() < 2 || a.positional.size() > 3) {
                    throw new Args.UsageException("usage: mosaic ttl NAME [VERSION] TTL [--env E]   (TTL: 30m, 12h, 7d, none)");
                }
                String ttl = a.positional.get(a.positional.size() - 1);
                yield new Call("POST", "/deployments/" + enc(env) + "/" + enc(a.positional.get(0)) + "/ttl?ttl=" + enc(ttl)
                        + (a.positional.size() == 3 ? "&version=" + enc(a.positional.get(1)) : ""), null);
            }
            case "sunset" -> {
                if (a.positional.size() == 1 || a.positional.size() > 2 || (a.positional.size() == 2 && a.has("--dry-run"))) {
                    throw new Args.UsageException("usage: mosaic sunset [MODULE VERSION] [--env E] [--unused-for D] [--dry-run]");
                }
                String q = query(a, "--env", "env", "--unused-for", "unusedFor");
                if (a.positional.size() == 2) {
                    q += (q.isEmpty() ? "?" : "&") + "module=" + enc(a.positional.get(0)) + "&version=" + enc(a.positional.get(1))
                            + (a.has("--env") ? "" : "&env=" + enc(env));
                }
                yield new Call(a.has("--dry-run") ? "GET" : "POST", "/sunset" + q, null);
            }
            case "dependents" -> {
                if (a.positional.isEmpty() || a.positional.size() > 2) {
                    throw new Args.UsageException("usage: mosaic dependents MODULE [VERSION] [--env E]");
                }
                yield new Call("GET", "/modules/" + enc(a.positional.get(0)) + "/dependents" + query(a, "--env", "env")
                        + (a.positional.size() == 2 ? (a.has("--env") ? "&" : "?") + "version=" + enc(a.positional.get(1)) : ""), null);
            }
            case "deps" -> {
                if (a.positional.isEmpty() || a.positional.size() > 2) {
                    throw new Args.UsageException("usage: mosaic deps NAME [VERSION] [--env E]");
                }
                yield new Call("GET", "/deployments/" + enc(env) + "/" + enc(a.positional.get(0)) + "/dependencies"
                        + (a.positional.size() == 2 ? "?version=" + enc(a.positional.get(1)) : ""), null);
            }
            case "uptake" -> {
                if (a.positional.size() > 1) {
                    throw new Args.UsageException("usage: mosaic uptake [MODULE] [--env E]");
                }
                String q = query(a, "--env", "env");
                yield new Call("GET", "/uptake" + q + (a.positional.isEmpty() ? "" : (q.isEmpty() ? "?" : "&") + "module="
                        + enc(a.positional.get(0))), null);
            }
            case "health" -> new Call("GET", "/health", null);
            case "graph" -> {
                String q = query(a, "--env", "env");
                yield new Call("GET", "/graph" + q + (a.has("--dot") ? (q.isEmpty() ? "?" : "&") + "format=dot" : ""), null);
            }
            case "routes" -> new Call("GET", "/routes", null);
            case "history" -> new Call("GET", "/history?limit=" + enc(a.get("--limit", "50")), null);
            case "yank", "unyank" -> {
                List<String> nv = two(a, command + " NAME VERSION [--env E]");
                yield new Call("POST", "/modules/" + enc(nv.get(0)) + "/" + enc(nv.get(1)) + "/" + command + "?" + envQuery, null);
            }
            case "rollback", "adopt" -> new Call("POST", "/deployments/" + enc(env) + "/"
                    + enc(one(a, command + " NAME [--env E]")) + "/" + command, null);
            case "undeploy" -> {
                if (a.positional.isEmpty() || a.positional.size() > 2) {
                    throw new Args.UsageException("usage: mosaic undeploy NAME [VERSION] [--env E] [--force]");
                }
                String path = "/deployments/" + enc(env) + "/" + enc(a.positional.get(0))
                        + (a.positional.size() == 2 ? "/" + enc(a.positional.get(1)) : "")
                        + (a.has("--force") ? "?force=true" : "");
                yield new Call("DELETE", path, null);
            }
            default -> throw new Args.UsageException("unknown command " + command);
        };
        return send(call, a);
    }

    private record Call(String method, String path, byte[] body) {
    }

    private int send(Call call, Args a) {
        String base = a.get("--url", envOr("MOSAIC_URL", DEFAULT_URL));
        String token = token(a);
        if (token == null) {
            return 3;
        }
        boolean json = a.has("--json");
        HttpRequest request = HttpRequest.newBuilder(URI.create(stripSlash(base) + call.path()))
                .timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + token)
                .header("Accept", json ? "application/json" : "text/plain")
                .header("X-Mosaic-Actor", "cli:" + System.getProperty("user.name", "unknown"))
                .method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(call.body()))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            err.println("mosaic: no runtime answers at " + base + " (is it running? --url or MOSAIC_URL point elsewhere)");
            return 3;
        } catch (HttpTimeoutException e) {
            err.println("mosaic: " + base + " did not answer in time");
            return 3;
        } catch (IOException e) {
            if (call.body() != null && call.body().length > 0) {
                // the runtime answers an upload it will not take (over its limit, wrong token) before reading it
                // and closes the connection; a client still writing then sees the close, not the answer
                err.println("mosaic: the runtime at " + base + " closed the connection during the upload of "
                        + call.body().length + " bytes (" + e.getMessage() + "): it refuses uploads over "
                        + "mosaic.mgmt.maxUploadBytes (64 MiB unless configured) and requests with a wrong token unread");
                return 3;
            }
            err.println("mosaic: calling " + base + " failed: " + e);
            return 3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 3;
        } catch (IllegalArgumentException e) {
            err.println("mosaic: '" + base + "' is not a valid URL");
            return 2;
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            out.println(response.body().stripTrailing());
            return 0;
        }
        if (status == 503 && call.path().equals("/health")) {
            out.println(response.body().stripTrailing()); // degraded: the answer is the report
            return 1;
        }
        if (json) {
            err.println(response.body().stripTrailing());
        } else {
            err.println("mosaic: " + describeError(status, response.body()));
        }
        return status == 401 ? 3 : 1;
    }

    private static String describeError(int status, String body) {
        try {
            JsonNode e = new ObjectMapper().readTree(body);
            if (e.has("error")) {
                return e.path("message").asText() + " [" + e.path("error").asText() + ", HTTP " + status + "]";
            }
        } catch (IOException ignored) {
            // not JSON: show it as it is
        }
        return "HTTP " + status + ": " + body.stripTrailing();
    }

    /** The token: MOSAIC_TOKEN, else --token-file, else the runtime's data directory (--data, default ./mosaic-data). */
    private String token(Args a) {
        String fromEnv = System.getenv("MOSAIC_TOKEN");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        Path file = a.has("--token-file") ? Path.of(a.get("--token-file", ""))
                : Path.of(a.get("--data", "mosaic-data")).resolve("mgmt-token");
        try {
            String token = Files.readString(file).trim();
            if (!token.isEmpty()) {
                return token;
            }
        } catch (IOException e) {
            // reported below
        }
        err.println("mosaic: no management token: set MOSAIC_TOKEN, or point --data at the runtime's data directory"
                + " (looked for " + file.toAbsolutePath() + ")");
        return null;
    }

    /** @return {@code ?name=value&...} for the options given, or "" if none is */
    private static String query(Args a, String... optionAndName) {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i + 1 < optionAndName.length; i += 2) {
            if (a.has(optionAndName[i])) {
                q.append(q.length() == 0 ? '?' : '&').append(optionAndName[i + 1]).append('=').append(enc(a.get(optionAndName[i], "")));
            }
        }
        return q.toString();
    }

    private static String one(Args a, String usage) throws Args.UsageException {
        if (a.positional.size() != 1) {
            throw new Args.UsageException("usage: mosaic " + usage);
        }
        return a.positional.get(0);
    }

    private static List<String> two(Args a, String usage) throws Args.UsageException {
        if (a.positional.size() != 2) {
            throw new Args.UsageException("usage: mosaic " + usage);
        }
        return a.positional;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.HashSet<String> s = new java.util.HashSet<>(a);
        s.addAll(b);
        return s;
    }
}
