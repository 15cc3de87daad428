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
 * start (from STARTING to STARTED, their activators; Declarative Services components
 * activate later, on the SCR actor thread, and show in the phase after).
 */
final class StartupTrace {

    private static final StartupTrace OFF = new StartupTrace(null);

    private final PrintStream err;
    private final long jvmStartMillis;
    private final List<String> marks = new ArrayList<>();
    private final Map<String, Long> starting = new ConcurrentHashMap<>();
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

    void mark(String phase) {
        if (err == null) {
            return;
        }
        long now = System.currentTimeMillis();
        marks.add(String.format("%6d ms %+6d ms  %s", now - jvmStartMillis, now - last, phase));
        last = now;
    }

    void watch(BundleContext context) {
        if (err == null) {
            return;
        }
        context.addBundleListener((SynchronousBundleListener) event -> {
            String name = event.getBundle().getSymbolicName();
            if (event.getType() == BundleEvent.STARTING) {
                starting.put(name, System.nanoTime());
            } else if (event.getType() == BundleEvent.STARTED) {
                Long t0 = starting.remove(name);
                if (t0 != null) {
                    bundleNanos.merge(name, System.nanoTime() - t0, Long::sum);
                }
            }
        });
    }

    void report() {
        if (err == null) {
            return;
        }
        err.println("mosaic start-up trace (since JVM start, since previous mark):");
        marks.forEach(m -> err.println("  " + m));
        err.println("  slowest bundle activations:");
        bundleNanos.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(8)
                .forEach(e -> err.printf("  %6d ms  %s%n", e.getValue() / 1_000_000, e.getKey()));
    }
}
