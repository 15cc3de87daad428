package dev.mosaic.deployer.internal.model;

import java.util.List;
import java.util.Map;

import org.osgi.framework.Version;

import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.Export;

/** Revisions as the registry takes them in, for tests that build a registry's state change by change. */
public final class TestEvents {

    private long seq;

    /** @return the next revision, a second after the last: a module exports {@code com.example.NAME} at its version */
    public Event event(String op, String env, String name, String version, Kind kind, Map<String, String> bindings) {
        Event e = new Event();
        e.seq = ++seq;
        e.time = java.time.Instant.parse("2026-12-01T00:00:00Z").plusSeconds(seq).toString();
        e.actor = "test";
        e.op = op;
        e.env = env;
        e.name = name;
        e.version = version;
        e.artifact = new Artifact(name, version, kind, "sha-" + name + version, 1, false,
                kind == Kind.MODULE ? List.of(new Export("com.example." + name, Version.parseVersion(version))) : List.of(),
                List.of(), Map.of());
        e.bindings = bindings;
        return e;
    }
}
