package dev.mosaic.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * The route a {@link RouteHandler} component answers: an HTTP method and a path template.
 *
 * <p>This is a Declarative Services component property type: on a {@code @Component} it
 * becomes the service properties {@value #METHOD_PROPERTY} and {@value #PATH_PROPERTY},
 * which is how the gateway finds the route. The properties can also be set by hand, for
 * example in a component written without annotations.
 *
 * <p>Path templates are absolute and made of segments separated by {@code /}. A segment is
 * either literal ({@code home}) or a parameter that matches any one segment
 * ({@code {titleId}}), read with {@link Request#pathParam(String)}. When a path matches
 * several templates, literal segments win over parameters, from left to right:
 * {@code /tv/home} is answered by {@code /tv/home} rather than {@code /tv/{page}}.
 * Matching is exact: no trailing slash, no wildcards, no regular expressions.
 *
 * <p>Which environment ({@code prod}, {@code test}, ...) a route serves is decided when the
 * adapter is deployed, not here.
 */
@ComponentPropertyType
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Route {

    /** Prefix of the service properties generated from this annotation. */
    String PREFIX_ = "mosaic.route.";

    /** Service property naming the HTTP method of the route. */
    String METHOD_PROPERTY = "mosaic.route.method";

    /** Service property holding the path template of the route. */
    String PATH_PROPERTY = "mosaic.route.path";

    /** Service property saying whether the handler may block ({@code true} unless set). */
    String BLOCKING_PROPERTY = "mosaic.route.blocking";

    /**
     * The HTTP method, upper case: {@code GET}, {@code POST}, {@code PUT}, {@code PATCH},
     * {@code DELETE}, ... A {@code GET} route also answers {@code HEAD}.
     *
     * @return the method; {@code GET} when not given
     */
    String method() default "GET";

    /**
     * The path template, for example {@code /glasses/play/{titleId}}.
     *
     * @return the template
     */
    String path();

    /**
     * Whether {@link RouteHandler#handle} may block: wait on I/O, a lock, a sleep or another
     * service. Blocking handlers (the default) run on a thread that may wait: a server thread
     * while few are taken, else the adapter thread pool. A handler that never blocks — it answers from memory, or returns a
     * {@link java.util.concurrent.CompletionStage} for the work that waits — can say
     * {@code blocking = false}: it then runs right on the thread that read the request, with
     * no hand-off to another thread, which is the fastest way to answer.
     *
     * <p>A handler that says it does not block but does anyway is noticed (its calls take
     * longer than a small budget) and moved to the thread pool, with a warning in the log.
     *
     * @return {@code false} if the handler never blocks
     * @since 1.1 (added after 1.0.0 was released without a bump; the package became 1.1.0 with the backend API)
     */
    boolean blocking() default true;
}
