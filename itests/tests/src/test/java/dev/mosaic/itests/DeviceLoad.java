package dev.mosaic.itests;

import static org.junit.Assert.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Device requests to each instance in turn, one thread per instance, as fast as they are
 * answered: every answer that is not a 200 counts as failed; each instance's module versions
 * are kept in the order it answered them, once per change.
 */
final class DeviceLoad implements AutoCloseable {
    final AtomicLong failed = new AtomicLong();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final List<List<String>> versions = new ArrayList<>();
    /** How many requests failed at each instance, in the fleet's order. */
    final List<AtomicLong> failedAt = new ArrayList<>();
    /** How many answers had each value of the field. */
    final java.util.concurrent.ConcurrentHashMap<String, Long> counts = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong answers = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    DeviceLoad(List<LaunchedRuntime> fleet, String path) {
        this(fleet, path, "moduleVersion");
    }

    /** @param field the answer's field whose values are kept, in the order they come */
    DeviceLoad(List<LaunchedRuntime> fleet, String path, String field) {
        for (LaunchedRuntime rt : fleet) {
            List<String> seen = new CopyOnWriteArrayList<>();
            versions.add(seen);
            AtomicLong failedHere = new AtomicLong();
            failedAt.add(failedHere);
            Thread t = new Thread(() -> {
                HttpClient client = HttpClient.newHttpClient();
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.port + path))
                        .timeout(Duration.ofSeconds(10)).build();
                while (running.get()) {
                    try {
                        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            failed.incrementAndGet();
                            failedHere.incrementAndGet();
                            failures.add(r.statusCode() + " " + r.body());
                            continue;
                        }
                        String v = LaunchedRuntime.JSON.readTree(r.body()).get(field).asText();
                        counts.merge(v, 1L, Long::sum);
                        if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(v)) {
                            seen.add(v);
                        }
                        answers.incrementAndGet();
                    } catch (Exception e) {
                        if (running.get()) {
                            failed.incrementAndGet();
                            failedHere.incrementAndGet();
                            failures.add(e.toString());
                        }
                    }
                }
            }, "device-load");
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Waits for that many more answers. */
    void awaitAnswers(long more) throws InterruptedException {
        long target = answers.get() + more;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (answers.get() < target) {
            if (System.nanoTime() > deadline) {
                fail("the load got no answers: " + failures);
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(15_000);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
