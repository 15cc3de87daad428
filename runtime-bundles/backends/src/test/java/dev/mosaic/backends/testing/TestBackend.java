package dev.mosaic.backends.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A real HTTP backend on loopback for tests and benchmarks, whose behaviour a test sets: answer
 * (after a delay, with a status, a content type, a body), reset the connection, hang, trickle
 * its body, answer too much. It records what it received.
 */
public final class TestBackend implements AutoCloseable {

    /** What to do with a request. */
    public enum Mode { ANSWER, RESET, HANG, SLOW_BODY }

    /** How to answer. */
    public record Behaviour(Mode mode, long delayMillis, int status, String contentType, String body) {
        public static Behaviour json(String body) {
            return new Behaviour(Mode.ANSWER, 0, 200, "application/json", body);
        }

        public static Behaviour status(int status) {
            return new Behaviour(Mode.ANSWER, 0, status, "application/json", "{\"error\":" + status + "}");
        }

        public static Behaviour of(Mode mode) {
            return new Behaviour(mode, 0, 200, "application/json", "{}");
        }

        public Behaviour delayed(long millis) {
            return new Behaviour(mode, millis, status, contentType, body);
        }

        public Behaviour typed(String type) {
            return new Behaviour(mode, delayMillis, status, type, body);
        }
    }

    /** One request as the backend received it. */
    public record Seen(String method, String target, Map<String, String> headers, String body) {
    }

    private final Server server;
    private final ServerConnector connector;
    private volatile Function<Request, Behaviour> behaviour = r -> Behaviour.json("{}");
    private final Queue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger maxActive = new AtomicInteger();
    private final CountDownLatch closing = new CountDownLatch(1);

    private TestBackend(String keyStore, String password, String clientTrustStore, String clientTrustPassword) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(400, 8);
        threads.setName("test-backend");
        server = new Server(threads);
        if (keyStore == null) {
            connector = new ServerConnector(server, 1, 1);
        } else {
            org.eclipse.jetty.util.ssl.SslContextFactory.Server tls = new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
            tls.setKeyStorePath(keyStore);
            tls.setKeyStorePassword(password);
            tls.setKeyStoreType("PKCS12");
            if (clientTrustStore != null) {
                // clients must present a certificate this trust store knows
                tls.setNeedClientAuth(true);
                tls.setTrustStorePath(clientTrustStore);
                tls.setTrustStorePassword(clientTrustPassword);
                tls.setTrustStoreType("PKCS12");
            }
            // SNI is not required: a client asking for 127.0.0.1 gets the certificate and must refuse its name itself
            tls.setSniRequired(false);
            org.eclipse.jetty.server.SecureRequestCustomizer secure = new org.eclipse.jetty.server.SecureRequestCustomizer();
            secure.setSniHostCheck(false);
            org.eclipse.jetty.server.HttpConfiguration config = new org.eclipse.jetty.server.HttpConfiguration();
            config.addCustomizer(secure);
            connector = new ServerConnector(server, 1, 1, new org.eclipse.jetty.server.SslConnectionFactory(tls, "http/1.1"),
                    new org.eclipse.jetty.server.HttpConnectionFactory(config));
        }
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return serve(request, response, callback);
            }
        });
        server.start();
    }

    public static TestBackend start() {
        return startTls(null, null);
    }

    /** An https backend presenting the certificate of a PKCS12 key store. */
    public static TestBackend startTls(String keyStore, String password) {
        return startMutualTls(keyStore, password, null, null);
    }

    /** An https backend that also requires a client certificate known to a PKCS12 trust store. */
    public static TestBackend startMutualTls(String keyStore, String password, String clientTrustStore, String clientTrustPassword) {
        try {
            return new TestBackend(keyStore, password, clientTrustStore, clientTrustPassword);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** @return {@code http://127.0.0.1:PORT} */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public TestBackend behave(Behaviour b) {
        behaviour = r -> b;
        return this;
    }

    /** Chooses the behaviour per request (by its path, say). */
    public TestBackend behave(Function<Request, Behaviour> choose) {
        behaviour = choose;
        return this;
    }

    /** Fails a share of the requests with a 503, answers the others with {@code ok}. */
    public TestBackend failing(double share, Behaviour ok) {
        behaviour = r -> ThreadLocalRandom.current().nextDouble() < share ? Behaviour.status(503) : ok;
        return this;
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    public int requests() {
        return seen.size();
    }

    public void forget() {
        seen.clear();
        maxActive.set(0);
    }

    /** @return the most requests it was answering at once */
    public int maxActive() {
        return maxActive.get();
    }

    private boolean serve(Request request, Response response, Callback callback) throws Exception {
        int now = active.incrementAndGet();
        maxActive.accumulateAndGet(now, Math::max);
        try {
            Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (HttpField f : request.getHeaders()) {
                headers.put(f.getName(), f.getValue());
            }
            String body = org.eclipse.jetty.io.Content.Source.asString(request, StandardCharsets.UTF_8);
            seen.add(new Seen(request.getMethod(), request.getHttpURI().getPathQuery(), headers, body));
            Behaviour b = behaviour.apply(request);
            if (b.delayMillis() > 0 && b.mode() != Mode.SLOW_BODY) {
                closing.await(b.delayMillis(), TimeUnit.MILLISECONDS);
            }
            switch (b.mode()) {
                case HANG -> {
                    closing.await(5, TimeUnit.MINUTES);
                    callback.failed(new IllegalStateException("hung"));
                }
                case RESET -> {
                    request.getConnectionMetaData().getConnection().getEndPoint().close();
                    callback.failed(new IllegalStateException("reset"));
                }
                case SLOW_BODY -> {
                    byte[] bytes = b.body().getBytes(StandardCharsets.UTF_8);
                    response.setStatus(b.status());
                    response.getHeaders().put("Content-Type", b.contentType());
                    response.getHeaders().put("Content-Length", String.valueOf(bytes.length));
                    Callback.Completable first = new Callback.Completable();
                    response.write(false, ByteBuffer.wrap(bytes, 0, Math.min(1, bytes.length)), first);
                    first.get();
                    closing.await(b.delayMillis(), TimeUnit.MILLISECONDS);
                    response.write(true, ByteBuffer.wrap(bytes, Math.min(1, bytes.length), bytes.length - Math.min(1, bytes.length)),
                            callback);
                }
                case ANSWER -> {
                    response.setStatus(b.status());
                    if (b.contentType() != null) {
                        response.getHeaders().put("Content-Type", b.contentType());
                    }
                    response.write(true, ByteBuffer.wrap(b.body().getBytes(StandardCharsets.UTF_8)), callback);
                }
            }
        } finally {
            active.decrementAndGet();
        }
        return true;
    }

    @Override
    public void close() {
        closing.countDown();
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
