package dev.mosaic.launcher;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bin/mosaic dev}: the edit loop of an adapter or module project. Builds the project once with Maven (the
 * bundle, and the class path bnd needs), deploys it to the {@code dev} environment, then watches its compiled classes:
 * on a change it re-bundles them with bnd in process and redeploys, make-before-break, printing one line per reload.
 * In {@code dev} a version may be replaced by new bytes (the deployer marks such a build, and never promotes it).
 */
@Command(name = "dev", sortOptions = false, description = {
        "Develops an adapter or shared module live, redeploying it on every compile.",
        "Builds the project here (or --project) with Maven, deploys it to the dev environment, and on every change to its"
                + " compiled classes (an IDE compiling on save, or mvn compile) re-bundles them with bnd and redeploys,"
                + " make-before-break, one line per reload; a change to pom.xml or bnd.bnd builds it again with Maven."
                + " A bundle or deploy error is printed and the previous build keeps"
                + " serving. Uses the runtime at --url if one answers, else starts one (with the same bits as production; its"
                + " data in target/mosaic-dev). Ctrl-C stops (and stops a runtime it started)." })
final class DevCommand implements Callable<Integer> {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Spec
    CommandSpec spec;

    @Mixin
    RemoteCommands.Remote remote;

    @Option(names = "--project", paramLabel = "DIR", description = "the project's folder, with its pom.xml (default: here)")
    Path project = Path.of(".");

    @Option(names = { "-e", "--env" }, paramLabel = "ENV", description = "environment (default ${DEFAULT-VALUE})")
    String env = "dev";

    @Option(names = "--port", paramLabel = "N", converter = RunCommand.PortConverter.class,
            description = "device traffic port of a runtime dev starts (default ${DEFAULT-VALUE})")
    int port = 8080;

    @Option(names = "--mgmt-port", paramLabel = "N", converter = RunCommand.PortConverter.class,
            description = "management port of a runtime dev starts (default ${DEFAULT-VALUE})")
    int mgmtPort = 8081;

    @Option(names = "--debug", arity = "0..1", paramLabel = "PORT", fallbackValue = "5005",
            description = "start the runtime with a debugger port on loopback (default 5005)")
    Integer debug;

    @Option(names = "--mvn", paramLabel = "CMD", description = "the Maven to build with (default $MOSAIC_MVN, else mvn)")
    String mvn;

    @Option(names = { "-o", "--offline" }, description = "build with Maven offline")
    boolean offline;

    @Option(names = "--record", arity = "0..1", paramLabel = "DIR", fallbackValue = "",
            description = "keep the answers of the adapter's backend calls in files (default src/test/resources/mosaic-recordings)")
    Path record;

    @Option(names = "--replay", arity = "0..1", paramLabel = "DIR", fallbackValue = "",
            description = "answer the adapter's backend calls from those files, never the network")
    Path replay;

    @Option(names = "--redact", paramLabel = "HEADER", split = ",",
            description = "headers whose values are never recorded (default Authorization, Cookie, Set-Cookie, Proxy-Authorization)")
    List<String> redact;

    @Option(names = "--backend", paramLabel = "NAME=URL",
            description = "declare a backend the adapter calls in the environment before deploying (repeatable)")
    Map<String, String> declare;

    @Option(names = "--once", hidden = true, description = "build and deploy once, then stop (for scripts)")
    boolean once;

    private PrintWriter out;
    private PrintWriter err;
    private String base;
    private String token;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        Path dir = project.toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("pom.xml"))) {
            throw new ParameterException(spec.commandLine(), "no pom.xml in " + dir + ": run dev in an adapter or module"
                    + " project (mvn archetype:generate ... -DarchetypeArtifactId=mosaic-adapter-archetype makes one), or"
                    + " name it with --project");
        }
        Path work = dir.resolve("target").resolve("mosaic-dev");
        Files.createDirectories(work);
        DevRuntime runtime = null;
        try {
            runtime = connectOrStart(work);
            if (runtime == null && base == null) {
                return Main.UNREACHABLE;
            }
            Map<String, byte[]> buildFiles = fingerprints(dir);
            Path built = build(dir, work, "fix it and run dev again");
            if (built == null) {
                return Main.REFUSED;
            }
            Path classes = dir.resolve("target").resolve("classes");
            DevBundler bundler = bundler(dir, work, classes, built);
            String what = bundler.what();
            for (var b : declare == null ? Map.<String, String>of().entrySet() : declare.entrySet()) {
                Http.Answer set = api("PUT", "/backends/" + java.net.URLEncoder.encode(env, StandardCharsets.UTF_8) + "/"
                        + java.net.URLEncoder.encode(b.getKey(), StandardCharsets.UTF_8), "{\"url\":["
                        + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(b.getValue()) + "]}");
                if (set.status() / 100 != 2) {
                    err.println("mosaic dev: backend " + b.getKey() + " was not declared in " + env + ": "
                            + Client.error(set.status(), set.body()));
                    return Main.REFUSED;
                }
                out.println(stamp() + " declared backend " + b.getKey() + " in " + env + " at " + b.getValue());
            }
            if (record != null || replay != null) {
                String problem = recordings(dir, built, runtime != null);
                if (problem != null) {
                    err.println("mosaic dev: " + problem);
                    return Main.REFUSED;
                }
            }
            long t0 = System.nanoTime();
            String failure = deploy(Files.readAllBytes(built));
            if (failure != null) {
                err.println("mosaic dev: " + what + " was not deployed to " + env + ": " + failure);
                return Main.REFUSED;
            }
            String deployed = stamp() + " deployed " + what + " to " + env + " in " + millis(t0) + " ms";
            if (once) {
                out.println(deployed);
                return Main.DONE;
            }
            watch(dir, work, classes, bundler, buildFiles, deployed + "; watching " + dir.relativize(classes) + " and "
                    + String.join(", ", BUILD_FILES) + " (Ctrl-C stops)");
            return Main.DONE;
        } finally {
            if (runtime != null) {
                runtime.stop();
            }
        }
    }

    /** The runtime to deploy to: the one at --url if it answers, else one started here. @return the runtime started, if any */
    private DevRuntime connectOrStart(Path work) throws Exception {
        boolean named = remote.url != null || (System.getenv("MOSAIC_URL") != null && !System.getenv("MOSAIC_URL").isBlank());
        // without a URL, the runtime dev would start is the one to look for: at --mgmt-port
        String url = named ? Client.base(remote) : "http://127.0.0.1:" + mgmtPort + "/api/v1";
        int answer = DevRuntime.probe(url, null);
        if (answer > 0 && answer != 401 && answer != 403) {
            err.println("mosaic dev: what answers at " + url + " is not a Mosaic runtime (HTTP " + answer + " to /health, where"
                    + " a runtime asks for its token): " + (named ? "point --url (or MOSAIC_URL) at a runtime's management API"
                            : "stop it, or have dev start its runtime on another port with --mgmt-port N"));
            return null;
        }
        if (answer > 0) {
            base = url;
            Path started = named || tokenNamed() ? null : DevRuntime.startedBy(url, mgmtPort);
            if (started != null) {
                token = Files.readString(started.resolve("mgmt-token")).trim();
                // <project>/target/mosaic-dev/runtime
                out.println(stamp() + " using the runtime at " + url + " that mosaic dev started for "
                        + started.getParent().getParent().getParent());
            } else {
                token = new Client(out, err).token(remote);
                if (token == null) {
                    base = null;
                } else {
                    out.println(stamp() + " using the runtime at " + url);
                }
            }
            if (debug != null && base != null) {
                err.println("mosaic dev: --debug starts a runtime with a debugger port, but one runs already at " + url
                        + ": stop it, or start it with bin/mosaic run --debug");
                base = null;
            }
            return null;
        }
        if (named) {
            err.println("mosaic dev: no runtime answers at " + url + "; start one (bin/mosaic run), or leave --url and"
                    + " MOSAIC_URL unset for dev to start its own");
            return null;
        }
        DevRuntime started = DevRuntime.start(work.resolve("runtime"), port, mgmtPort, debug, out, err);
        if (started != null) {
            base = started.base();
            token = started.token();
        }
        return started;
    }

    /** @return whether the token is named (MOSAIC_TOKEN, --token-file, --data or MOSAIC_DATA): then it is the one used */
    private boolean tokenNamed() {
        return remote.tokenFile != null || remote.data != null || Stream.of("MOSAIC_TOKEN", "MOSAIC_DATA")
                .map(System::getenv).anyMatch(v -> v != null && !v.isBlank());
    }

    /**
     * Builds the project with Maven: its bundle, and the class path its classes compile against.
     *
     * @param whatNow what to do when the build fails, said after its output; null while watching (a reload line says it)
     * @return the bundle; null if the build failed (its output is printed)
     */
    private Path build(Path dir, Path work, String whatNow) throws Exception {
        String maven = mvn != null ? mvn : System.getenv().getOrDefault("MOSAIC_MVN", "mvn");
        List<String> command = new ArrayList<>(List.of(maven, "-q", "-B"));
        if (offline) {
            command.add("-o");
        }
        command.addAll(List.of("-DskipTests", "package", "dependency:build-classpath",
                "-Dmdep.outputFile=" + work.resolve("classpath.txt"), "-Dmdep.includeScope=compile"));
        out.println(stamp() + " building " + dir.getFileName() + ": " + String.join(" ", command));
        long t0 = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            err.println("mosaic dev: cannot run Maven (" + maven + "): " + e.getMessage() + "; put mvn on the PATH, or"
                    + " name it with --mvn or MOSAIC_MVN");
            return null;
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            err.print(output);
            if (whatNow == null) {
                notReloaded("the build failed (exit " + p.exitValue() + ", its output above)");
            } else {
                err.println("mosaic dev: the build failed (exit " + p.exitValue() + "); " + whatNow);
            }
            return null;
        }
        Path target = dir.resolve("target");
        Path jar;
        try (Stream<Path> files = Files.list(target)) {
            jar = files.filter(f -> f.toString().endsWith(".jar"))
                    .filter(f -> !f.getFileName().toString().matches(".*-(sources|javadoc|tests)\\.jar"))
                    .max((a, b) -> Long.compare(a.toFile().lastModified(), b.toFile().lastModified())).orElse(null);
        }
        if (jar == null) {
            err.println("mosaic dev: the build made no jar in " + target);
            return null;
        }
        out.println(stamp() + " built " + dir.relativize(jar) + " in " + millis(t0) + " ms");
        return jar;
    }

    /**
     * Watches the classes and the build files until interrupted. After each burst of changes to the classes (a compiler
     * writes several files), bundles and redeploys them, unless the bundle came out the same. A build that fails while
     * files are still changing (Maven deletes the classes, then compiles them again) is tried again once they settle;
     * only a failure that stays is printed. A change to pom.xml or bnd.bnd (headers, dependencies, a version: what the
     * classes alone do not show) builds the project again with Maven, and deploys what that build made.
     */
    private void watch(Path dir, Path work, Path classes, DevBundler first, Map<String, byte[]> built, String watching)
            throws Exception {
        DevBundler bundler = first;
        Map<String, byte[]> buildFiles = built;
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            // watching first, so that no change is missed; then bnd warmed up (its first build loads its classes), so
            // that the first reload is as quick as the others; only then is the loop announced
            dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
            WatchKey root = register(watcher, classes);
            try {
                bundler.bundle();
            } catch (DevBundler.BundleError e) {
                err.println(stamp() + " bnd cannot bundle the classes as they are: " + e.getMessage());
            }
            out.println(watching);
            while (!Thread.currentThread().isInterrupted()) {
                WatchKey key = watcher.poll(250, TimeUnit.MILLISECONDS);
                long changed = System.nanoTime();
                boolean newDirs = false;
                if (key != null) {
                    newDirs = drain(key);
                } else if ((root == null || !root.isValid()) && Files.isDirectory(classes)) {
                    newDirs = true; // the folder was removed (mvn clean) and is back: watched again, and bundled
                } else {
                    continue;
                }
                String failure;
                while (true) {
                    // a compiler writes its files in a burst: wait until it has been quiet for a moment
                    for (WatchKey more; (more = watcher.poll(25, TimeUnit.MILLISECONDS)) != null;) {
                        newDirs |= drain(more);
                    }
                    Map<String, byte[]> now = fingerprints(dir);
                    List<String> edited = edited(buildFiles, now);
                    if (!edited.isEmpty()) {
                        buildFiles = now;
                        DevBundler rebuilt = rebuild(dir, work, classes, String.join(" and ", edited));
                        bundler = rebuilt == null ? bundler : rebuilt;
                        // the build's own writes to the classes are not edits (what it compiled, it deployed)
                        for (WatchKey own; (own = watcher.poll()) != null;) {
                            drain(own);
                        }
                        root = register(watcher, classes);
                        failure = null;
                        break;
                    }
                    if (newDirs) {
                        root = register(watcher, classes);
                        newDirs = false;
                    }
                    failure = Files.isDirectory(classes) ? reload(bundler, changed) : null;
                    WatchKey more = failure == null ? null
                            : watcher.poll(hasClasses(classes) ? SETTLE_MS : EMPTY_SETTLE_MS, TimeUnit.MILLISECONDS);
                    if (more == null) {
                        break;
                    }
                    newDirs = drain(more);
                }
                if (failure != null) {
                    notReloaded(failure);
                }
                failing = failure != null;
            }
        }
    }

    /**
     * How long a failed reload waits for more changes before it is printed: Maven deletes a module's classes before
     * javac writes them again, a second or more later on a busy machine, and a reload in between finds no handler.
     */
    private static final long SETTLE_MS = 2_000;

    /**
     * How long a failed reload of classes with no class file at all waits: that is a build between deleting the classes
     * and writing them (javac took 2.4 s to write its first file after Maven deleted them, on a busy CI machine), not an
     * edit to say anything about; a build that stays empty is said then.
     */
    private static final long EMPTY_SETTLE_MS = 15_000;

    /** @return whether the classes folder holds a class file (in any package) */
    static boolean hasClasses(Path classes) {
        try (java.util.stream.Stream<Path> all = Files.walk(classes)) {
            return all.anyMatch(f -> f.getFileName().toString().endsWith(".class"));
        } catch (IOException | java.io.UncheckedIOException e) {
            return false; // going away as it is read: a build in between too
        }
    }

    /** The project's files that the classes do not show, which a change to builds the project again with Maven. */
    private static final List<String> BUILD_FILES = List.of("pom.xml", "bnd.bnd");

    /** @return each build file's digest (empty if it is not there) */
    private static Map<String, byte[]> fingerprints(Path dir) throws Exception {
        Map<String, byte[]> digests = new LinkedHashMap<>();
        for (String name : BUILD_FILES) {
            Path f = dir.resolve(name);
            byte[] digest = new byte[0];
            try {
                digest = sha(Files.readAllBytes(f));
            } catch (NoSuchFileException e) {
                // not there (a project without its own bnd.bnd): a file made later is a change
            } catch (IOException e) {
                digest = null; // being written: unreadable for a moment; the next burst reads it
            }
            digests.put(name, digest);
        }
        return digests;
    }

    /** @return the build files whose content differs between then and now (one being written counts as unchanged) */
    private static List<String> edited(Map<String, byte[]> then, Map<String, byte[]> now) {
        List<String> names = new ArrayList<>();
        now.forEach((name, digest) -> {
            if (digest != null && then.get(name) != null && !Arrays.equals(digest, then.get(name))) {
                names.add(name);
            }
        });
        return names;
    }

    /**
     * Builds the project again with Maven and deploys the bundle it made, as at the start.
     *
     * @return the bundler for the classes from now on (the new build's), or null if the build failed (said)
     */
    private DevBundler rebuild(Path dir, Path work, Path classes, String edited) throws Exception {
        out.println(stamp() + " " + edited + " changed: building the project again");
        long t0 = System.nanoTime();
        Path built = build(dir, work, null);
        if (built == null) {
            return null;
        }
        DevBundler bundler;
        try {
            bundler = bundler(dir, work, classes, built);
        } catch (IOException e) {
            notReloaded(e.getMessage());
            return null;
        }
        String failure = deploy(Files.readAllBytes(built));
        lastSha = null;
        if (failure != null) {
            notReloaded(failure);
            return bundler;
        }
        try {
            lastSha = sha(bundler.bundle()); // the classes as built: the compile's own changes are no reload
        } catch (DevBundler.BundleError | IOException e) {
            // the next change bundles, and says why not
        }
        out.println(stamp() + " reloaded " + bundler.what() + " in " + millis(t0) + " ms (built with Maven)");
        return bundler;
    }

    /** A bundler of the classes with the build's manifest as the template, and the class path the build wrote. */
    private static DevBundler bundler(Path dir, Path work, Path classes, Path built) throws IOException {
        List<File> classpath = new ArrayList<>();
        for (String entry : Files.readString(work.resolve("classpath.txt")).trim().split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                classpath.add(new File(entry));
            }
        }
        return new DevBundler(dir, classes, classpath, built);
    }

    private byte[] lastSha;
    /** Whether the last reload failed (so that a return to the serving build is said) */
    private boolean failing;

    /** Bundles the classes and deploys them if they changed. @return null if done (or unchanged), else why not */
    private String reload(DevBundler bundler, long changed) throws Exception {
        byte[] bundle;
        long t0 = System.nanoTime();
        try {
            bundle = bundler.bundle();
        } catch (DevBundler.BundleError | IOException e) {
            return "bnd cannot bundle the classes: " + e.getMessage();
        }
        byte[] sha = sha(bundle);
        if (Arrays.equals(sha, lastSha)) {
            if (failing) {
                out.println(stamp() + " the classes are the serving build's again: nothing to reload");
            }
            return null;
        }
        long bundled = System.nanoTime();
        String failure = deploy(bundle);
        if (failure != null) {
            return failure;
        }
        lastSha = sha;
        out.println(stamp() + " reloaded " + bundler.what() + " in " + millis(changed)
                + " ms (bundle " + (bundled - t0) / 1_000_000 + " ms, deploy " + millis(bundled) + " ms)");
        return null;
    }

    /** @return whether directories were created (to watch as well) */
    private static boolean drain(WatchKey key) {
        boolean dirs = false;
        for (var event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && event.context() instanceof Path p
                    && key.watchable() instanceof Path parent && Files.isDirectory(parent.resolve(p))) {
                dirs = true;
            }
        }
        key.reset();
        return dirs;
    }

    /** Watches every folder under root (registering one twice is harmless). @return root's key, null if it is not there */
    private static WatchKey register(WatchService watcher, Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return null;
        }
        WatchKey rootKey = null;
        try (Stream<Path> dirs = Files.walk(root)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                WatchKey k = d.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
                if (d.equals(root)) {
                    rootKey = k;
                }
            }
        } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
            // a folder went away while walking: the next change registers again
        }
        return rootKey;
    }

    /**
     * Has the environment record the adapter's backend calls, or replay them (declaring, for a replay, the backends the
     * adapter names that the environment does not: their answers come from the files, never their URL).
     *
     * @param ownRuntime whether the runtime is dev's own (else recording is turned off again when dev stops)
     * @return null if done, else why not
     */
    private String recordings(Path dir, Path built, boolean ownRuntime) throws Exception {
        if (record != null && replay != null) {
            return "--record and --replay do not go together";
        }
        boolean recording = record != null;
        Path given = recording ? record : replay;
        Path where = (given.toString().isEmpty() ? dir.resolve("src/test/resources/mosaic-recordings") : dir.resolve(given))
                .toAbsolutePath().normalize();
        String e = java.net.URLEncoder.encode(env, StandardCharsets.UTF_8);
        if (!recording) {
            String named;
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(built.toFile())) {
                named = jar.getManifest().getMainAttributes().getValue("Mosaic-Backends");
            }
            Http.Answer declared = api("GET", "/backends/" + e, null);
            for (String name : named == null ? new String[0] : named.split("\\s*,\\s*")) {
                if (!name.isBlank() && !declared.body().contains("\"" + name.trim() + "\"")) {
                    Http.Answer set = api("PUT", "/backends/" + e + "/" + name.trim(),
                            "{\"url\":[\"http://127.0.0.1:9\"]}");
                    if (set.status() / 100 != 2) {
                        return "backend " + name + " cannot be declared in " + env + " for the replay: "
                                + Client.error(set.status(), set.body());
                    }
                    out.println(stamp() + " declared backend " + name.trim() + " in " + env + " (its answers come from the"
                            + " recordings)");
                }
            }
        }
        String q = "?mode=" + (recording ? "record" : "replay") + "&dir=" + java.net.URLEncoder.encode(where.toString(),
                StandardCharsets.UTF_8) + (redact == null ? "" : "&redact=" + java.net.URLEncoder.encode(String.join(",", redact),
                        StandardCharsets.UTF_8));
        Http.Answer r = api("PUT", "/recordings/" + e + q, null);
        if (r.status() / 100 != 2) {
            return "the runtime would not " + (recording ? "record" : "replay") + ": " + Client.error(r.status(), r.body());
        }
        out.println(stamp() + (recording ? " recording the backend calls in " : " replaying the backend calls from ") + env
                + (recording ? " to " : " out of ") + where);
        if (!ownRuntime) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    api("PUT", "/recordings/" + e + "?mode=off", null);
                } catch (Exception ignored) {
                    // the runtime is gone too
                }
            }, "mosaic-dev-recording-off"));
        }
        return null;
    }

    private Http.Answer api(String method, String path, String body) throws IOException {
        RemoteCommands.Call call = new RemoteCommands.Call(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        return Client.call(base, token, call, true, "dev", Map.of());
    }

    /** Deploys the bundle to the environment. @return null if it serves, else why not */
    private String deploy(byte[] bundle) throws InterruptedException {
        RemoteCommands.Call call = new RemoteCommands.Call("POST", "/deployments?env=" + java.net.URLEncoder.encode(env,
                StandardCharsets.UTF_8), bundle);
        try {
            Http.Answer r = Client.call(base, token, call, true, "dev", Map.of());
            return r.status() / 100 == 2 ? null : Client.error(r.status(), r.body());
        } catch (IOException e) {
            return "the runtime at " + base + " did not answer (" + e.getMessage() + ")";
        }
    }

    /** Says that a change was not deployed, and why: the build deployed last serves on. */
    private void notReloaded(String why) {
        out.println(stamp() + " not reloaded: " + why + "; the previous build keeps serving");
    }

    private static byte[] sha(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    private static long millis(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }

    static String stamp() {
        return LocalTime.now().format(CLOCK);
    }
}
