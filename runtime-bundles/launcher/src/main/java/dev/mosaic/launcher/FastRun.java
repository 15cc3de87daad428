package dev.mosaic.launcher;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.List;

import picocli.CommandLine.Option;

/**
 * {@code mosaic run} without building picocli's model: picocli's first {@code CommandLine}
 * costs about 180 ms of interpreted start-up on these machines (its built-in type converters,
 * java.time and java.sql among them, set up reflectively; a class-data-sharing archive does
 * not help), and even reading {@link RunCommand}'s {@link Option} annotations reflectively
 * costs some 80 ms (annotation proxies), against a start-to-ready target of one second. So a
 * plain {@code run} line is read here with {@link #OPTIONS}, an index of {@link RunCommand}'s
 * option names to its fields, which {@code FastRunTest} checks against the annotations: they
 * stay the one declaration of the options. Anything else ({@code --help}, an unknown option, a
 * value that does not convert, a check that fails) goes to picocli, which says what is wrong
 * exactly as for every other command.
 */
final class FastRun {

    /** Each option name of {@link RunCommand} to the field it sets. */
    static final java.util.Map<String, String> OPTIONS = java.util.Map.ofEntries(
            java.util.Map.entry("--port", "port"), java.util.Map.entry("--host", "host"),
            java.util.Map.entry("--mgmt-port", "mgmtPort"), java.util.Map.entry("--mgmt-host", "mgmtHost"),
            java.util.Map.entry("--mgmt-allow-remote", "mgmtAllowRemote"), java.util.Map.entry("--health-port", "healthPort"),
            java.util.Map.entry("--health-host", "healthHost"), java.util.Map.entry("--data", "data"),
            java.util.Map.entry("--metrics-port", "metricsPort"), java.util.Map.entry("--metrics-host", "metricsHost"),
            java.util.Map.entry("--access-log", "accessLog"),
            java.util.Map.entry("--access-log-sample", "accessLogSample"),
            java.util.Map.entry("--no-console", "noConsole"), java.util.Map.entry("--no-seed", "noSeed"),
            java.util.Map.entry("--ready-timeout", "readyTimeout"), java.util.Map.entry("--platform-bundle", "platformBundles"),
            java.util.Map.entry("--debug", "debug"), java.util.Map.entry("--otlp-endpoint", "otlpEndpoint"),
            java.util.Map.entry("--trace-sample", "traceSample"), java.util.Map.entry("--trace-callers", "traceCallers"), java.util.Map.entry("--store", "store"),
            java.util.Map.entry("--store-password-file", "storePasswordFile"), java.util.Map.entry("--group", "group"),
            java.util.Map.entry("--ssh-port", "sshPort"), java.util.Map.entry("--ssh-host", "sshHost"),
            java.util.Map.entry("--ssh-allow-remote", "sshAllowRemote"));

    /** The fields that take a port number. */
    static final java.util.Set<String> PORTS = java.util.Set.of("port", "mgmtPort", "healthPort", "metricsPort", "sshPort");

    private FastRun() {
    }

    /** @return the run command with the arguments applied, or null if picocli should read them */
    static RunCommand parse(String[] args) {
        if (args.length == 0 || !args[0].equals("run")) {
            return null;
        }
        RunCommand run = new RunCommand();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.equals("--help") || arg.equals("--version")) {
                return null;
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            Field field = field(name);
            if (field == null || name.equals("--debug")) {
                return null; // --debug (its value is optional) reaches the launcher only without bin/mosaic: picocli says why
            }
            try {
                if (field.getType() == boolean.class) {
                    if (eq >= 0) {
                        return null;
                    }
                    field.setBoolean(run, true);
                    continue;
                }
                String value;
                if (eq >= 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    return null;
                }
                if (!set(run, field, value)) {
                    return null;
                }
            } catch (IllegalAccessException | RuntimeException e) {
                return null;
            }
        }
        return run.problem() == null ? run : null; // picocli says what is wrong
    }

    private static Field field(String name) {
        String field = OPTIONS.get(name);
        try {
            return field == null ? null : RunCommand.class.getDeclaredField(field);
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static boolean set(RunCommand run, Field f, String value) throws IllegalAccessException {
        Class<?> type = f.getType();
        if (PORTS.contains(f.getName())) {
            f.set(run, new RunCommand.PortConverter().convert(value));
        } else if (type == String.class) {
            f.set(run, value);
        } else if (type == long.class) {
            f.setLong(run, Long.parseLong(value));
        } else if (type == Path.class) {
            f.set(run, Path.of(value));
        } else if (type == List.class) {
            ((List<Path>) f.get(run)).add(Path.of(value));
        } else {
            return false;
        }
        return true;
    }
}
