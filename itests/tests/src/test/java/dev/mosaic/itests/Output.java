package dev.mosaic.itests;

import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The output of a process left running (bin/mosaic dev, tail), collected line by line, and lines awaited in it. */
final class Output {

    private Output() {
    }

    /** Starts the process, its stderr with its stdout, each line added to {@code lines} as it comes. */
    static Process collect(ProcessBuilder pb, List<String> lines) throws IOException {
        Process p = pb.redirectErrorStream(true).start();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        pump.setDaemon(true);
        pump.start();
        return p;
    }

    /** Waits until a line matches, failing with every line seen if the process ends or the time is up first. */
    static void await(List<String> lines, Predicate<String> line, Process p, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (lines.stream().noneMatch(line)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                fail("the line awaited never came (" + (p.isAlive() ? "timeout" : "exit " + p.exitValue()) + "):\n"
                        + String.join("\n", lines));
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }
}
