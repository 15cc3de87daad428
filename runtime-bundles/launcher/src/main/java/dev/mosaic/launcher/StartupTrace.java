package dev.mosaic.launcher;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;

/**
 * Where start-up time goes, printed on stderr when {@code -Dmosaic.startup.trace=true}: the
 * launcher's phases, measured from the JVM's start, and the bundles that took longest to
 * start.
 */
final class StartupTrace {

    private static final StartupTrace OFF = new StartupTrace(null);

    private final PrintStream err;
    private final long jvmStartMillis;
    private final List<String> marks = new ArrayList<>();
    private String current;
    private long currentSince;
    private final Map<String, Long> bundleNanos = new ConcurrentHashMap<>();
    private long last;

    private StartupTrace(PrintStream err) {
        this.err = err;
        this.jvmStartMillis = err == null ? 0 : ManagementFactory.getRuntimeMXBean().getStartTime();
        this.last = jvmStartMillis;
    }

    static StartupTrace fromSystemProperty(PrintStream err) {
        return Boolean.getBoolean("mosaic.startup.trace") ? new StartupTrace(err) : OFF;
    }

    synchronized void mark(String phase) {
        if (err == null) {
            return;
        }
        close();
        long now = System.currentTimeMillis();
        marks.add(String.format("%6d ms %+6d ms  %s", now - jvmStartMillis, now - last, phase));
        last = now;
    }

    /**
     * Bundles start one after the other on the framework's start-level thread; each is charged
     * the time from its STARTING event to the next bundle's (or the next mark): its activator,
     * and the components Declarative Services activates for it on the way.
     */
    void watch(BundleContext context) {
        if (err == null) {
            return;
        }
        context.addBundleListener((SynchronousBundleListener) event -> {
            // Felix starts the feature's bundles on this thread; deployments restored elsewhere are not counted.
            if (event.getType() == BundleEvent.STARTING && Thread.currentThread().getName().equals("FelixStartLevel")) {
                synchronized (this) {
                    close();
                    current = event.getBundle().getSymbolicName();
                    currentSince = System.nanoTime();
                }
            }
        });
    }

    private void close() {
        if (current != null) {
            bundleNanos.merge(current, System.nanoTime() - currentSince, Long::sum);
            current = null;
        }
    }

    synchronized void report() {
        if (err == null) {
            return;
        }
        err.println("mosaic start-up trace (since JVM start, since previous mark):");
        marks.forEach(m -> err.println("  " + m));
        err.println("  slowest bundle starts (activator and the components activated with it):");
        bundleNanos.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(8)
                .forEach(e -> err.printf("  %6d ms  %s%n", e.getValue() / 1_000_000, e.getKey()));
    }
}
