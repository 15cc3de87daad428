package dev.mosaic.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A backend service an operator declared in the adapter's environment, as one request calls it:
 * {@link Request#backend(String)}. Every call goes out through the platform, which adds the
 * backend's base URL, its headers and credentials, the request id and trace context, and applies
 * the backend's policy: a deadline, retries of idempotent calls within a retry budget, a circuit
 * breaker, a concurrency limit and a maximum response size. Nothing blocks: a call answers a
 * {@link java.util.concurrent.CompletionStage}.
 *
 * <p>An adapter names the backends it uses in its manifest, from bnd:
 * {@code Mosaic-Backends: recommendations, bookmarks}. A deploy into an environment that does not
 * declare one of them is refused; asking for a backend not named there fails at once.
 *
 * <h2>Fan-out: two calls in parallel, one response, a row left out when its backend fails</h2>
 *
 * <pre>{@code
 * @Component(configurationPolicy = ConfigurationPolicy.IGNORE)
 * @Route(method = "GET", path = "/tv/home/{profile}", blocking = false)
 * public class TvHome implements RouteHandler {
 *
 *     public record Recs(List<String> titles) {}
 *     public record Bookmarks(List<String> titles) {}
 *     public record Home(String profile, List<String> recommended, List<String> continueWatching) {}
 *
 *     @Override
 *     public Object handle(Request request) {
 *         String profile = request.pathParam("profile");
 *         CompletionStage<Recs> recs = request.backend("recommendations")
 *                 .get("/recs/{profile}", profile)
 *                 .query("limit", "10")
 *                 .as(Recs.class);
 *         CompletionStage<Bookmarks> marks = request.backend("bookmarks")
 *                 .get("/bookmarks/{profile}", profile)
 *                 .timeout(Duration.ofMillis(150))           // this row is not worth waiting for
 *                 .as(Bookmarks.class)
 *                 .exceptionally(failure -> null);            // ... and may be left out
 *         return recs.thenCombine(marks, (r, b) -> new Home(profile, r.titles(),
 *                 b == null ? List.of() : b.titles()));
 *     }
 * }
 * }</pre>
 *
 * <p>Both calls are in flight at once; no thread waits for either. If {@code recommendations}
 * fails and the adapter does not handle it, the device gets a 502, 503 or 504 naming the
 * backend ({@link BackendException}).
 *
 * @since 1.1
 */
@ProviderType
public interface Backend {

    /** @return the backend's name, as declared */
    String name();

    /**
     * Starts a GET. The path is appended to the backend's base URL; each {@code {name}} in it is
     * replaced, in order, by the next of {@code params}, percent-encoded as one path segment.
     *
     * @param path e.g. {@code /recs/{profile}}
     * @param params the values of the path's {@code {...}} placeholders, in order
     * @throws IllegalArgumentException if the placeholders and the values do not match
     */
    BackendCall get(String path, Object... params);

    /** Starts a POST; see {@link #get}. POST is not idempotent: it is never retried. */
    BackendCall post(String path, Object... params);

    /** Starts a PUT; see {@link #get}. */
    BackendCall put(String path, Object... params);

    /** Starts a DELETE; see {@link #get}. */
    BackendCall delete(String path, Object... params);

    /**
     * Starts a call with any method.
     *
     * @param method upper case, e.g. {@code PATCH}; GET, HEAD, PUT, DELETE and OPTIONS are retried
     *        on failure, the others never
     */
    BackendCall call(String method, String path, Object... params);
}
