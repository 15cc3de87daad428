package dev.mosaic.bench;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import dev.mosaic.gateway.internal.AccessLines;

/**
 * One access-log line, on one thread with nothing else to do: made from a request's note as the runtime's writer
 * makes it ({@code make}), against the same bytes copied in as if making them cost nothing ({@code copy}); from
 * notes that stay in the core's caches (2,000) or not (1,000,000, some 300 MB); and with the lines written at the
 * end of a file through the page cache, 64 KB at a time, or only made.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AccessLine {

    @Param({ "2000", "1000000" })
    public int requests;

    @Param({ "made", "written" })
    public String lines;

    private AccessLines access;
    private Path dir;
    private FileChannel file;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        if (lines.equals("written")) {
            dir = Files.createTempDirectory("accessline");
            file = FileChannel.open(dir.resolve("access.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
        access = new AccessLines(requests, file);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (file != null) {
            file.close();
            Files.deleteIfExists(dir.resolve("access.log"));
            Files.deleteIfExists(dir);
        }
    }

    @Benchmark
    public int make() throws IOException {
        return access.make();
    }

    @Benchmark
    public int copy() throws IOException {
        return access.copy();
    }
}
