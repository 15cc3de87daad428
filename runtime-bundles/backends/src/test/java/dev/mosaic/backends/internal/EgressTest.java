package dev.mosaic.backends.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.api.BackendException;
import dev.mosaic.api.BackendException.Reason;
import dev.mosaic.api.BackendResponse;
import dev.mosaic.backends.BackendSpec;
import dev.mosaic.backends.BackendStats;
import dev.mosaic.backends.Backends;
import dev.mosaic.backends.testing.TestBackend;
import dev.mosaic.backends.testing.TestBackend.Behaviour;
import dev.mosaic.backends.testing.TestBackend.Mode;

/** The egress against real HTTP backends on loopback: deadlines, retries, budget, breaker, limits, de-duplication. */
class EgressTest {

    public record Recs(List<String> titles) {
    }

    private final Map<String, String> environment = new HashMap<>();
    private final Egress egress = new Egress(environment::get);
    private final List<TestBackend> backends = new ArrayList<>();
    private final ObjectMapper mapper = new ObjectMapper();

    @BeforeEach
    void start() {
        egress.start();
    }

    @AfterEach
    void stop() {
        egress.stop();
        backends.forEach(TestBackend::close);
    }

    private TestBackend backend() {
        TestBackend b = TestBackend.start();
        backends.add(b);
        return b;
    }

    private void declare(String env, String name, Map<String, List<String>> options) {
        BackendSpec spec = BackendSpec.parse(name, options);
        egress.check(spec);
        List<BackendSpec> all = new ArrayList<>();
        egress.stats(env).forEach(s -> {
            if (!s.spec().name().equals(name)) {
                all.add(s.spec());
            }
        });
        all.add(spec);
        egress.apply(env, all);
    }

    private Backends.Scope scope(String env, long deadlineMillis, String traceparent) {
        return egress.open(new Backends.Caller(env, "tv-home", "1.2.0", Set.of("recs", "marks"),
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMillis), "req-1", traceparent, mapper, null));
    }

    private Backends.Scope scope() {
        return scope("prod", 10_000, null);
    }

    private static BackendException failure(CompletionStage<?> stage) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> stage.toCompletableFuture().get(10, TimeUnit.SECONDS));
        Throwable cause = e.getCause();
        return assertInstanceOf(BackendException.class, cause, () -> "expected a BackendException, got " + cause);
    }

    private static <T> T value(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within 10 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    private BackendStats stats(String env, String name) {
        return egress.stats(env).stream().filter(s -> s.spec().name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aCallReadsJsonIntoTheAdaptersTypeAndCarriesTheRequestIdTraceAndDeclaredHeaders() throws Exception {
        TestBackend b = backend().behave(Behaviour.json("{\"titles\":[\"a\",\"b\"],\"addedLater\":1}"));
        environment.put("RECS_KEY", "s3cret-value");
        declare("prod", "recs", Map.of("url", List.of(b.url() + "/v1"), "header", List.of("X-Client=tv"),
                "secret-header", List.of("X-Api-Key=env:RECS_KEY")));
        String incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Backends.Scope scope = scope("prod", 10_000, incoming);
        Recs recs = value(scope.backend("recs").get("/recs/{profile}", "kids & co").query("limit", "2").as(Recs.class));
        assertEquals(List.of("a", "b"), recs.titles());
        TestBackend.Seen seen = b.seen().get(0);
        assertEquals("/v1/recs/kids%20%26%20co?limit=2", seen.target());
        assertEquals("req-1", seen.headers().get("X-Request-Id"));
        assertEquals("tv", seen.headers().get("X-Client"));
        assertEquals("s3cret-value", seen.headers().get("X-Api-Key"));
        String traceparent = seen.headers().get("traceparent");
        assertTrue(traceparent.matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01"), traceparent);
        assertNotEquals("00f067aa0ba902b7", traceparent.split("-")[2], "each call is a new span of the same trace");
        // without a traceparent coming in, one is started (and the same trace id serves all calls of the request)
        Backends.Scope fresh = scope();
        value(fresh.backend("recs").get("/a").send());
        value(fresh.backend("recs").get("/b").send());
        List<TestBackend.Seen> all = b.seen();
        String t1 = all.get(1).headers().get("traceparent").split("-")[1];
        String t2 = all.get(2).headers().get("traceparent").split("-")[1];
        assertEquals(t1, t2);
        assertNotEquals("4bf92f3577b34da6a3ce929d0e0e4736", t1);
        // the secret is in no listing
        assertFalse(egress.stats(null).toString().contains("s3cret-value"));
    }

    @Test
    void whileTheRuntimeTracesEachAttemptIsASpanWhoseIdTheBackendReceives() throws Exception {
        io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter spans = io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter.create();
        io.opentelemetry.sdk.trace.SdkTracerProvider provider = io.opentelemetry.sdk.trace.SdkTracerProvider.builder()
                .addSpanProcessor(io.opentelemetry.sdk.trace.export.SimpleSpanProcessor.create(spans)).build();
        egress.traced(provider);
        try {
            TestBackend b = backend();
            declare("prod", "recs", Map.of("url", List.of(b.url())));
            int[] n = {0};
            b.behave(r -> ++n[0] == 1 ? Behaviour.status(503) : Behaviour.json("{\"titles\":[\"x\"]}"));
            String requestSpan = "00f067aa0ba902b7";
            Backends.Scope scope = scope("prod", 10_000, "00-4bf92f3577b34da6a3ce929d0e0e4736-" + requestSpan + "-01");
            assertEquals(List.of("x"), value(scope.backend("recs").get("/recs/{p}", "kids").query("key", "s3cret").as(Recs.class))
                    .titles());
            await(() -> spans.getFinishedSpanItems().size() == 2, "a span per attempt");
            List<io.opentelemetry.sdk.trace.data.SpanData> attempts = spans.getFinishedSpanItems();
            for (int i = 0; i < 2; i++) {
                io.opentelemetry.sdk.trace.data.SpanData span = attempts.get(i);
                assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-" + span.getSpanId() + "-01", b.seen().get(i).headers().get("traceparent"),
                        "the backend receives the id of the attempt's own span");
                assertEquals(requestSpan, span.getParentSpanId(), "a call is the child of its request's span");
                assertEquals(io.opentelemetry.api.trace.SpanKind.CLIENT, span.getKind());
                assertEquals("GET recs", span.getName());
                io.opentelemetry.api.common.Attributes a = span.getAttributes();
                assertEquals("recs", a.get(io.opentelemetry.api.common.AttributeKey.stringKey("mosaic.backend")));
                assertEquals("tv-home", a.get(io.opentelemetry.api.common.AttributeKey.stringKey("mosaic.adapter")));
                assertEquals("1.2.0", a.get(io.opentelemetry.api.common.AttributeKey.stringKey("mosaic.adapter.version")));
                assertEquals("prod", a.get(io.opentelemetry.api.common.AttributeKey.stringKey("mosaic.environment")));
                assertEquals(b.url() + "/recs/kids", a.get(io.opentelemetry.api.common.AttributeKey.stringKey("url.full")),
                        "no query: it may hold a secret");
            }
            assertEquals(503L, attempts.get(0).getAttributes().get(io.opentelemetry.api.common.AttributeKey.longKey("http.response.status_code")));
            assertEquals(io.opentelemetry.api.trace.StatusCode.ERROR, attempts.get(0).getStatus().getStatusCode());
            assertEquals(200L, attempts.get(1).getAttributes().get(io.opentelemetry.api.common.AttributeKey.longKey("http.response.status_code")));
            assertEquals(1L, attempts.get(1).getAttributes().get(io.opentelemetry.api.common.AttributeKey.longKey("http.request.resend_count")));

            // tracing goes away: calls still carry the trace, and make no span
            egress.untraced(provider);
            value(scope("prod", 10_000, "00-4bf92f3577b34da6a3ce929d0e0e4736-" + requestSpan + "-01").backend("recs").get("/r").send());
            assertTrue(b.seen().get(2).headers().get("traceparent").startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
            assertEquals(2, spans.getFinishedSpanItems().size());
        } finally {
            provider.shutdown();
        }
    }

    @Test
    void theDeadlineIsTheSmallerOfTheBackendsTimeoutAndWhatIsLeftOfTheRequest() throws Exception {
        TestBackend b = backend().behave(Behaviour.json("{}").delayed(3_000));
        declare("prod", "recs", Map.of("url", List.of(b.url()), "timeout", List.of("200ms")));
        long start = System.nanoTime();
        BackendException e = failure(scope().backend("recs").get("/slow").send());
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(Reason.DEADLINE, e.reason());
        assertTrue(took >= 190 && took < 1_000, "the backend's 200 ms timeout fired after " + took + " ms");
        assertTrue(e.getMessage().contains("recs") && e.getMessage().contains("GET /slow"), e.getMessage());

        start = System.nanoTime();
        declare("prod", "recs", Map.of("url", List.of(b.url()), "timeout", List.of("5s")));
        e = failure(scope("prod", 300, null).backend("recs").get("/slow").send());
        took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(Reason.DEADLINE, e.reason());
        assertTrue(took < 1_500, "the request's 300 ms deadline bounds a 5 s backend timeout; took " + took + " ms");

        // and a call's own timeout shortens it further
        start = System.nanoTime();
        e = failure(scope().backend("recs").get("/slow").timeout(Duration.ofMillis(100)).send());
        took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(took < 1_000, "took " + took + " ms");
        // the same backend answers in time when it is quick
        b.behave(Behaviour.json("{\"titles\":[]}"));
        assertEquals(List.of(), value(scope().backend("recs").get("/fast").as(Recs.class)).titles());
    }

    @Test
    void idempotentCallsAreRetriedOnUnavailableAnswersAndPostsNever() throws Exception {
        TestBackend b = backend();
        int[] n = {0};
        declare("prod", "recs", Map.of("url", List.of(b.url())));
        for (int i = 0; i < 10; i++) { // ten calls in the window: the budget allows 20% of them, plus one
            value(scope().backend("recs").get("/warm").send());
        }
        b.forget();
        b.behave(r -> ++n[0] <= 2 ? Behaviour.status(503) : Behaviour.json("{\"titles\":[\"x\"]}"));
        assertEquals(List.of("x"), value(scope().backend("recs").get("/r").as(Recs.class)).titles());
        assertEquals(3, b.requests(), "two retries, then the answer");
        assertEquals(2, stats("prod", "recs").retries());

        b.forget();
        b.behave(Behaviour.status(503));
        BackendResponse post = value(scope().backend("recs").post("/r").json(Map.of("a", 1)).send());
        assertEquals(503, post.status());
        assertEquals(1, b.requests(), "a POST is never retried");
        assertEquals("{\"a\":1}", b.seen().get(0).body());
        // a 4xx is the caller's problem: not retried either
        b.forget();
        b.behave(Behaviour.status(404));
        BackendException e = failure(scope().backend("recs").get("/missing").as(Recs.class));
        assertEquals(Reason.STATUS, e.reason());
        assertEquals(404, e.status());
        assertEquals(1, b.requests());
    }

    @Test
    void retriesStayWithinTheBudget() throws Exception {
        TestBackend b = backend().behave(Behaviour.status(503));
        // a breaker that never opens, so that every call reaches the backend
        declare("prod", "recs", Map.of("url", List.of(b.url()), "retries", List.of("3"), "breaker-failure-rate",
                List.of("100%"), "breaker-min-calls", List.of("1000000")));
        int calls = 100;
        for (int i = 0; i < calls; i++) {
            assertEquals(503, value(scope().backend("recs").get("/r").send()).status());
        }
        BackendStats s = stats("prod", "recs");
        assertEquals(calls, s.calls());
        assertTrue(s.retries() >= 10 && s.retries() <= calls * 20 / 100 + 1, "retries: " + s.retries());
        assertEquals(calls + s.retries(), b.requests());
        assertTrue(s.retriesRefused() > 0);
        assertEquals(calls, s.errors());
    }

    @Test
    void theBreakerOpensFailsFastHalfOpensAndCloses() throws Exception {
        TestBackend b = backend().behave(Behaviour.status(500));
        declare("prod", "recs", Map.of("url", List.of(b.url()), "retries", List.of("0"), "breaker-min-calls", List.of("10"),
                "breaker-open", List.of("300ms")));
        for (int i = 0; i < 10; i++) {
            assertEquals(500, value(scope().backend("recs").get("/r").send()).status());
        }
        assertEquals("open", stats("prod", "recs").breaker());
        int before = b.requests();
        BackendException e = failure(scope().backend("recs").get("/r").send());
        assertEquals(Reason.BREAKER_OPEN, e.reason());
        assertEquals(before, b.requests(), "an open breaker fails fast, without calling");
        b.behave(Behaviour.json("{\"titles\":[]}"));
        await(() -> {
            try {
                return value(scope().backend("recs").get("/r").send()).status() == 200;
            } catch (Exception failed) {
                return false;
            }
        }, "a probe goes through once the breaker half-opens");
        for (int i = 0; i < 3; i++) {
            value(scope().backend("recs").get("/r").send());
        }
        BackendStats s = stats("prod", "recs");
        assertEquals("closed", s.breaker());
        assertEquals(List.of("closed>open", "open>half_open", "half_open>closed"),
                s.transitions().stream().map(t -> t.from() + ">" + t.to()).toList());
        assertTrue(s.rejected() >= 1);
    }

    @Test
    void theConcurrencyLimitHolds() throws Exception {
        TestBackend b = backend().behave(Behaviour.of(Mode.HANG));
        declare("prod", "recs", Map.of("url", List.of(b.url()), "max-concurrent", List.of("3"), "timeout", List.of("2s")));
        Backends.Scope scope = scope();
        List<CompletableFuture<BackendResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(scope.backend("recs").get("/hang/" + i).send().toCompletableFuture());
        }
        long saturated = calls.stream().filter(f -> f.isCompletedExceptionally()).count();
        assertEquals(2, saturated, "two over the limit fail at once");
        assertEquals(Reason.SATURATED, failure(calls.get(4)).reason());
        await(() -> b.requests() == 3, "three reach the backend");
        assertEquals(3, stats("prod", "recs").inFlight());
        scope.close();
        for (int i = 0; i < 3; i++) {
            assertEquals(Reason.DEADLINE, failure(calls.get(i)).reason(), "closing the scope abandons its calls");
        }
        await(() -> stats("prod", "recs").inFlight() == 0, "their places are given back");
        b.behave(Behaviour.json("{}"));
        assertEquals(200, value(scope().backend("recs").get("/after").send()).status());
    }

    @Test
    void theSameGetInOneRequestGoesOutOnce() throws Exception {
        TestBackend b = backend().behave(Behaviour.json("{\"titles\":[\"d\"]}").delayed(100));
        declare("prod", "recs", Map.of("url", List.of(b.url())));
        Backends.Scope scope = scope();
        CompletionStage<Recs> one = scope.backend("recs").get("/r/{p}", 7).as(Recs.class);
        CompletionStage<Recs> two = scope.backend("recs").get("/r/{p}", 7).as(Recs.class);
        CompletionStage<Recs> other = scope.backend("recs").get("/r/{p}", 7).header("X-Variant", "b").as(Recs.class);
        assertEquals(value(one), value(two));
        value(other);
        assertEquals(2, b.requests(), "the identical GET went out once; the one with another header went out");
        value(scope().backend("recs").get("/r/{p}", 7).as(Recs.class));
        assertEquals(3, b.requests(), "another request makes its own call");
    }

    @Test
    void aFailingUrlIsSkippedAndItsCallRetriedOnTheNext() throws Exception {
        TestBackend b = backend().behave(Behaviour.json("{\"titles\":[]}"));
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        declare("prod", "recs", Map.of("url", List.of("http://127.0.0.1:" + closedPort, b.url())));
        for (int i = 0; i < 6; i++) {
            value(scope().backend("recs").get("/r").as(Recs.class));
        }
        BackendStats s = stats("prod", "recs");
        assertEquals(6, b.requests(), "every call answered by the working URL");
        assertTrue(s.retries() <= 1, "the refusing URL was tried once, then skipped: " + s.retries());
        assertTrue(s.urls().get(0).skipped(), s.urls().toString());
        assertFalse(s.urls().get(1).skipped());
        // a POST is not retried: with only the refusing URL, it fails naming the connection
        declare("prod", "marks", Map.of("url", List.of("http://127.0.0.1:" + closedPort)));
        BackendException e = failure(scope().backend("marks").post("/m").send());
        assertEquals(Reason.CONNECTION, e.reason());
        assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort), e.getMessage());
    }

    @Test
    void resetsSlowBodiesOversizedAndInvalidAnswersGiveClearFailures() throws Exception {
        TestBackend b = backend();
        b.behave(r -> switch (r.getHttpURI().getPath()) {
            case "/reset" -> Behaviour.of(Mode.RESET);
            case "/slow-body" -> new Behaviour(Mode.SLOW_BODY, 2_000, 200, "application/json", "{\"titles\":[]}");
            case "/big" -> Behaviour.json("{\"titles\":[\"" + "x".repeat(5_000) + "\"]}");
            case "/html" -> Behaviour.json("<html>oops</html>").typed("text/html");
            case "/broken" -> Behaviour.json("{\"titles\":[");
            case "/misfit" -> Behaviour.json("{\"titles\":[\"80057281\",{\"id\":\"70143836\"}]}");
            default -> Behaviour.json("{\"titles\":[]}");
        });
        declare("prod", "recs", Map.of("url", List.of(b.url()), "max-response", List.of("1KiB"), "timeout", List.of("500ms")));
        Backends.Scope scope = scope();
        BackendException reset = failure(scope.backend("recs").get("/reset").send());
        assertEquals(Reason.CONNECTION, reset.reason());
        assertTrue(b.requests() >= 2, "a GET that was reset is retried");
        assertEquals(Reason.DEADLINE, failure(scope.backend("recs").get("/slow-body").send()).reason());
        BackendException big = failure(scope.backend("recs").get("/big").send());
        assertEquals(Reason.TOO_LARGE, big.reason());
        assertTrue(big.getMessage().contains("1024 bytes"), big.getMessage());
        BackendException html = failure(scope.backend("recs").get("/html").as(Recs.class));
        assertEquals(Reason.INVALID_JSON, html.reason());
        assertTrue(html.getMessage().contains("recs") && html.getMessage().contains("200")
                && html.getMessage().contains("text/html"), html.getMessage());
        BackendException broken = failure(scope.backend("recs").get("/broken").as(Recs.class));
        assertEquals(Reason.INVALID_JSON, broken.reason());
        assertTrue(broken.getMessage().contains("with a body that is not JSON (") && broken.getMessage().contains("line 1"),
                broken.getMessage());
        // JSON, but not of the adapter's shape: where it does not fit
        BackendException misfit = failure(scope.backend("recs").get("/misfit").as(Recs.class));
        assertEquals(Reason.INVALID_JSON, misfit.reason());
        assertTrue(misfit.getMessage().contains("answered 200 to GET /misfit with JSON that does not fit Recs at titles[1] ("),
                misfit.getMessage());
        // the same backend answers a good call all along
        assertEquals(List.of(), value(scope.backend("recs").get("/ok").as(Recs.class)).titles());
    }

    @Test
    void undeclaredBackendsAndOtherEnvironmentsAreOutOfReach() throws Exception {
        TestBackend prod = backend().behave(Behaviour.json("{\"titles\":[\"prod\"]}"));
        TestBackend test = backend().behave(Behaviour.json("{\"titles\":[\"test\"]}"));
        declare("prod", "recs", Map.of("url", List.of(prod.url())));
        declare("test", "recs", Map.of("url", List.of(test.url())));
        assertEquals(List.of("test"), value(scope("test", 10_000, null).backend("recs").get("/r").as(Recs.class)).titles());
        assertEquals(List.of("prod"), value(scope().backend("recs").get("/r").as(Recs.class)).titles());
        BackendException notNamed = assertThrows(BackendException.class, () -> scope().backend("catalog"));
        assertEquals(Reason.UNDECLARED, notNamed.reason());
        assertTrue(notNamed.getMessage().contains("Mosaic-Backends"), notNamed.getMessage());
        BackendException notDeclared = failure(scope("stage", 10_000, null).backend("recs").get("/r").send());
        assertEquals(Reason.UNDECLARED, notDeclared.reason());
        assertTrue(notDeclared.getMessage().contains("not declared in environment 'stage'"), notDeclared.getMessage());
        assertThrows(IllegalArgumentException.class, () -> scope().backend("recs").get("//evil.example/x"));
        assertThrows(IllegalArgumentException.class, () -> scope().backend("recs").get("/r").header("X-Request-Id", "forged"));
    }

    @Test
    void secretsAreReferencedNeverGivenAndTheirErrorsNameTheReferenceOnly() {
        IllegalArgumentException inline = assertThrows(IllegalArgumentException.class, () -> BackendSpec.parse("recs",
                Map.of("url", List.of("http://x"), "secret-header", List.of("X-Api-Key=hunter2"))));
        assertFalse(inline.getMessage().contains("hunter2"), inline.getMessage());
        IllegalArgumentException plain = assertThrows(IllegalArgumentException.class, () -> BackendSpec.parse("recs",
                Map.of("url", List.of("http://x"), "header", List.of("Authorization=Bearer hunter2"))));
        assertFalse(plain.getMessage().contains("hunter2"));
        assertTrue(plain.getMessage().contains("--secret-header"), plain.getMessage());
        BackendSpec missing = BackendSpec.parse("recs", Map.of("url", List.of("http://x"), "secret-header",
                List.of("X-Api-Key=env:NOT_SET_ANYWHERE")));
        IllegalArgumentException unset = assertThrows(IllegalArgumentException.class, () -> egress.check(missing));
        assertTrue(unset.getMessage().contains("NOT_SET_ANYWHERE"), unset.getMessage());
        environment.put("NOT_SET_ANYWHERE", "now-set");
        egress.check(missing);
        assertEquals(BackendSpec.parse("recs", missing.options()), missing, "a declaration reads back from its options");
    }

    @Test
    void aCallIsRefusedOnceTheRequestIsAnswered() {
        TestBackend b = backend();
        declare("prod", "recs", Map.of("url", List.of(b.url())));
        Backends.Scope scope = scope();
        scope.close();
        CompletionException e = assertThrows(CompletionException.class,
                () -> scope.backend("recs").get("/late").send().toCompletableFuture().join());
        assertEquals(Reason.DEADLINE, ((BackendException) e.getCause()).reason());
        assertEquals(0, b.requests());
    }

    /** Runs the JDK's keytool; the test's key and trust stores are made fresh, valid for two days. */
    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
        assertEquals(0, p.exitValue(), out);
    }

    /** A new RSA key pair and its self-signed certificate, valid for two days, in a PKCS12 store. */
    private static void keyPair(String store, String alias, String password, String... names) throws Exception {
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-keystore", store, "-storetype", "PKCS12", "-storepass", password, "-keypass", password));
        args.addAll(List.of(names));
        keytool(args.toArray(new String[0]));
    }

    /** Adds the certificate of {@code alias} in {@code store} to a PKCS12 trust store (made if absent), through a PEM file. */
    private static void trust(String store, String alias, String password, String pem, String trustStore, String trustPassword)
            throws Exception {
        keytool("-exportcert", "-rfc", "-alias", alias, "-keystore", store, "-storepass", password, "-file", pem);
        keytool("-importcert", "-noprompt", "-alias", alias, "-file", pem, "-keystore", trustStore, "-storetype", "PKCS12",
                "-storepass", trustPassword);
    }

    @Test
    void httpsVerifiesTheHostNameAgainstAnOperatorsTrustStore(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String keyStore = dir.resolve("backend.p12").toString();
        String trustStore = dir.resolve("trust.p12").toString();
        String cert = dir.resolve("backend.pem").toString();
        keyPair(keyStore, "backend", "key-pw", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost");
        trust(keyStore, "backend", "key-pw", cert, trustStore, "trust-pw");
        java.nio.file.Path password = java.nio.file.Files.writeString(dir.resolve("trust-password"), "trust-pw\n");
        TestBackend tls = TestBackend.startTls(keyStore, "key-pw");
        backends.add(tls);
        tls.behave(Behaviour.json("{\"titles\":[\"secure\"]}"));

        declare("prod", "recs", Map.of("url", List.of("https://localhost:" + tls.port()), "trust-store", List.of(trustStore),
                "trust-store-password", List.of("file:" + password), "retries", List.of("0")));
        assertEquals(List.of("secure"), value(scope().backend("recs").get("/r").as(Recs.class)).titles());

        // the same certificate, reached under a name it does not carry: refused
        declare("prod", "marks", Map.of("url", List.of("https://127.0.0.1:" + tls.port()), "trust-store", List.of(trustStore),
                "trust-store-password", List.of("file:" + password), "retries", List.of("0")));
        BackendException wrongName = failure(scope().backend("marks").get("/r").send());
        assertEquals(Reason.CONNECTION, wrongName.reason());
        // and with the JVM's trust store, which does not know this certificate: refused too
        declare("test", "recs", Map.of("url", List.of("https://localhost:" + tls.port()), "retries", List.of("0")));
        BackendException untrusted = failure(scope("test", 10_000, null).backend("recs").get("/r").send());
        assertEquals(Reason.CONNECTION, untrusted.reason());
        assertTrue(untrusted.getMessage().contains("SSL") || untrusted.getMessage().contains("certificat"),
                untrusted.getMessage());
        assertEquals(1, tls.requests(), "only the verified connection got as far as a request");
        // a trust store whose password cannot be read is refused when declared, naming the reference only
        BackendSpec unreadable = BackendSpec.parse("recs", Map.of("url", List.of("https://localhost:1"), "trust-store",
                List.of(trustStore), "trust-store-password", List.of("env:NO_SUCH_PASSWORD_VAR")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> egress.check(unreadable));
        assertTrue(e.getMessage().contains("NO_SUCH_PASSWORD_VAR"), e.getMessage());
    }

    @Test
    void aClientCertificateFromAnOperatorsKeyStoreIsPresented(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String serverKeys = dir.resolve("backend.p12").toString();
        String serverTrust = dir.resolve("backend-trusts.p12").toString();
        String clientKeys = dir.resolve("mosaic.p12").toString();
        String clientTrust = dir.resolve("mosaic-trusts.p12").toString();
        keyPair(serverKeys, "backend", "key-pw", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost");
        keyPair(clientKeys, "mosaic", "client-pw", "-dname", "CN=mosaic");
        // each side trusts the other's certificate
        trust(serverKeys, "backend", "key-pw", dir.resolve("backend.pem").toString(), clientTrust, "trust-pw");
        trust(clientKeys, "mosaic", "client-pw", dir.resolve("mosaic.pem").toString(), serverTrust, "server-trust-pw");
        java.nio.file.Path trustPassword = java.nio.file.Files.writeString(dir.resolve("trust-password"), "trust-pw\n");
        java.nio.file.Path keyPassword = java.nio.file.Files.writeString(dir.resolve("key-password"), "client-pw\n");
        TestBackend tls = TestBackend.startMutualTls(serverKeys, "key-pw", serverTrust, "server-trust-pw");
        backends.add(tls);
        tls.behave(Behaviour.json("{\"titles\":[\"mutual\"]}"));

        // without a client certificate the backend refuses the connection
        declare("prod", "recs", Map.of("url", List.of("https://localhost:" + tls.port()), "trust-store", List.of(clientTrust),
                "trust-store-password", List.of("file:" + trustPassword), "retries", List.of("0")));
        BackendException refused = failure(scope().backend("recs").get("/r").send());
        assertEquals(Reason.CONNECTION, refused.reason());
        assertEquals(0, tls.requests());
        // with the operator's key store (its password from a file) it is presented and the call answers
        declare("prod", "recs", Map.of("url", List.of("https://localhost:" + tls.port()), "trust-store", List.of(clientTrust),
                "trust-store-password", List.of("file:" + trustPassword), "key-store", List.of(clientKeys),
                "key-store-password", List.of("file:" + keyPassword), "retries", List.of("0")));
        assertEquals(List.of("mutual"), value(scope().backend("recs").get("/r").as(Recs.class)).titles());
        assertEquals(1, tls.requests());
    }
}
