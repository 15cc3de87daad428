package dev.mosaic.testkit;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.api.Backend;
import dev.mosaic.api.BackendCall;
import dev.mosaic.api.BackendException;
import dev.mosaic.api.BackendException.Reason;
import dev.mosaic.api.BackendResponse;

/**
 * Backends for a handler under test: each call gets the answer the test gave for its backend,
 * method and path (placeholders filled and encoded as the platform does), or fails as a real
 * backend can ({@link Reason#DEADLINE}, {@link Reason#BREAKER_OPEN}, ...). Calls are kept, in
 * order, for assertions. A call nobody answered fails with a message saying what to add.
 *
 * <pre>{@code
 * FakeBackends fakes = new FakeBackends();
 * fakes.on("recommendations", "GET", "/kids").json("{\"titles\":[\"80057281\"]}");
 * fakes.on("bookmarks", "GET", "/kids").fail(BackendException.Reason.DEADLINE);
 * }</pre>
 */
public final class FakeBackends {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^/{}]*}");
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private volatile java.nio.file.Path recordings;

    /**
     * Answers the calls nothing was set for from recordings ({@code bin/mosaic dev --record} writes them, by default to
     * {@code src/test/resources/mosaic-recordings}): production-shaped data, the same every run.
     */
    public FakeBackends replaying(java.nio.file.Path directory) {
        if (!java.nio.file.Files.isDirectory(directory)) {
            throw new IllegalArgumentException("no recordings in " + directory.toAbsolutePath() + ": record them with"
                    + " bin/mosaic dev --record");
        }
        this.recordings = directory;
        return this;
    }

    /** What a backend answers to one method and path (its query string included, if the call adds one). */
    public Stub on(String backend, String method, String path) {
        return new Stub(key(backend, method.toUpperCase(Locale.ROOT), path));
    }

    /** @return the calls made so far, as {@code backend METHOD /path?query} */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    Backend backend(String name) {
        return new FakeBackend(name);
    }

    private static String key(String backend, String method, String target) {
        return backend + " " + method + " " + target;
    }

    /** One answer being set. */
    public final class Stub {
        private final String key;

        private Stub(String key) {
            this.key = key;
        }

        /** Answers 200 with this JSON. */
        public FakeBackends json(String json) {
            return answer(200, json.getBytes(StandardCharsets.UTF_8), "application/json");
        }

        public FakeBackends answer(int status, byte[] body, String contentType) {
            answers.put(key, new Answer(status, body.clone(), contentType, null));
            return FakeBackends.this;
        }

        /** Fails the call as the platform would for this reason. */
        public FakeBackends fail(Reason reason) {
            answers.put(key, new Answer(0, null, null, reason));
            return FakeBackends.this;
        }
    }

    private record Answer(int status, byte[] body, String contentType, Reason failure) {
    }

    private final class FakeBackend implements Backend {
        private final String name;

        FakeBackend(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public BackendCall get(String path, Object... params) {
            return call("GET", path, params);
        }

        @Override
        public BackendCall post(String path, Object... params) {
            return call("POST", path, params);
        }

        @Override
        public BackendCall put(String path, Object... params) {
            return call("PUT", path, params);
        }

        @Override
        public BackendCall delete(String path, Object... params) {
            return call("DELETE", path, params);
        }

        @Override
        public BackendCall call(String method, String path, Object... params) {
            return new FakeCall(name, method.toUpperCase(Locale.ROOT), expand(path, params == null ? new Object[0] : params));
        }
    }

    /** Fills placeholders one encoded path segment each, as the platform does. */
    static String expand(String template, Object[] params) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (m.find()) {
            if (i >= params.length) {
                throw new IllegalArgumentException("path " + template + " has more placeholders than the " + params.length
                        + " value(s) given");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(URLEncoder.encode(String.valueOf(params[i++]), StandardCharsets.UTF_8)
                    .replace("+", "%20")));
        }
        m.appendTail(sb);
        if (i != params.length) {
            throw new IllegalArgumentException("path " + template + " has " + i + " placeholder(s) but " + params.length
                    + " value(s) were given");
        }
        return sb.toString();
    }

    private final class FakeCall implements BackendCall {
        private final String backend;
        private final String method;
        private final String path;
        private final StringBuilder query = new StringBuilder();

        FakeCall(String backend, String method, String path) {
            this.backend = backend;
            this.method = method;
            this.path = path;
        }

        @Override
        public BackendCall header(String name, String value) {
            return this;
        }

        @Override
        public BackendCall query(String name, String value) {
            query.append(query.length() == 0 ? '?' : '&').append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8));
            return this;
        }

        @Override
        public BackendCall json(Object body) {
            return this;
        }

        @Override
        public BackendCall body(byte[] body, String contentType) {
            return this;
        }

        @Override
        public BackendCall timeout(Duration timeout) {
            return this;
        }

        @Override
        public <T> CompletionStage<T> as(Class<T> type) {
            return send().thenApply(r -> {
                if (r.status() < 200 || r.status() > 299) {
                    throw new BackendException(backend, Reason.STATUS, r.status(), "backend " + backend + " answered "
                            + r.status() + " to " + method + " " + path, null);
                }
                return r.json(type);
            });
        }

        @Override
        public CompletionStage<byte[]> bytes() {
            return send().thenApply(BackendResponse::body);
        }

        @Override
        public CompletionStage<BackendResponse> send() {
            String target = path + query;
            calls.add(backend + " " + method + " " + target);
            Answer a = answers.get(key(backend, method, target));
            if (a == null && recordings != null) {
                a = recorded(backend, method, target);
            }
            if (a == null) {
                return CompletableFuture.failedFuture(new BackendException(backend, Reason.UNDECLARED, 0, "no fake answer for "
                        + method + " " + target + " on backend " + backend + "; add one: fakes.on(\"" + backend + "\", \""
                        + method + "\", \"" + target + "\").json(...)", null));
            }
            if (a.failure() != null) {
                return CompletableFuture.failedFuture(new BackendException(backend, a.failure(), 0, "backend " + backend
                        + " failed (" + a.failure() + ", faked) for " + method + " " + target, null));
            }
            return CompletableFuture.completedFuture(new FakeResponse(backend, method + " " + target, a));
        }
    }

    /** @return the recorded answer to the call, or null */
    private Answer recorded(String backend, String method, String target) {
        dev.mosaic.backends.Recordings.Recorded r;
        try {
            r = dev.mosaic.backends.Recordings.read(recordings, backend, method, target);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (r == null) {
            return null;
        }
        String type = r.headers().entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase("Content-Type"))
                .map(h -> h.getValue().get(0)).findFirst().orElse(null);
        return new Answer(r.status(), r.bodyBytes(), type, null);
    }

    private record FakeResponse(String backend, String what, Answer answer) implements BackendResponse {
        @Override
        public int status() {
            return answer.status();
        }

        @Override
        public String header(String name) {
            return name.equalsIgnoreCase("Content-Type") ? answer.contentType() : null;
        }

        @Override
        public Map<String, List<String>> headers() {
            Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            if (answer.contentType() != null) {
                h.put("Content-Type", List.of(answer.contentType()));
            }
            return Collections.unmodifiableMap(h);
        }

        @Override
        public byte[] body() {
            return answer.body().clone();
        }

        @Override
        public <T> T json(Class<T> type) {
            // as the platform's client reads it (the content type checked, unknown properties skipped)
            return dev.mosaic.backends.JsonFit.backendAnswer(JSON, backend, answer.status(), what, answer.contentType(),
                    answer.body(), type);
        }
    }
}
