package dev.mosaic.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.ContentDecoder;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.gateway.internal.BenchServer;

/**
 * The fan-out benchmarks' other processes: {@code backend NAME SLOW_SHARE SLOW_MILLIS}, a backend
 * answering {@code GET /titles} (a share of the calls late, by a timer: no thread waits), and
 * {@code plain URL1 URL2 URL3}, the yardstick: a plain Jetty handler doing the adapter's fan-out
 * with Jetty's HttpClient and Jackson, into the same JSON types. Each prints {@code ... ready on port N}.
 */
public final class FanoutServers {

    /** What each backend answers. */
    public record Titles(String backend, List<String> titles) {
    }

    /** The composed page, as the adapter makes it. */
    public record Page(Titles first, Titles second, Titles third) {
    }

    private FanoutServers() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("backend")) {
            backend(args[1], Double.parseDouble(args[2]), Long.parseLong(args[3]));
        } else {
            plain(List.of(args[1], args[2], args[3]));
        }
    }

    private static void backend(String name, double slowShare, long slowMillis) throws Exception {
        byte[] body = ("{\"backend\":\"" + name + "\",\"titles\":[\"80057281\",\"81040344\",\"80100172\",\"70143836\"]}")
                .getBytes(StandardCharsets.UTF_8);
        BenchServer.serve(name + " backend", new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Runnable answer = () -> {
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                    response.write(true, ByteBuffer.wrap(body), callback);
                };
                if (slowShare > 0 && ThreadLocalRandom.current().nextDouble() < slowShare) {
                    request.getComponents().getScheduler().schedule(answer, slowMillis, TimeUnit.MILLISECONDS);
                } else {
                    answer.run();
                }
                return true;
            }
        });
    }

    private static void plain(List<String> urls) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(200, 4);
        threads.setName("plain-client");
        HttpClient client = new HttpClient();
        client.setExecutor(threads);
        client.setMaxConnectionsPerDestination(512);
        client.setFollowRedirects(false);
        client.getContentDecoderFactories().put(new ContentDecoder.Factory("identity") {
            @Override
            public Content.Source newDecoderContentSource(Content.Source source) {
                return source;
            }
        });
        client.start();
        ObjectMapper mapper = new ObjectMapper();
        BenchServer.serve("plain fan-out", new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                List<CompletableFuture<Titles>> calls = new ArrayList<>();
                for (String url : urls) {
                    CompletableFuture<Titles> f = new CompletableFuture<>();
                    client.newRequest(url + "/titles").timeout(1, TimeUnit.SECONDS).send(new BufferingResponseListener(8 << 20) {
                        @Override
                        public void onComplete(Result result) {
                            if (result.isFailed() || result.getResponse().getStatus() != 200) {
                                f.completeExceptionally(new IllegalStateException(String.valueOf(result.getFailure())));
                                return;
                            }
                            try {
                                f.complete(mapper.readerFor(Titles.class)
                                        .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(getContent()));
                            } catch (Exception e) {
                                f.completeExceptionally(e);
                            }
                        }
                    });
                    calls.add(f);
                }
                calls.get(0).thenCombine(calls.get(1), (x, y) -> new Page(x, y, null))
                        .thenCombine(calls.get(2), (p, z) -> new Page(p.first(), p.second(), z))
                        .whenComplete((page, failure) -> {
                            try {
                                if (failure != null) {
                                    Response.writeError(request, response, callback, 502, String.valueOf(failure));
                                    return;
                                }
                                response.setStatus(200);
                                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                                response.write(true, ByteBuffer.wrap(mapper.writeValueAsBytes(page)), callback);
                            } catch (Exception e) {
                                callback.failed(e);
                            }
                        });
                return true;
            }
        });
    }
}
