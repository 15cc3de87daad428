package dev.mosaic.api;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One device request, as a {@link RouteHandler} sees it.
 *
 * <p>Implemented by the platform: adapters only call it, so methods may be added in minor
 * versions ({@link ProviderType}). A request is valid only during the call to
 * {@link RouteHandler#handle(Request)} and, for an asynchronous answer, until its stage
 * completes.
 */
@ProviderType
public interface Request {

    /** @return the HTTP method, upper case */
    String method();

    /** @return the decoded path, without the query string, e.g. {@code /glasses/play/42} */
    String path();

    /**
     * @param name a parameter of the route template, e.g. {@code titleId} for
     *        {@code /glasses/play/{titleId}}
     * @return its decoded value, or {@code null} if the template has no such parameter
     */
    String pathParam(String name);

    /** @return every path parameter of the matched route template, by name */
    Map<String, String> pathParams();

    /**
     * @param name a query parameter name
     * @return its first value, or {@code null} if absent
     */
    String query(String name);

    /** @return every query parameter with all its values, in request order */
    Map<String, List<String>> queryParams();

    /**
     * @param name a header name, matched case-insensitively
     * @return its first value, or {@code null} if absent
     */
    String header(String name);

    /** @return every request header with all its values; names as the client sent them */
    Map<String, List<String>> headers();

    /** @return the request body; empty, never {@code null}, if there was none */
    byte[] body();

    /**
     * Reads the body as JSON.
     *
     * @param <T> the type to read
     * @param type the class to bind the JSON to
     * @return the bound value
     * @throws HttpException with status 400 if the body is empty or not JSON of that
     *         shape; unless the handler catches it, the caller gets that 400, naming the
     *         problem
     */
    <T> T bodyAs(Class<T> type);

    /** @return the id of this request, also sent back in the {@code X-Request-Id} header */
    String requestId();

    /** @return the environment serving this request, e.g. {@code prod} or {@code test} */
    String environment();

    /**
     * A backend service of this request's environment, to call within this request's deadline:
     * see {@link Backend} for a fan-out example.
     *
     * @param name a backend the adapter names in its {@code Mosaic-Backends} manifest header
     * @return the backend, for this request only. If the environment no longer declares it (an
     *         operator removed it), its calls fail with {@link BackendException.Reason#UNDECLARED},
     *         so that the adapter's fallbacks apply
     * @throws BackendException with {@link BackendException.Reason#UNDECLARED}, at once, if the
     *         adapter does not name it in {@code Mosaic-Backends}
     * @since 1.1
     */
    Backend backend(String name);
}
