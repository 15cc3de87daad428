package dev.mosaic.gateway.internal;

import java.util.Arrays;
import java.util.function.Consumer;

import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import dev.mosaic.gateway.Served;

/**
 * Who follows which adapter's requests ({@code bin/mosaic tail}). Asked once per request whether anyone follows its
 * adapter: with nobody following, that is one read of an empty array.
 */
final class Followers {

    private record Follower(String adapter, String environment, Consumer<Served> served) {
        boolean wants(String a, String env) {
            return adapter.equals(a) && (environment == null || environment.equals(env));
        }
    }

    private volatile Follower[] all = new Follower[0];

    synchronized AutoCloseable add(String adapter, String environment, Consumer<Served> served) {
        Follower f = new Follower(adapter, environment, served);
        Follower[] next = Arrays.copyOf(all, all.length + 1);
        next[next.length - 1] = f;
        all = next;
        return () -> remove(f);
    }

    private synchronized void remove(Follower f) {
        all = Arrays.stream(all).filter(x -> x != f).toArray(Follower[]::new);
    }

    /** @return whether anyone follows the adapter in the environment */
    boolean wants(String adapter, String env) {
        Follower[] now = all;
        if (now.length == 0) {
            return false;
        }
        for (Follower f : now) {
            if (f.wants(adapter, env)) {
                return true;
            }
        }
        return false;
    }

    /** @return the callback, telling the adapter's followers of the request once its answer is written */
    Callback telling(Callback callback, Tenant tenant, RequestView view, Response response) {
        long start = System.nanoTime();
        return new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                tell();
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                tell();
                super.failed(x);
            }

            private void tell() {
                Served s = new Served(System.currentTimeMillis(), view.environment(), tenant.adapter, tenant.version,
                        view.method(), view.pathAndQuery(), response.getStatus(), (System.nanoTime() - start) / 1e6,
                        view.requestId(), view.calls());
                for (Follower f : all) {
                    if (f.wants(tenant.adapter, view.environment())) {
                        try {
                            f.served().accept(s);
                        } catch (RuntimeException e) {
                            // a follower's trouble is its own, never the request's
                        }
                    }
                }
            }
        };
    }
}
