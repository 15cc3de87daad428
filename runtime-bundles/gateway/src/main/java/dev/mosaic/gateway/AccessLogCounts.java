package dev.mosaic.gateway;

/**
 * The access log's lines since the gateway started, while it is on ({@code -Dmosaic.access.log=on}): what
 * {@code /metrics} shows, so that an operator sees lines dropped (requests came faster than the log's thread could write
 * them) without reading the runtime's log.
 *
 * @param on whether the access log is on
 * @param lines lines written
 * @param dropped lines dropped, never written
 * @since 2.3
 */
public record AccessLogCounts(boolean on, long lines, long dropped) {

    /** A gateway without an access log. */
    public static final AccessLogCounts NONE = new AccessLogCounts(false, 0, 0);
}
