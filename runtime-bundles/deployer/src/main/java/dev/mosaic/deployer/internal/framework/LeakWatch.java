package dev.mosaic.deployer.internal.framework;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Follows retired bundles until their class loaders are collected. A bundle whose loader is
 * still reachable after a garbage collection, some time after it was retired, is leaking:
 * something outside it (a thread it started, a cache of another library, a listener) still
 * holds one of its classes or objects, and with it every class of the bundle.
 */
public final class LeakWatch {

    /** One retired generation. */
    public record Retired(String location, String name, String version, Instant retiredAt, WeakReference<ClassLoader> loader) {
    }

    private static final int MAX_WATCHED = 10_000;

    private final List<Retired> watched = new ArrayList<>();
    private final Duration gcInterval;
    private long lastGc;

    public LeakWatch(Duration gcInterval) {
        this.gcInterval = gcInterval;
    }

    /** Call before the bundle is uninstalled: afterwards its class loader cannot be reached. */
    public synchronized void watch(Bundle bundle, Instant now) {
        BundleWiring wiring = bundle.adapt(BundleWiring.class);
        ClassLoader loader = wiring == null ? null : wiring.getClassLoader();
        if (loader == null) {
            return;
        }
        if (watched.size() >= MAX_WATCHED) {
            watched.remove(0);
        }
        watched.add(new Retired(bundle.getLocation(), bundle.getSymbolicName(), bundle.getVersion().toString(), now,
                new WeakReference<>(loader)));
    }

    /**
     * @return the retired bundles still in memory that were retired before {@code now - grace};
     *         released ones are forgotten. Collects garbage first, at most once per interval.
     */
    public synchronized List<Retired> leaks(Instant now, Duration grace) {
        long t = System.nanoTime();
        if (t - lastGc >= gcInterval.toNanos() || lastGc == 0) {
            System.gc();
            lastGc = System.nanoTime();
        }
        List<Retired> leaking = new ArrayList<>();
        for (Iterator<Retired> i = watched.iterator(); i.hasNext();) {
            Retired r = i.next();
            if (r.loader().get() == null) {
                i.remove();
            } else if (!r.retiredAt().plus(grace).isAfter(now)) {
                leaking.add(r);
            }
        }
        return leaking;
    }
}
