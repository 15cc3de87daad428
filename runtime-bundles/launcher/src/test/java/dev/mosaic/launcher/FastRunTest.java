package dev.mosaic.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** The fast reading of a plain run line gives what picocli gives, and leaves everything else to picocli. */
class FastRunTest {

    private static String fields(RunCommand r) {
        return java.util.Arrays.asList(r.port, r.host, r.mgmtPort, r.mgmtHost, r.mgmtAllowRemote, r.healthPort, r.healthHost,
                r.data, r.noConsole, r.noSeed, r.readyTimeout, r.platformBundles).toString();
    }

    private static RunCommand picocli(String... args) {
        RunCommand r = new RunCommand();
        new CommandLine(r).setOverwrittenOptionsAllowed(true).parseArgs(args);
        return r;
    }

    @Test
    void aPlainRunLineReadsAsPicocliReadsIt() {
        for (String[] line : List.of(new String[] { "run" },
                new String[] { "run", "--port", "0", "--mgmt-port=0", "--data", "/tmp/x", "--no-console", "--no-console" },
                new String[] { "run", "--host", "127.0.0.1", "--health-port", "9000", "--health-host=0.0.0.0", "--ready-timeout", "0",
                        "--mgmt-host", "::1", "--mgmt-allow-remote", "--no-seed" },
                new String[] { "run", "--platform-bundle", "pom.xml", "--platform-bundle=pom.xml" })) {
            RunCommand fast = FastRun.parse(line);
            assertNotNull(fast, String.join(" ", line));
            assertEquals(fields(picocli(List.of(line).subList(1, line.length).toArray(String[]::new))), fields(fast),
                    String.join(" ", line));
        }
    }

    @Test
    void itsIndexIsRunCommandsOptionsExactly() {
        java.util.Map<String, String> declared = new java.util.HashMap<>();
        java.util.Set<String> ports = new java.util.HashSet<>();
        for (java.lang.reflect.Field f : RunCommand.class.getDeclaredFields()) {
            CommandLine.Option o = f.getAnnotation(CommandLine.Option.class);
            if (o != null) {
                for (String name : o.names()) {
                    declared.put(name, f.getName());
                }
                if (o.converter().length > 0 && o.converter()[0] == RunCommand.PortConverter.class) {
                    ports.add(f.getName());
                }
            }
        }
        assertEquals(declared, FastRun.OPTIONS);
        assertEquals(ports, FastRun.PORTS, "the options that take a port are read as ports");
    }

    @Test
    void anythingElseGoesToPicocli() {
        for (String[] line : List.of(new String[] { "deploy", "x.jar" }, new String[] { "run", "--help" },
                new String[] { "run", "-h" }, new String[] { "run", "--prot", "1" }, new String[] { "run", "--port", "99999" },
                new String[] { "run", "--port" }, new String[] { "run", "--no-console=yes" }, new String[] { "run", "extra" },
                new String[] { "run", "--ready-timeout", "-1" }, new String[] { "run", "--platform-bundle", "no-such.jar" })) {
            assertNull(FastRun.parse(line), String.join(" ", line));
        }
    }
}
