package dev.mosaic.backends.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.mosaic.api.Backend;
import dev.mosaic.api.BackendCall;
import dev.mosaic.api.BackendException;
import dev.mosaic.api.BackendResponse;

/** A backend the environment does not declare (any more): every call fails with the same exception. */
record Undeclared(String name, BackendException failure) implements Backend, BackendCall {
    @Override
    public BackendCall get(String path, Object... params) {
        return this;
    }

    @Override
    public BackendCall post(String path, Object... params) {
        return this;
    }

    @Override
    public BackendCall put(String path, Object... params) {
        return this;
    }

    @Override
    public BackendCall delete(String path, Object... params) {
        return this;
    }

    @Override
    public BackendCall call(String method, String path, Object... params) {
        return this;
    }

    @Override
    public BackendCall header(String n, String v) {
        return this;
    }

    @Override
    public BackendCall query(String n, String v) {
        return this;
    }

    @Override
    public BackendCall json(Object body) {
        return this;
    }

    @Override
    public BackendCall body(byte[] body, String contentType) {
        return this;
    }

    @Override
    public BackendCall timeout(Duration timeout) {
        return this;
    }

    @Override
    public <T> CompletionStage<T> as(Class<T> type) {
        return CompletableFuture.failedFuture(failure);
    }

    @Override
    public CompletionStage<byte[]> bytes() {
        return CompletableFuture.failedFuture(failure);
    }

    @Override
    public CompletionStage<BackendResponse> send() {
        return CompletableFuture.failedFuture(failure);
    }
}
