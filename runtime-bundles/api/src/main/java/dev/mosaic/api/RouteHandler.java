package dev.mosaic.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Answers one HTTP route of an adapter.
 *
 * <p>An adapter is a bundle holding one or more route handlers. Each handler is a
 * Declarative Services component that provides this interface and names its route with
 * {@link Route @Route}. Deploy the bundle and Mosaic's gateway starts sending it the
 * requests of that route; deploy a new version and the route switches to it without a
 * failed request.
 *
 * <pre>{@code
 * package com.example.tv;
 *
 * import dev.mosaic.api.Request;
 * import dev.mosaic.api.Route;
 * import dev.mosaic.api.RouteHandler;
 * import org.osgi.service.component.annotations.Component;
 * import org.osgi.service.component.annotations.ConfigurationPolicy;
 *
 * // IGNORE: Mosaic configures adapters through manifest headers, never Configuration Admin,
 * // and an adapter that says so costs the framework no service listener (see the README)
 * @Component(configurationPolicy = ConfigurationPolicy.IGNORE)
 * @Route(method = "GET", path = "/tv/shows/{showId}")
 * public class ShowPage implements RouteHandler {
 *
 *     public record Page(String showId, String title, String profile) {}
 *
 *     @Override
 *     public Object handle(Request request) {
 *         String profile = request.query("profile");          // ?profile=kids
 *         return new Page(request.pathParam("showId"),         // /tv/shows/42
 *                         "Show " + request.pathParam("showId"),
 *                         profile == null ? "default" : profile);
 *     }
 * }
 * }</pre>
 *
 * <p>{@code curl localhost:8080/tv/shows/42?profile=kids} then answers
 * {@code 200 {"showId":"42","title":"Show 42","profile":"kids"}}.
 *
 * <h2>The contract of {@link #handle(Request)}</h2>
 * <ul>
 * <li>The returned value is the response body, serialised as JSON with status 200. Return a
 * {@link Response} to choose the status and headers as well; return {@code null} for
 * {@code 204 No Content}.</li>
 * <li>A {@link java.util.concurrent.CompletionStage} is a response that will be ready
 * later: the gateway writes whatever it completes with, by the same rules, without holding
 * a thread while it waits. Use it to compose asynchronous downstream calls.</li>
 * <li>An exception thrown (or a stage completed exceptionally) answers
 * {@code 500} with a JSON error carrying the request id; the gateway logs it with the
 * adapter's name and version. Other routes are not affected.</li>
 * <li>Handlers are called concurrently from many threads: keep them free of mutable
 * shared state, or guard it.</li>
 * </ul>
 *
 * <p>Implemented by adapters, called by the platform: adding an abstract method here would be
 * a major version change, so this interface is marked {@link ConsumerType}.
 */
@ConsumerType
@FunctionalInterface
public interface RouteHandler {

    /**
     * Answers one request of this handler's route.
     *
     * @param request the request, with the path parameters of the route template filled in
     * @return the response body (serialised as JSON), a {@link Response}, a
     *         {@link java.util.concurrent.CompletionStage} of either, or {@code null}
     * @throws Exception anything the adapter does not handle itself; answered with a 500
     */
    Object handle(Request request) throws Exception;
}
