package dev.mosaic.launcher;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code mosaic run}: starts the platform in this terminal (see {@link RuntimeLauncher}). */
@Command(name = "run", sortOptions = false, description = "Starts the platform in this terminal.")
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", converter = PortConverter.class,
            description = "device traffic port (default ${DEFAULT-VALUE}; 0 picks a free one)")
    int port = 8080;

    @Option(names = "--host", paramLabel = "ADDR", description = "device traffic address (default: all interfaces)")
    String host;

    @Option(names = "--mgmt-port", paramLabel = "N", converter = PortConverter.class,
            description = "management API port (default ${DEFAULT-VALUE}; 0 picks a free one)")
    int mgmtPort = 8081;

    @Option(names = "--mgmt-host", paramLabel = "ADDR", description = "management API address (default 127.0.0.1)")
    String mgmtHost;

    @Option(names = "--mgmt-allow-remote", description = "required to put the management API on another address than loopback")
    boolean mgmtAllowRemote;

    @Option(names = "--ssh-port", paramLabel = "N", converter = PortConverter.class,
            description = "also serve the console over SSH (the same commands; 0 picks a free port): public keys in"
                    + " DATA/authorized_keys, no passwords")
    Integer sshPort;

    @Option(names = "--ssh-host", paramLabel = "ADDR", description = "address of --ssh-port (default 127.0.0.1)")
    String sshHost;

    @Option(names = "--ssh-allow-remote", description = "required to put the SSH console on another address than loopback")
    boolean sshAllowRemote;

    @Option(names = "--health-port", paramLabel = "N", converter = PortConverter.class,
            description = "also serve the health probes (/health/live, /health/ready, no token) on a port of their own")
    Integer healthPort;

    @Option(names = "--health-host", paramLabel = "ADDR",
            description = "address of --health-port (default: all interfaces; it exposes nothing but the probes)")
    String healthHost;

    @Option(names = "--metrics-port", paramLabel = "N", converter = PortConverter.class,
            description = "also serve /metrics (Prometheus, no token) on a port of its own")
    Integer metricsPort;

    @Option(names = "--metrics-host", paramLabel = "ADDR",
            description = "address of --metrics-port (default 127.0.0.1; another one is logged as a warning)")
    String metricsHost;

    @Option(names = "--access-log", description = "write a JSON line for each request an adapter answers to"
            + " DATA/logs/access.log, rolled over at 100 MB into 10 files (as -Dmosaic.access.log=on, whose other settings"
            + " the README's Logs has)")
    boolean accessLog;

    @Option(names = "--access-log-sample", paramLabel = "SHARE",
            description = "write the line of this share of the requests answered below 500 (10%%, or 0.1), and of every 5xx,"
                    + " every request whose trace is kept and every one that asked to be traced; turns the access log on (its"
                    + " cost falls with the share: the README's Logs)")
    String accessLogSample;

    @Option(names = "--otlp-endpoint", paramLabel = "URL",
            description = "trace: a span per device request and per backend call, exported over OTLP/HTTP to this"
                    + " collector (e.g. http://127.0.0.1:4318); its headers (an API key) come from the environment,"
                    + " OTEL_EXPORTER_OTLP_HEADERS=name=value")
    String otlpEndpoint;

    @Option(names = "--trace-sample", paramLabel = "WHICH",
            description = "which new traces are kept: a share (10%%), at most a number a second (100/s), or both"
                    + " (10%%,100/s); default 100/s: every one while there are fewer")
    String traceSample;

    @Option(names = "--trace-callers", paramLabel = "capped|followed",
            description = "what a request's traceparent that says sampled does: capped (default), its trace is kept by the"
                    + " --trace-sample rule, its share and as many again a second (a device cannot have all its requests"
                    + " recorded by saying so); followed, kept whatever the share and the cap (behind a proxy you trust that"
                    + " samples)")
    String traceCallers;

    @Option(names = "--store", paramLabel = "URL", description = { "keep the registry and the artifacts in PostgreSQL,"
            + " shared by a fleet of instances: postgresql://[USER@]HOST[:PORT]/DB[?sslmode=require]; the password comes from"
            + " $MOSAIC_STORE_PASSWORD or --store-password-file, never from the URL (default: this instance's --data only)" })
    String store;

    @Option(names = "--store-password-file", paramLabel = "FILE", description = "a file holding the store's password")
    Path storePasswordFile;

    @Option(names = "--group", paramLabel = "NAME", description = "this instance's group in the fleet, such as its region"
            + " (with --store; default: default)")
    String group;

    @Option(names = "--data", paramLabel = "DIR", description = "data directory (default ${DEFAULT-VALUE})")
    Path data = Path.of("mosaic-data");

    @Option(names = "--no-console", description = "no Gogo console on the terminal")
    boolean noConsole;

    @Option(names = "--no-seed", description = "do not deploy the examples into an empty data directory (a fleet"
            + " instance, with --store, never does)")
    boolean noSeed;

    @Option(names = "--ready-timeout", paramLabel = "S",
            description = "give up if not ready after S seconds (default ${DEFAULT-VALUE}; 0: no limit; restoring the"
                    + " recorded deployments does not count)")
    long readyTimeout = 120;

    @Option(names = "--platform-bundle", paramLabel = "JAR",
            description = "add a bundle of your own to the platform (repeatable): trusted like the platform's bundles,"
                    + " e.g. a dev.mosaic.deployer.ChangeListener; tenants never see it")
    List<Path> platformBundles = new ArrayList<>();

    @Option(names = "--debug", arity = "0..1", paramLabel = "PORT", fallbackValue = "5005",
            description = "open a debugger port (JDWP) on 127.0.0.1, 5005 unless given, and print how to attach;"
                    + " bin/mosaic starts the JVM with the agent")
    Integer debug;

    /** Also called without picocli, by {@link FastRun}: then {@link #spec} is null and {@link #problem} found none. */
    @Override
    public Integer call() throws Exception {
        String problem = problem();
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        Double accessShare = accessLogSample == null ? null : share(accessLogSample);
        if (accessLog || accessShare != null) {
            System.setProperty("mosaic.access.log", "on"); // read where the runtime's logging is set up (Logging.accessLog)
        }
        if (accessShare != null) {
            System.setProperty("mosaic.access.log.sample", Double.toString(accessShare)); // read by the gateway's AccessLog
        }
        Path home = RuntimeLauncher.home();
        Path seed = home.resolve("examples").resolve("seed");
        RuntimeLauncher.Options o = new RuntimeLauncher.Options(home, data.toAbsolutePath().normalize(), port, host, mgmtPort,
                mgmtHost, mgmtAllowRemote, healthPort == null ? -1 : healthPort, healthHost, metricsPort == null ? -1 : metricsPort,
                metricsHost, !noConsole && onATerminal(),
                noSeed || !Files.isDirectory(seed) ? null : seed, readyTimeout,
                platformBundles.stream().map(p -> p.toAbsolutePath().normalize()).toList(), otlpEndpoint, traceSample,
                traceCallers, store == null ? null : new RuntimeLauncher.Store(store, storePasswordFile == null ? null
                        : storePasswordFile.toAbsolutePath().normalize(), group),
                sshPort == null ? null : new RuntimeLauncher.Ssh(sshPort, sshHost, sshAllowRemote));
        if (spec != null) {
            spec.commandLine().getOut().flush();
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        return RuntimeLauncher.run(o, out, System.err);
    }

    /**
     * @return what is wrong with the store's options, or null (the deployer reads the URL again, its parameters too); the
     *         password never goes in the URL, which process lists, shell histories and logs show
     */
    static String storeProblem(String store, Path passwordFile, String group) {
        if (store == null) {
            return group != null || passwordFile != null ? "--group and --store-password-file are for a fleet instance: give"
                    + " --store postgresql://HOST:PORT/DB too" : null;
        }
        java.net.URI uri = null;
        try {
            uri = new java.net.URI(store);
        } catch (java.net.URISyntaxException e) {
            // said below
        }
        if (uri != null && ((uri.getRawUserInfo() != null && uri.getRawUserInfo().contains(":"))
                || (uri.getRawQuery() != null && uri.getRawQuery().toLowerCase(java.util.Locale.ROOT).matches("(.*&)?password=.*")))) {
            return "--store must not carry the password (it would show in process lists and logs): put it in the"
                    + " MOSAIC_STORE_PASSWORD environment variable or in a file given with --store-password-file";
        }
        if (uri == null || !("postgresql".equals(uri.getScheme()) || "postgres".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getPath() == null || uri.getPath().length() < 2) {
            return "--store takes postgresql://[USER@]HOST[:PORT]/DATABASE[?sslmode=require], not '" + store + "'";
        }
        if (passwordFile != null && !Files.isReadable(passwordFile)) {
            return "--store-password-file " + passwordFile + ": no such file, or not readable";
        }
        if (group != null && !group.matches("[A-Za-z0-9._-]{1,64}")) {
            return "--group takes a name of letters, digits, '.', '_' and '-' (up to 64), such as us-east-1, not '" + group + "'";
        }
        return null;
    }

    /**
     * @return what is wrong with the tracing options, or null (the tracing bundle reads them again, and says the same of
     *         a -D property)
     */
    static String tracingProblem(String endpoint, String sample, String callers) {
        if (endpoint != null) {
            java.net.URI uri = null;
            try {
                uri = new java.net.URI(endpoint);
            } catch (java.net.URISyntaxException e) {
                // said below
            }
            if (uri == null || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null) {
                return "--otlp-endpoint takes the http or https URL of an OTLP/HTTP collector, such as"
                        + " http://127.0.0.1:4318 (no credentials in it: OTEL_EXPORTER_OTLP_HEADERS), not '" + endpoint + "'";
            }
        }
        if (sample != null && !sampling(sample)) {
            return "--trace-sample says which new traces are kept: a share from 0 to 1 or 0% to 100% (10%), at most a"
                    + " number a second (100/s), or both (10%,100/s); not '" + sample + "'";
        }
        if (callers != null && !callers.trim().equalsIgnoreCase("capped") && !callers.trim().equalsIgnoreCase("followed")) {
            return "--trace-callers is capped (a trace its caller sampled is kept by the --trace-sample share and cap, the"
                    + " default) or followed (whatever they say), not '" + callers + "'";
        }
        return null;
    }

    /**
     * @return what is wrong with the options that picocli's parsing cannot see (they go together, a file exists, a value
     *         is one the runtime takes), for a usage error before anything starts; null when nothing is
     */
    String problem() {
        if (readyTimeout < 0) {
            return "--ready-timeout takes a number of seconds (0 for no limit), not " + readyTimeout;
        }
        if (debug != null) {
            // bin/mosaic takes --debug away and starts the JVM with the agent; here it is too late for that
            return "--debug needs the JVM to start with a debugger agent: run bin/mosaic run --debug " + debug + ", or java"
                    + " -agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + debug
                    + " -jar lib/launcher.jar run";
        }
        for (Path bundle : platformBundles) {
            if (!Files.isRegularFile(bundle)) {
                return "--platform-bundle " + bundle + ": no such file";
            }
        }
        if ((sshHost != null || sshAllowRemote) && sshPort == null) {
            return "--ssh-host and --ssh-allow-remote go with --ssh-port N";
        }
        String storeProblem = storeProblem(store, storePasswordFile, group);
        if (storeProblem != null) {
            return storeProblem;
        }
        String tracingProblem = tracingProblem(otlpEndpoint, traceSample, traceCallers);
        if (tracingProblem != null) {
            return tracingProblem;
        }
        String logFormat = System.getProperty(Logging.FORMAT);
        if (Logging.format(logFormat) == null) {
            return "-D" + Logging.FORMAT + " (in MOSAIC_JAVA_OPTS) is text (the default) or json (a JSON object a line, for a"
                    + " log shipper), not '" + logFormat + "'";
        }
        if (accessLogSample != null && share(accessLogSample) == null) {
            return "--access-log-sample is the share of requests answered below 500 that get a line, from 0 to 1 or 0% to"
                    + " 100% (10%); not '" + accessLogSample + "'";
        }
        return null;
    }

    /** @return a share written {@code 10%} or {@code 0.1}, from 0 to 1; null when it is not one */
    static Double share(String text) {
        String t = text.trim();
        try {
            double v = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100 : Double.parseDouble(t);
            return v >= 0 && v <= 1 ? v : null; // NaN too
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** @return whether a --trace-sample is a share, a number a second or both, each at most once */
    private static boolean sampling(String sample) {
        boolean share = false;
        boolean rate = false;
        for (String part : sample.split(",", -1)) {
            String p = part.trim();
            try {
                if (p.endsWith("/s") && !rate) {
                    int n = Integer.parseInt(p.substring(0, p.length() - 2).trim());
                    if (n < 1 || n > 1_000_000) {
                        return false;
                    }
                    rate = true;
                } else if (!p.endsWith("/s") && !share && share(p) != null) {
                    share = true;
                } else {
                    return false;
                }
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }

    /**
     * A console only for a person at a terminal. Since Java 22, {@code System.console()} exists
     * even when the streams are redirected; {@code Console.isTerminal()} (22+) then says.
     */
    static boolean onATerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // before Java 22 a console exists only on a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /** A port number, 0 to 65535. */
    static final class PortConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int p = Integer.parseInt(value);
                if (p >= 0 && p <= 65535) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new TypeConversionException("must be a port number from 0 to 65535, got '" + value + "'");
        }
    }
}
