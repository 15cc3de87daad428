package dev.mosaic.gateway;

/**
 * The traces of the device requests adapters answered while the runtime traced: what {@code /metrics} shows, so that
 * an operator sees how many the sampling ({@code --trace-sample}) keeps. A trace is kept when its spans are recorded
 * and exported; one not kept is still passed on to the backends and written in the access log.
 *
 * @param tracing whether the runtime traces now
 * @param startedKept traces that started here (no {@code traceparent}), kept
 * @param startedNotKept traces that started here, not kept (beyond the share or the number a second)
 * @param continuedKept traces a caller's {@code traceparent} named, kept (the caller sampled them, within the cap
 *        unless {@code --trace-callers followed})
 * @param continuedNotKept traces a caller's {@code traceparent} named, not kept (the caller did not sample them, or
 *        beyond the cap)
 * @since 2.3
 */
public record TraceCounts(boolean tracing, long startedKept, long startedNotKept, long continuedKept, long continuedNotKept) {

    /** A gateway that keeps no count. */
    public static final TraceCounts NONE = new TraceCounts(false, 0, 0, 0, 0);
}
