package dev.mosaic.backends.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import dev.mosaic.backends.BackendSpec;
import dev.mosaic.backends.BackendStats;
import dev.mosaic.backends.Backends;

/**
 * The {@link Backends} service: the backends of each environment, as the deployer last applied
 * them, and the scopes device requests call them through. Reading the declarations on the
 * request path is one volatile read; applying them is serialised.
 */
@Component(service = Backends.class, immediate = true)
public final class Egress implements Backends {

    /** Threads that run the answers of backend calls (and what adapters compose on them). */
    static final int MAX_THREADS = Integer.getInteger("mosaic.backends.threads", 200);

    private final Secrets secrets;
    private Clients clients;
    private volatile Map<String, Map<String, Declared>> environments = Map.of();
    /** The environments that record or replay their calls (bin/mosaic dev); usually none. */
    private volatile Map<String, Recording> recordings = Map.of();
    /** Writes recordings, off the threads that answer calls; made by the first environment that records. */
    private java.util.concurrent.ExecutorService recorder;

    public Egress() {
        this(System::getenv);
    }

    /** @param environment where {@code env:} references are read (the process environment) */
    public Egress(Function<String, String> environment) {
        this.secrets = new Secrets(environment);
    }

    /** Where backend calls' spans are made while the tracing bundle offers a TracerProvider; null otherwise. */
    private volatile CallSpans spans;

    @org.osgi.service.component.annotations.Reference(cardinality = org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL,
            policy = org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC,
            policyOption = org.osgi.service.component.annotations.ReferencePolicyOption.GREEDY, unbind = "untraced")
    synchronized void traced(io.opentelemetry.api.trace.TracerProvider provider) {
        tracing = provider;
        spans = new CallSpans(provider.get("dev.mosaic.backends"));
    }

    synchronized void untraced(io.opentelemetry.api.trace.TracerProvider provider) {
        if (tracing == provider) { // a replacement is bound before the one it replaces is unbound
            tracing = null;
            spans = null;
        }
    }

    private io.opentelemetry.api.trace.TracerProvider tracing;

    @Activate
    void activate(org.osgi.framework.BundleContext context) {
        start();
        if (!"off".equals(context.getProperty("mosaic.backends.warmup"))) {
            Warmup.start(clients, secrets); // the call path loaded before the first device request needs it
        }
    }

    /** Starts the clients' threads (the warm-up is {@link #activate}'s). */
    public void start() {
        clients = new Clients(secrets, MAX_THREADS);
    }

    @Deactivate
    public void stop() {
        environments = Map.of();
        clients.close();
        synchronized (this) {
            if (recorder != null) {
                recorder.shutdown();
            }
        }
    }

    @Override
    public synchronized void recording(String environment, Recording recording) {
        if ("prod".equals(environment) && recording.mode() != Recording.Mode.OFF) {
            throw new IllegalArgumentException("prod never records nor replays its backend calls: use a development"
                    + " environment such as dev");
        }
        Map<String, Recording> all = new HashMap<>(recordings);
        if (recording.mode() == Recording.Mode.OFF) {
            all.remove(environment);
        } else {
            java.nio.file.Path dir = recording.directory();
            if (dir == null || !dir.isAbsolute()) {
                throw new IllegalArgumentException("recordings need an absolute directory, got " + dir);
            }
            if (recording.mode() == Recording.Mode.REPLAY && !java.nio.file.Files.isDirectory(dir)) {
                throw new IllegalArgumentException("there are no recordings in " + dir + ": record them first (bin/mosaic dev"
                        + " --record)");
            }
            if (recording.mode() == Recording.Mode.RECORD) {
                try {
                    java.nio.file.Files.createDirectories(dir);
                } catch (java.io.IOException e) {
                    throw new IllegalArgumentException("recordings cannot be written to " + dir + ": " + e.getMessage());
                }
                if (recorder == null) {
                    recorder = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(r, "mosaic-recorder");
                        t.setDaemon(true);
                        return t;
                    });
                }
            }
            all.put(environment, recording);
        }
        recordings = Map.copyOf(all);
    }

    @Override
    public Map<String, Recording> recordings() {
        return new java.util.TreeMap<>(recordings);
    }

    @Override
    public void check(BackendSpec spec) {
        spec.secretHeaders().forEach((name, ref) -> secrets.read(ref, "secret header " + name));
        if (spec.trustStore() != null || spec.keyStore() != null) {
            clients.forTls(Clients.Tls.of(spec));
        }
    }

    @Override
    public synchronized void apply(String environment, Collection<BackendSpec> specs) {
        Map<String, Declared> before = environments.getOrDefault(environment, Map.of());
        Map<String, Declared> after = new LinkedHashMap<>();
        for (BackendSpec s : specs) {
            Declared old = before.get(s.name());
            after.put(s.name(), old != null && old.spec.equals(s) ? old : new Declared(environment, s, secrets, clients));
        }
        Map<String, Map<String, Declared>> all = new HashMap<>(environments);
        if (after.isEmpty()) {
            all.remove(environment);
        } else {
            all.put(environment, Map.copyOf(after));
        }
        environments = Map.copyOf(all);
    }

    @Override
    public Set<String> declared(String environment) {
        return new TreeSet<>(environments.getOrDefault(environment, Map.of()).keySet());
    }

    @Override
    public Scope open(Caller caller) {
        Map<String, Recording> r = recordings;
        Recording recording = r.isEmpty() ? null : r.get(caller.environment());
        return new RequestScope(environments.getOrDefault(caller.environment(), Map.of()), caller, clients.scheduler(), recording,
                recording == null ? null : recorder, spans);
    }

    @Override
    public List<BackendStats> stats(String environment) {
        List<BackendStats> out = new ArrayList<>();
        environments.forEach((env, backends) -> {
            if (environment == null || environment.equals(env)) {
                backends.values().forEach(d -> out.add(d.stats()));
            }
        });
        out.sort(Comparator.comparing(BackendStats::environment).thenComparing(s -> s.spec().name()));
        return out;
    }
}
