package dev.mosaic.backends.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.backends.BackendSpec;
import dev.mosaic.backends.Backends;

/**
 * The first backend call a runtime makes costs it some 50-100 ms more than the next ones (the classes along the call
 * path loaded and linked: the Jetty client, the request scope, the breaker and bulkhead, the answer's decoding), which a
 * backend with a tight timeout turns into a failed first request after every start. So when the backends start, a
 * thread of its own makes a few calls through that same path to an endpoint the runtime opens for it on loopback: never
 * to a tenant's backend. Nothing of it is counted, traced or recorded (the backend it declares is nobody's), and if it
 * fails, it says so and the first real call is only slower. {@code -Dmosaic.backends.warmup=off} leaves it out.
 */
final class Warmup implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    static final String NAME = "mosaic-warmup";
    /** How many calls: the first loads the classes, the next ones run what the first did not (a retry, a kept connection). */
    private static final int CALLS = 3;
    private static final String BODY = "{\"titles\":[{\"id\":\"42\"}]}";
    private static final byte[] ANSWER = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + BODY.length()
            + "\r\n\r\n" + BODY).getBytes(StandardCharsets.ISO_8859_1);

    private final Clients clients;
    private final Secrets secrets;

    Warmup(Clients clients, Secrets secrets) {
        this.clients = clients;
        this.secrets = secrets;
    }

    /** Starts it on a daemon thread of its own. */
    static void start(Clients clients, Secrets secrets) {
        Thread t = new Thread(new Warmup(clients, secrets), "mosaic-backend-warmup");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        long start = System.nanoTime();
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> answer(server), "mosaic-backend-warmup-endpoint");
            answering.setDaemon(true);
            answering.start();
            BackendSpec spec = BackendSpec.parse(NAME, Map.of("url", List.of("http://127.0.0.1:" + server.getLocalPort()),
                    "timeout", List.of("10s")));
            Declared backend = new Declared(NAME, spec, secrets, clients);
            ObjectMapper mapper = new ObjectMapper();
            for (int i = 0; i < CALLS; i++) {
                Backends.Caller caller = new Backends.Caller(NAME, NAME, "0", Set.of(NAME),
                        System.nanoTime() + TimeUnit.SECONDS.toNanos(10), "warmup-" + i, null, mapper, () -> { });
                RequestScope scope = new RequestScope(Map.of(NAME, backend), caller, clients.scheduler());
                try {
                    scope.backend(NAME).get("/titles/{id}", i).as(Map.class).toCompletableFuture().get(10, TimeUnit.SECONDS);
                } finally {
                    scope.close();
                }
            }
            LOG.info("backend calls warmed up: {} calls to an endpoint of the runtime's own in {} ms", CALLS,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } catch (Exception | LinkageError e) {
            LOG.warn("backend calls could not be warmed up ({}); the first call to each backend is slower", e.toString());
        }
    }

    /** Answers every request on every connection (each on a thread of its own) with the same small JSON, until closed. */
    private static void answer(ServerSocket server) {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed: the warm-up is over
            }
            Thread t = new Thread(() -> serve(s), "mosaic-backend-warmup-connection");
            t.setDaemon(true);
            t.start();
        }
    }

    private static void serve(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            String line;
            boolean inHead = false;
            while ((line = in.readLine()) != null) {
                if (!line.isEmpty()) {
                    inHead = true;
                } else if (inHead) {
                    out.write(ANSWER); // a GET has no body: its head ends the request
                    out.flush();
                    inHead = false;
                }
            }
        } catch (IOException e) {
            // the client closed it
        }
    }
}
