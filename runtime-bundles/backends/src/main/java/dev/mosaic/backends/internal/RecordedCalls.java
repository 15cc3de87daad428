package dev.mosaic.backends.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.api.BackendException;
import dev.mosaic.api.BackendException.Reason;
import dev.mosaic.backends.Backends;
import dev.mosaic.backends.Recordings;

/**
 * An environment's calls as {@code bin/mosaic dev --record} and {@code --replay} have them: answers written to the
 * recordings (off the calling thread), or calls answered from them, never from the network.
 */
final class RecordedCalls {

    private final Backends.Recording recording;
    private final Executor recorder;

    /** @param recorder where recordings are written */
    RecordedCalls(Backends.Recording recording, Executor recorder) {
        this.recording = recording;
        this.recorder = recorder;
    }

    boolean replaying() {
        return recording.mode() == Backends.Recording.Mode.REPLAY;
    }

    boolean recording() {
        return recording.mode() == Backends.Recording.Mode.RECORD;
    }

    /**
     * @param target the path and query called, as recorded
     * @param path the path alone, for messages
     * @return the recorded answer
     * @throws BackendException (CONNECTION) if there is none or it cannot be read
     */
    Answer answer(String backend, String method, String target, String path, ObjectMapper mapper) {
        Recordings.Recorded r;
        try {
            r = Recordings.read(recording.directory(), backend, method, target);
        } catch (IOException e) {
            throw new BackendException(backend, Reason.CONNECTION, 0, e.getMessage(), null);
        }
        if (r == null) {
            throw new BackendException(backend, Reason.CONNECTION, 0, "no recording of " + method + " " + target
                    + " for backend " + backend + " in " + recording.directory()
                    + " (replaying): record it with bin/mosaic dev --record", null);
        }
        HttpFields.Mutable fields = HttpFields.build();
        r.headers().forEach((name, values) -> values.forEach(v -> fields.add(name, v)));
        return new Answer(backend, method, path, r.status(), fields.asImmutable(), r.bodyBytes(), mapper);
    }

    /** Writes an answer to the recordings, off this thread. */
    void record(String backend, String method, String target, List<String[]> headers, int status, HttpFields fields,
            byte[] content) {
        Map<String, List<String>> asked = new LinkedHashMap<>();
        headers.forEach(h -> asked.computeIfAbsent(h[0], k -> new ArrayList<>()).add(h[1]));
        Map<String, List<String>> answered = new LinkedHashMap<>();
        for (HttpField f : fields) {
            answered.computeIfAbsent(f.getName(), k -> new ArrayList<>()).add(f.getValue());
        }
        Recordings.Recorded r = Recordings.Recorded.of(backend, method, target, asked, status, answered, content,
                recording.redact());
        Path dir = recording.directory();
        recorder.execute(() -> {
            try {
                Recordings.write(dir, r);
            } catch (IOException | RuntimeException e) {
                LoggerFactory.getLogger(RequestScope.class).warn("could not record {} {} of backend {} in {}: {}",
                        method, target, backend, dir, e.toString());
            }
        });
    }
}
