package dev.mosaic.backends.internal;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.jetty.client.ContentDecoder;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;

import dev.mosaic.backends.BackendSpec;

/**
 * Jetty {@link HttpClient}s, one per TLS set-up (the JVM's trust store, or an operator's trust
 * and key stores), all on one thread pool and one scheduler. Each client keeps a connection pool
 * per origin. No cookies are kept (tenants share clients), no redirect is followed (it could take
 * a backend's credentials to another host), and https verifies the host name.
 */
final class Clients implements AutoCloseable {

    /** The TLS set-up a client is made for. */
    record Tls(String trustStore, String trustStorePassword, String keyStore, String keyStorePassword) {
        static Tls of(BackendSpec s) {
            return new Tls(s.trustStore(), s.trustStorePassword(), s.keyStore(), s.keyStorePassword());
        }
    }

    private final QueuedThreadPool threads;
    private final Scheduler scheduler;
    private final Secrets secrets;
    private final Map<Tls, HttpClient> clients = new ConcurrentHashMap<>();

    Clients(Secrets secrets, int maxThreads) {
        this.secrets = secrets;
        this.threads = new QueuedThreadPool(maxThreads, Math.min(4, maxThreads), 60_000);
        threads.setName("mosaic-backend");
        threads.setDaemon(true);
        this.scheduler = new ScheduledExecutorScheduler("mosaic-backend-timer", true);
        try {
            threads.start();
            scheduler.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the backend client's threads", e);
        }
    }

    Scheduler scheduler() {
        return scheduler;
    }

    /**
     * @return the client for this TLS set-up, started the first time
     * @throws IllegalArgumentException if a store or its password cannot be read
     */
    HttpClient forTls(Tls tls) {
        HttpClient c = clients.get(tls);
        if (c != null) {
            return c;
        }
        synchronized (clients) {
            c = clients.get(tls);
            if (c == null) {
                c = start(tls);
                clients.put(tls, c);
            }
            return c;
        }
    }

    private HttpClient start(Tls tls) {
        SslContextFactory.Client ssl = new SslContextFactory.Client();
        ssl.setEndpointIdentificationAlgorithm("HTTPS");
        if (tls.trustStore() != null) {
            ssl.setTrustStorePath(tls.trustStore());
            ssl.setTrustStoreType(type(tls.trustStore()));
            if (tls.trustStorePassword() != null) {
                ssl.setTrustStorePassword(secrets.read(tls.trustStorePassword(), "the trust store's password"));
            }
        }
        if (tls.keyStore() != null) {
            ssl.setKeyStorePath(tls.keyStore());
            ssl.setKeyStoreType(type(tls.keyStore()));
            ssl.setKeyStorePassword(secrets.read(Objects.requireNonNull(tls.keyStorePassword()), "the key store's password"));
        }
        ClientConnector connector = new ClientConnector();
        connector.setExecutor(threads);
        connector.setScheduler(scheduler);
        connector.setSslContextFactory(ssl);
        connector.setSelectors(1);
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        client.setExecutor(threads);
        client.setScheduler(scheduler);
        // Answers are read as they come: "identity" is the only encoding offered. (With no decoder
        // at all, HttpClient looks for jetty-compression's decoders, which the runtime leaves out.)
        client.getContentDecoderFactories().put(new ContentDecoder.Factory("identity") {
            @Override
            public Content.Source newDecoderContentSource(Content.Source source) {
                return source;
            }
        });
        client.setFollowRedirects(false);
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.setUserAgentField(new org.eclipse.jetty.http.HttpField(org.eclipse.jetty.http.HttpHeader.USER_AGENT, "Mosaic"));
        client.setMaxConnectionsPerDestination(512);
        client.setConnectTimeout(5_000);
        client.setIdleTimeout(60_000);
        try {
            client.start();
        } catch (Exception e) {
            try {
                client.stop();
            } catch (Exception ignored) {
                // it did not start
            }
            throw new IllegalArgumentException("the TLS set-up of a backend cannot be used: " + e.getMessage()
                    + " (trust store " + tls.trustStore() + ", key store " + tls.keyStore() + ")");
        }
        return client;
    }

    private static String type(String path) {
        return path.endsWith(".jks") ? "JKS" : "PKCS12";
    }

    @Override
    public void close() {
        for (HttpClient c : clients.values()) {
            try {
                c.stop();
            } catch (Exception ignored) {
                // stopping anyway
            }
        }
        clients.clear();
        try {
            scheduler.stop();
            threads.stop();
        } catch (Exception ignored) {
            // stopping anyway
        }
    }
}
