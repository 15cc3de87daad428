package dev.mosaic.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** The CLI's exchanges, against the JDK's own small HTTP server on loopback. */
class HttpTest {

    private HttpServer server;
    private String base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/echo", x -> {
            byte[] in = x.getRequestBody().readAllBytes();
            boolean authorized = "Bearer good".equals(x.getRequestHeaders().getFirst("Authorization"));
            byte[] out = (authorized ? x.getRequestMethod() + " " + in.length + " " + x.getRequestHeaders().getFirst("X-Mosaic-Actor")
                    : "{\"error\":\"unauthorized\"}").getBytes(StandardCharsets.UTF_8);
            if (!authorized) {
                x.getResponseHeaders().add("WWW-Authenticate", "Bearer");
            } else {
                x.getResponseHeaders().add("X-Mosaic-Would-Fail", "true");
            }
            x.sendResponseHeaders(authorized ? 200 : 401, out.length);
            try (OutputStream o = x.getResponseBody()) {
                o.write(out);
            }
        });
        server.createContext("/lines", x -> {
            x.sendResponseHeaders(200, 0);
            try (OutputStream o = x.getResponseBody()) {
                for (String l : List.of("one", "", "two")) {
                    o.write((l + "\n").getBytes(StandardCharsets.UTF_8));
                    o.flush();
                }
            }
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void anUploadIsSentWithItsHeadersAndARefusalComesWithItsBody() throws IOException {
        byte[] jar = new byte[3 << 20];
        Http.Answer ok = Http.exchange("POST", base + "/echo", Map.of("Authorization", "Bearer good", "X-Mosaic-Actor", "cli:me"),
                jar, Duration.ofSeconds(30));
        assertEquals(200, ok.status());
        assertEquals("POST " + jar.length + " cli:me", ok.body());
        assertTrue(ok.has("x-mosaic-would-fail"), "headers by any case");
        // a wrong token on an upload: the 401 and what the runtime said, not an exception
        Http.Answer refused = Http.exchange("POST", base + "/echo", Map.of("Authorization", "Bearer bad"), jar, Duration.ofSeconds(30));
        assertEquals(401, refused.status());
        assertEquals("{\"error\":\"unauthorized\"}", refused.body());
        assertEquals("DELETE 0 null", Http.exchange("DELETE", base + "/echo", Map.of("Authorization", "Bearer good"), null,
                Duration.ofSeconds(30)).body());
    }

    @Test
    void aStreamGivesItsLinesAsTheyComeAndBadPlacesFailAsTheCliSaysThem() throws IOException {
        List<String> lines = new ArrayList<>();
        assertEquals(200, Http.stream(base + "/lines", Map.of(), lines::add).status());
        assertEquals(List.of("one", "", "two"), lines);
        assertThrows(IllegalArgumentException.class, () -> Http.exchange("GET", "ftp://x/y", Map.of(), null, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> Http.exchange("GET", "not a url", Map.of(), null, Duration.ofSeconds(1)));
        int free;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            free = s.getLocalPort();
        }
        int port = free;
        assertThrows(java.net.ConnectException.class, () -> Http.exchange("GET", "http://127.0.0.1:" + port + "/x", Map.of(), null,
                Duration.ofSeconds(1)));
    }
}
