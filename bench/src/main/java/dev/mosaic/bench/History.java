package dev.mosaic.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarInputStream;
import java.util.stream.Stream;

/**
 * Restart after a long history: two data directories with the same 50 deployments (a shared
 * module in two versions, 48 adapters), one with their 50 changes, the other with 20,000
 * more (yanks and unyanks of the module version nobody uses, appended to its journal as a
 * runtime of before snapshots would have written them). The first start of the long one
 * converts it (replays everything, snapshots, empties the journal); then both restart in
 * alternating rounds, start to ready. The target: the long history restarts within 1.5x of
 * the short one.
 */
final class History {

    private History() {
    }

    static void run(String[] args) throws Exception {
        int rounds = Bench.arg(args, 0, 5);
        int changes = Bench.arg(args, 1, 20_000);
        byte[] moduleTemplate = Files.readAllBytes(Bench.fixture("scale-module"));
        byte[] adapterTemplate = Files.readAllBytes(Bench.fixture("scale-adapter"));
        String module;
        try (JarInputStream jar = new JarInputStream(new java.io.ByteArrayInputStream(moduleTemplate))) {
            module = jar.getManifest().getMainAttributes().getValue("Bundle-SymbolicName").split(";")[0].trim();
        }
        Path shortHistory = Bench.tempDir("bench-history-short-");
        try (Bench.Runtime rt = Bench.Runtime.start(shortHistory, List.of(), "--no-seed")) {
            rt.deployBytes(Scale.module(moduleTemplate, "1.0.0"), module + " 1.0.0");
            rt.deployBytes(Scale.module(moduleTemplate, "1.1.0"), module + " 1.1.0"); // the adapters take 1.1.0: 1.0.0 is unused
            for (int i = 0; i < 48; i++) {
                rt.deployBytes(Scale.adapter(adapterTemplate, i), "adapter " + i);
            }
        }
        Path longHistory = Bench.tempDir("bench-history-long-");
        copy(shortHistory, longHistory);
        long seq = Files.readAllLines(shortHistory.resolve("journal.jsonl")).stream().filter(l -> !l.isBlank()).count();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < changes; i++) {
            lines.append(String.format(Locale.ROOT, "{\"seq\":%d,\"time\":\"2026-12-02T20:00:00Z\",\"actor\":\"bench\",\"op\":\"%s\","
                    + "\"env\":\"prod\",\"name\":\"%s\",\"version\":\"1.0.0\"}%n", ++seq, i % 2 == 0 ? "yank" : "unyank", module));
        }
        Files.writeString(longHistory.resolve("journal.jsonl"), lines, StandardOpenOption.APPEND);
        System.out.printf(Locale.ROOT, "50 deployments; short history: %d changes, long: %d changes%n", seq - changes, seq);

        long conversion;
        try (Bench.Runtime rt = Bench.Runtime.start(longHistory, List.of())) {
            conversion = rt.startMillis;
            check(rt, seq);
        }
        System.out.printf(Locale.ROOT, "first start of the long history (replays it all, snapshots it): %d ms; journal now %d"
                + " lines%n", conversion, Files.readAllLines(longHistory.resolve("journal.jsonl")).size());
        System.out.printf(Locale.ROOT, "%-5s %14s %14s %7s%n", "round", "short ms", "long ms", "ratio");
        List<Double> ratios = new ArrayList<>();
        List<Double> shorts = new ArrayList<>();
        List<Double> longs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            long a;
            long b;
            try (Bench.Runtime rt = Bench.Runtime.start(shortHistory, List.of())) {
                a = rt.startMillis;
            }
            try (Bench.Runtime rt = Bench.Runtime.start(longHistory, List.of())) {
                b = rt.startMillis;
                check(rt, seq);
            }
            shorts.add((double) a);
            longs.add((double) b);
            ratios.add((double) b / a);
            System.out.printf(Locale.ROOT, "%-5d %14d %14d %7.2f%n", r, a, b, (double) b / a);
        }
        System.out.printf(Locale.ROOT, "summary: restart to ready with %d changes vs %d, same 50 deployments: paired median %.2fx"
                + " (%.0f vs %.0f ms; target 1.5x); the first start of the long one, converting it: %d ms; %s%n", seq, seq - changes,
                Bench.median(ratios), Bench.median(longs), Bench.median(shorts), conversion, Bench.machine());
    }

    /** The long history's runtime serves its 50 deployments and lists its last change. */
    private static void check(Bench.Runtime rt, long lastSeq) throws Exception {
        String last = rt.api("GET", "/history?limit=1", null).body();
        if (!last.contains("\"sequence\" : " + lastSeq) && !last.contains("\"sequence\":" + lastSeq)) {
            throw new IllegalStateException("history does not end at change " + lastSeq + ": " + last);
        }
        String deployments = rt.api("GET", "/deployments", null).body();
        long running = deployments.split("\"running\"", -1).length - 1;
        if (running != 50) {
            throw new IllegalStateException(running + " deployments running, not 50");
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (p.getFileName().toString().equals("registry.lock")) {
                    continue;
                }
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
