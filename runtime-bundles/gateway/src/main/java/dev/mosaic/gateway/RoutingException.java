package dev.mosaic.gateway;

/**
 * A route handler cannot serve: its route is invalid or taken, or it cannot be activated.
 */
public class RoutingException extends Exception {

    private static final long serialVersionUID = 1L;

    /** A handler has no route, or an invalid method or path template. */
    public static final String INVALID_ROUTE = "invalid_route";
    /** A route is already served by another adapter in the environment. */
    public static final String ROUTE_CONFLICT = "route_conflict";
    /** A handler service could not be obtained (its component failed to activate). */
    public static final String HANDLER_UNAVAILABLE = "handler_unavailable";
    /** The environment name is not valid. */
    public static final String INVALID_ENVIRONMENT = "invalid_environment";

    private final String code;

    /**
     * @param code one of the constants of this class
     * @param message what is wrong, and where
     */
    public RoutingException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** @return a stable code naming the kind of failure */
    public String code() {
        return code;
    }
}
