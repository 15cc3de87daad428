package dev.mosaic.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.util.tracker.ServiceTracker;

/**
 * {@code mosaic run}: starts Felix with the bundles of the runtime feature, waits until the
 * deployer has put back every recorded deployment, and prints {@code mosaic ready on port N}.
 */
final class RuntimeLauncher {

    static final String READY = "mosaic ready on port ";
    private static final String GOGO_SHELL = "org.apache.felix.gogo.shell";
    /** SPI Fly logs through java.util.logging; held here so the level set below sticks. */

    /** What {@code run} was asked for. */
    /**
     * @param healthPort a port of its own for the health probes, or -1 for none
     * @param metricsPort a port of its own for /metrics, or -1 for none
     * @param platformBundles bundles of the operator's own, added to the platform's
     * @param otlpEndpoint where spans are exported (OTLP/HTTP), or null
     * @param traceSample which new traces are kept (--trace-sample), or null for the tracing bundle's default
     * @param traceCallers what a caller's sampled flag does (--trace-callers: capped or followed), or null for capped
     */
    record Options(Path home, Path data, int port, String host, int mgmtPort, String mgmtHost, boolean mgmtAllowRemote,
            int healthPort, String healthHost, int metricsPort, String metricsHost, boolean console, Path seed,
            long readyTimeoutSeconds, List<Path> platformBundles, String otlpEndpoint, String traceSample, String traceCallers,
            Store store, Ssh ssh) {
    }

    /**
     * The console over SSH.
     *
     * @param port its port (0: a free one)
     * @param host its address, or null for loopback
     * @param allowRemote whether an address other than loopback was allowed
     */
    record Ssh(int port, String host, boolean allowRemote) {
    }

    /**
     * A fleet instance's store.
     *
     * @param url postgresql://..., with no password
     * @param passwordFile where the password is, or null ($MOSAIC_STORE_PASSWORD, or none)
     * @param group the instance's group, or null for {@code default}
     */
    record Store(String url, Path passwordFile, String group) {
    }

    private RuntimeLauncher() {
    }

    static int run(Options o, PrintStream out, PrintStream err) throws Exception {
        StartupTrace trace = StartupTrace.fromSystemProperty(err);
        trace.mark("launcher main");
        if (o.mgmtHost() != null && !o.mgmtAllowRemote() && !java.net.InetAddress.getByName(o.mgmtHost()).isLoopbackAddress()) {
            err.println("mosaic: --mgmt-host " + o.mgmtHost() + " would let other machines reach the management API;"
                    + " add --mgmt-allow-remote if that is what you want");
            return 2;
        }
        if (o.ssh() != null && o.ssh().host() != null && !o.ssh().allowRemote()
                && !java.net.InetAddress.getByName(o.ssh().host()).isLoopbackAddress()) {
            err.println("mosaic: --ssh-host " + o.ssh().host() + " would let other machines reach the console;"
                    + " add --ssh-allow-remote if that is what you want");
            return 2;
        }
        Path featureFile = o.home().resolve("features").resolve("mosaic-runtime.json");
        Feature feature = Feature.read(featureFile);
        trace.mark("feature read");
        Files.createDirectories(o.data());
        FileChannel lockChannel = FileChannel.open(o.data().resolve("runtime.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = lockChannel.tryLock();
        if (lock == null) {
            err.println("mosaic: data directory " + o.data() + " is in use by another running Mosaic; stop it, or use --data with another directory");
            return 2;
        }
        // A port in use would otherwise show only as a gateway that never starts, after the ready timeout.
        for (String taken : new String[] {
                unavailable(o.host(), o.port(), "device traffic", "--port"),
                unavailable(o.mgmtHost() == null ? "127.0.0.1" : o.mgmtHost(), o.mgmtPort(), "the management API", "--mgmt-port"),
                o.healthPort() < 0 ? null : unavailable(o.healthHost(), o.healthPort(), "the health probes", "--health-port"),
                o.metricsPort() < 0 ? null : unavailable(o.metricsHost() == null ? "127.0.0.1" : o.metricsHost(), o.metricsPort(),
                        "the metrics", "--metrics-port"),
                o.ssh() == null ? null : unavailable(o.ssh().host() == null ? "127.0.0.1" : o.ssh().host(), o.ssh().port(),
                        "the SSH console", "--ssh-port") }) {
            if (taken != null) {
                err.println(taken);
                return 2;
            }
        }
        configureLogging();
        Logging.accessLog(o.data().resolve("logs"));

        Map<String, String> config = new HashMap<>(feature.frameworkProperties());
        config.put(Constants.FRAMEWORK_STORAGE, o.data().resolve("felix-cache").toString());
        // The journal, not the framework cache, is the record of what runs: start from a clean cache.
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // A unit gets a second generation of the same bundle while it moves (make-before-break).
        config.put(Constants.FRAMEWORK_BSNVERSION, Constants.FRAMEWORK_BSNVERSION_MULTIPLE);
        int maxLevel = feature.bundles().stream().mapToInt(Feature.Entry::startOrder).max().orElse(1);
        config.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, Integer.toString(maxLevel));
        config.put("mosaic.data", o.data().toString());
        // what a fleet instance says it runs (the listing shows it: a fleet being upgraded runs two versions for a while)
        config.put("mosaic.version", MosaicCommand.Version.number());
        // what makes X-Mosaic-Trace count in prod: known to the gateway and the management API's call, nowhere else
        byte[] key = new byte[16];
        new java.security.SecureRandom().nextBytes(key);
        config.put("mosaic.trace.key", java.util.HexFormat.of().formatHex(key));
        config.put("mosaic.gateway.port", Integer.toString(o.port()));
        if (o.host() != null) {
            config.put("mosaic.gateway.host", o.host());
        }
        config.put("mosaic.mgmt.port", Integer.toString(o.mgmtPort()));
        if (o.mgmtHost() != null) {
            config.put("mosaic.mgmt.host", o.mgmtHost());
        }
        if (o.mgmtAllowRemote()) {
            config.put("mosaic.mgmt.allowRemote", "true");
            err.println("mosaic: WARNING: the management API listens on " + o.mgmtHost()
                    + "; anyone who can reach it and holds the token can deploy code");
        }
        Path seed = o.seed();
        if (seed != null && o.store() != null) {
            // the examples' backends would run inside this one instance, which the others cannot count on, and
            // instances starting together on an empty store would each deploy them and declare their own backends
            out.println("mosaic: a fleet instance deploys no examples: deploy what the fleet serves through any instance");
            seed = null;
        }
        if (seed != null) {
            config.put("mosaic.seed", seed.toString());
        }
        ExampleBackends examples = ExampleBackends.startIfWanted(o.data(), seed != null, err);
        if (examples != null) {
            config.put("mosaic.examples.backends", examples.url());
            out.println("mosaic example backends on " + examples.url() + " (latency and failures: POST " + examples.url()
                    + "/_control?backend=recommendations&latency=300ms&failureRate=0.5)");
        }
        if (o.healthPort() >= 0) {
            config.put("mosaic.health.port", Integer.toString(o.healthPort()));
            if (o.healthHost() != null) {
                config.put("mosaic.health.host", o.healthHost());
            }
        }
        if (o.metricsPort() >= 0) {
            config.put("mosaic.metrics.port", Integer.toString(o.metricsPort()));
            if (o.metricsHost() != null) {
                config.put("mosaic.metrics.host", o.metricsHost());
            }
        }
        if (o.otlpEndpoint() != null) {
            config.put("mosaic.tracing.endpoint", o.otlpEndpoint());
        }
        if (o.traceSample() != null) {
            config.put("mosaic.tracing.sample", o.traceSample());
        }
        if (o.traceCallers() != null) {
            config.put("mosaic.tracing.callers", o.traceCallers());
        }
        if (o.store() != null) {
            config.put("mosaic.store", o.store().url());
            if (o.store().passwordFile() != null) {
                config.put("mosaic.store.passwordFile", o.store().passwordFile().toString());
            }
            if (o.store().group() != null) {
                config.put("mosaic.group", o.store().group());
            }
        }
        if (o.ssh() != null) {
            config.put("mosaic.ssh.port", Integer.toString(o.ssh().port()));
            config.put("mosaic.ssh.host", o.ssh().host() == null ? "127.0.0.1" : o.ssh().host());
            if (o.ssh().allowRemote()) {
                err.println("mosaic: WARNING: the SSH console listens on " + o.ssh().host() + "; anyone who can reach it"
                        + " with a key in " + o.data().resolve("authorized_keys") + " can deploy code");
            }
        }
        config.put("gosh.args", o.console() ? "" : "--nointeractive");

        Framework framework = new FrameworkFactory().newFramework(config);
        framework.init();
        trace.mark("framework init");
        BundleContext context = framework.getBundleContext();
        // the log as the platform sees it: one adapter's lines followed, its level set at runtime
        context.registerService(dev.mosaic.logs.RuntimeLogs.class, Logging.logs(), null);
        trace.watch(context);
        // The console's prompt comes after the ready line, not in the middle of the start-up log.
        Bundle console = null;
        for (Feature.Entry entry : feature.bundles()) {
            Path jar = o.home().resolve("bundles").resolve(entry.fileName());
            if (!Files.isRegularFile(jar)) {
                err.println("mosaic: the feature " + feature.id() + " needs " + jar + ", which is missing; rebuild the distribution");
                framework.stop();
                return 2;
            }
            Bundle bundle = context.installBundle("reference:" + jar.toUri());
            bundle.adapt(BundleStartLevel.class).setStartLevel(entry.startOrder());
            if (GOGO_SHELL.equals(bundle.getSymbolicName())) {
                console = bundle;
            } else if ((entry.start() || ("ssh".equals(entry.startWith()) && o.ssh() != null))
                    && bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                bundle.start();
            }
        }
        // The operator's own platform bundles: after the libraries and Declarative Services, before Mosaic's
        // components, so that a ChangeListener is there before the deployer restores anything.
        for (Path jar : o.platformBundles()) {
            Bundle bundle = context.installBundle("reference:" + jar.toUri());
            bundle.adapt(BundleStartLevel.class).setStartLevel(Math.max(1, maxLevel - 1));
            bundle.start();
        }
        trace.mark("bundles installed");
        Thread shutdown = new Thread(() -> stop(framework), "mosaic-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        framework.start();
        trace.mark("framework started (every start level)");

        ServiceTracker<Object, Object> deployer = tracker(context, "dev.mosaic.deployer.Deployer");
        ServiceTracker<Object, Object> restoring = tracker(context, "dev.mosaic.deployer.Restoring");
        ServiceTracker<Object, Object> gateway = tracker(context, "dev.mosaic.gateway.Gateway");
        // 0: no limit (a runtime restoring ten thousand deployments may need minutes)
        long deadline = o.readyTimeoutSeconds() == 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(o.readyTimeoutSeconds());
        Object gatewayService = gateway.waitForService(millisUntil(deadline));
        Object deployerService;
        try {
            deployerService = gatewayService == null ? null : awaitDeployer(deployer, restoring, deadline, out);
        } catch (CannotStart e) {
            err.println("mosaic: the runtime cannot start: " + e.getMessage());
            stop(framework);
            return 3;
        }
        if (gatewayService == null || deployerService == null) {
            err.println("mosaic: the runtime did not become ready within " + o.readyTimeoutSeconds() + " s ("
                    + (gatewayService == null ? "the gateway" : "the deployer") + " did not start); see the log above");
            stop(framework);
            return 3;
        }
        trace.mark("gateway and deployer up (deployments restored)");
        int port;
        try {
            port = (Integer) call(gatewayService, "port");
        } catch (java.lang.reflect.InvocationTargetException e) {
            err.println("mosaic: " + e.getCause().getMessage());
            stop(framework);
            return 3;
        }
        ServiceTracker<Object, Object> mgmt = tracker(context, "dev.mosaic.shell.ManagementApi");
        // it starts without waiting for the deployer; after a restore that outlasted the ready timeout it still gets a moment
        Object mgmtService = mgmt.waitForService(deadline == Long.MAX_VALUE ? 0 : Math.max(10_000, millisUntil(deadline)));
        if (mgmtService != null) {
            out.println("mosaic management API on " + call(mgmtService, "url") + " (token: " + call(mgmtService, "tokenSource") + ")");
            Object health = call(mgmtService, "healthUrl");
            if (health != null) {
                out.println("mosaic health probes on " + health + "/live and " + health + "/ready");
            }
        }
        if (o.ssh() != null) {
            ServiceTracker<Object, Object> ssh = tracker(context, "dev.mosaic.ssh.internal.SshConsole");
            Object sshService = ssh.waitForService(Math.max(10_000, millisUntil(deadline)));
            if (sshService == null) {
                err.println("mosaic: the SSH console did not start; see the log above");
                stop(framework);
                return 3;
            }
            out.println("mosaic SSH console on " + call(sshService, "address") + " (keys: " + o.data().resolve("authorized_keys")
                    + ")");
        }
        out.println(READY + port);
        out.flush();
        trace.mark("ready");
        trace.report();
        if (console != null) {
            console.start();
        }
        framework.waitForStop(0);
        if (examples != null) {
            examples.close();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdown);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        lock.release();
        lockChannel.close();
        return 0;
    }

    /** @return why the runtime cannot listen there, or null if it can (port 0, any free port, always can) */
    private static String unavailable(String host, int port, String what, String flag) {
        if (port == 0) {
            return null;
        }
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(host == null ? new java.net.InetSocketAddress(port) : new java.net.InetSocketAddress(host, port));
            return null;
        } catch (java.io.IOException e) {
            return "mosaic: cannot listen for " + what + " on " + (host == null ? "*" : host) + ":" + port + " ("
                    + e.getMessage() + "): another program has that port. Stop it, or choose another with " + flag
                    + " N (0 picks a free one)";
        }
    }

    /**
     * The deployer's service appears once it has restored the recorded deployments, which with
     * thousands of them takes minutes. While it restores, it registers a
     * {@code dev.mosaic.deployer.Restoring} service: then the ready timeout does not run out,
     * and this says how far the restore has got, after five seconds (or at the ready timeout,
     * if that comes first) and every ten seconds after that. Only a deployer that is neither
     * up nor restoring by the deadline is a failure.
     */
    private static Object awaitDeployer(ServiceTracker<Object, Object> deployer, ServiceTracker<Object, Object> restoring,
            long deadline, PrintStream out) throws Exception {
        // the deployer says why when it cannot start at all (dev.mosaic.deployer.Restoring.FAILURE)
        long fiveSeconds = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long nextReport = fiveSeconds - deadline < 0 ? fiveSeconds : deadline;
        while (true) {
            Object service = deployer.waitForService(Math.min(1_000, Math.max(1, millisUntil(deadline))));
            if (service != null) {
                return service;
            }
            Object progress = restoring.getService();
            Object failure = restoring.getServiceReference() == null ? null
                    : restoring.getServiceReference().getProperty("mosaic.failure");
            if (failure != null) {
                throw new CannotStart(failure.toString());
            }
            if (progress == null && System.nanoTime() - deadline > 0) {
                return null;
            }
            if (progress != null && System.nanoTime() - nextReport > 0) {
                nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                try {
                    out.printf("mosaic: restoring the recorded deployments: %,d of %,d installed%n",
                            call(progress, "installed"), call(progress, "deployments"));
                    out.flush();
                } catch (java.lang.reflect.InvocationTargetException | IllegalStateException gone) {
                    // the restore ended while we asked
                }
            }
        }
    }

    /** The deployer cannot start at all, and says why. */
    private static final class CannotStart extends Exception {
        private static final long serialVersionUID = 1L;

        CannotStart(String message) {
            super(message);
        }
    }

    /** @return what {@link ServiceTracker#waitForService} takes to wait until the deadline (0: forever) */
    private static long millisUntil(long deadline) {
        return deadline == Long.MAX_VALUE ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    private static ServiceTracker<Object, Object> tracker(BundleContext context, String objectClass) throws Exception {
        ServiceTracker<Object, Object> t = new ServiceTracker<>(context,
                context.createFilter("(" + Constants.OBJECTCLASS + "=" + objectClass + ")"), null);
        t.open(true);
        return t;
    }

    /** The launcher cannot see the bundles' interfaces; it calls their methods by name. */
    private static Object call(Object service, String method) throws Exception {
        Method m = service.getClass().getMethod(method);
        m.setAccessible(true);
        return m.invoke(service);
    }

    private static void stop(Framework framework) {
        try {
            if ((framework.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0) {
                framework.stop();
                framework.waitForStop(30_000);
            }
        } catch (BundleException | InterruptedException e) {
            // stopping anyway
        } finally {
            Logging.closeAccessLog(); // the gateway wrote its last lines as it stopped
        }
    }

    /** Logback configures itself (see {@link Logging}); what the libraries read from system properties is set here. */
    private static void configureLogging() {
        // Jetty asks the platform MBean server whether oops are compressed (to pad its queues to
        // cache lines), and starting that server costs ~80 ms of start-up. Heaps under 32 GB
        // compress oops unless told not to: 16 four-byte references to a 64-byte line (a wrong
        // guess costs padding, never correctness).
        if (Runtime.getRuntime().maxMemory() < 32L << 30) {
            defaultProperty("org.eclipse.jetty.util.referencesPerCacheLine", "16");
        }
    }

    private static void defaultProperty(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    static Path home() throws IOException {
        String override = System.getenv("MOSAIC_HOME");
        if (override != null && !override.isBlank()) {
            return Path.of(override).toAbsolutePath();
        }
        try {
            Path jar = Path.of(RuntimeLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent();
        } catch (Exception e) {
            throw new IOException("cannot tell where the Mosaic distribution is; set MOSAIC_HOME", e);
        }
    }
}
