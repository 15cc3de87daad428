package dev.mosaic.backends.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mosaic.api.BackendException;
import dev.mosaic.api.BackendException.Reason;
import dev.mosaic.api.BackendResponse;

/** A backend's answer, read whole (within the backend's size limit). */
final class Answer implements BackendResponse {

    private final String backend;
    private final String method;
    private final String path;
    private final int status;
    private final HttpFields headers;
    private final byte[] body;
    private final ObjectMapper mapper;

    /**
     * @param method and {@code path}: the call, for messages ({@code GET /recs/7})
     */
    Answer(String backend, String method, String path, int status, HttpFields headers, byte[] body, ObjectMapper mapper) {
        this.backend = backend;
        this.method = method;
        this.path = path;
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.mapper = mapper;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }

    @Override
    public Map<String, List<String>> headers() {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (HttpField f : headers) {
            map.computeIfAbsent(f.getName(), k -> new ArrayList<>()).add(f.getValue());
        }
        map.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(map);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    byte[] bodyShared() {
        return body;
    }

    @Override
    public <T> T json(Class<T> type) {
        return dev.mosaic.backends.JsonFit.backendAnswer(mapper, backend, status, what(), headers.get("Content-Type"), body, type);
    }

    private String what() {
        return method + " " + path;
    }

    /** @throws BackendException with reason STATUS unless the status is 2xx */
    Answer success() {
        if (status < 200 || status > 299) {
            String type = headers.get("Content-Type");
            throw new BackendException(backend, Reason.STATUS, status, "backend " + backend + " answered " + status + " to "
                    + what() + (type == null ? "" : " (" + type + ")"), null);
        }
        return this;
    }
}
