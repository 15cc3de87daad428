package dev.mosaic.shell.internal;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.backends.Backends;
import dev.mosaic.backends.Backends.Recording;
import dev.mosaic.shell.internal.Answers.ApiError;

/**
 * {@code PUT /api/v1/recordings/{env}?mode=record|replay|off&dir=/abs/path[&redact=Authorization,Cookie]}: an
 * environment's backend calls recorded to files, or answered from them ({@code bin/mosaic dev --record|--replay} sets
 * this); {@code GET /api/v1/recordings} lists the environments that do. Never prod; not kept across a restart.
 */
final class Recordings {

    private static final Logger LOG = LoggerFactory.getLogger(Recordings.class);

    /** An environment that records or replays. */
    record View(String environment, String mode, String directory, List<String> redact) {
    }

    private Recordings() {
    }

    static List<View> of(Backends backends) throws ApiError {
        return require(backends).recordings().entrySet().stream().map(e -> view(e.getKey(), e.getValue())).toList();
    }

    static View set(Backends backends, String env, String mode, String dir, String redact, String actor) throws ApiError {
        Recording.Mode m;
        try {
            m = Recording.Mode.valueOf(String.valueOf(mode).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "invalid_argument", "mode is record, replay or off, got '" + mode + "'");
        }
        if (m != Recording.Mode.OFF && (dir == null || dir.isBlank())) {
            throw new ApiError(400, "invalid_argument", "give the directory of the recordings: dir=/absolute/path");
        }
        Set<String> names = redact == null || redact.isBlank() ? dev.mosaic.backends.Recordings.DEFAULT_REDACTED
                : Arrays.stream(redact.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty())
                        .collect(Collectors.toUnmodifiableSet());
        Recording r = m == Recording.Mode.OFF ? Recording.OFF : new Recording(m, Path.of(dir), names);
        require(backends).recording(env, r); // a directory that cannot be used, or prod: IllegalArgumentException, a 400
        LOG.info("backend calls in {}: {}{}, by {}", env, m.name().toLowerCase(Locale.ROOT), r.directory() == null ? ""
                : " (" + r.directory() + ")", actor);
        return view(env, r);
    }

    private static View view(String env, Recording r) {
        return new View(env, r.mode().name().toLowerCase(Locale.ROOT), r.directory() == null ? null : r.directory().toString(),
                r.redact().stream().sorted().toList());
    }

    private static Backends require(Backends backends) throws ApiError {
        if (backends == null) {
            throw new ApiError(503, "unavailable", "this runtime has no backends bundle");
        }
        return backends;
    }
}
