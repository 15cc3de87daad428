package dev.mosaic.deployer.internal.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Event.MoveRecord;
import dev.mosaic.deployer.internal.model.Model.Rollout;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.TestEvents;

/** Whose requests judge a module released in waves. */
class JudgeTest {

    private final Registry registry = new Registry();
    private final TestEvents events = new TestEvents();

    private void release(String name, String version, Map<String, String> bindings, List<MoveRecord> moves) {
        Event e = events.event("release", "prod", name, version, Kind.MODULE, bindings);
        e.moves = moves;
        if (!moves.isEmpty()) {
            e.groups = Set.of("east");
            e.rollout = new Rollout(Rollout.JUDGING, "2026-12-03T00:00:00Z", 1000, 2000, 200, true, null,
                    List.of("east", "west"), 0, "2026-12-03T00:00:00Z");
        }
        registry.apply(e);
    }

    private void deploy(String name, Map<String, String> bindings) {
        registry.apply(events.event("deploy", "prod", name, "1.0.0", Kind.ADAPTER, bindings));
    }

    private List<String> judged(String module, String version) {
        return Judge.judgedAdapters(registry, registry.unit(new UnitKey("prod", module, version)));
    }

    @Test
    void aReleaseIsJudgedOnTheAdaptersItMovedAndOnThoseOfTheModulesItMoved() {
        release("base", "1.0.0", Map.of(), List.of());
        release("mid", "1.0.0", Map.of("base", "1.0.0"), List.of());
        release("top", "1.0.0", Map.of("mid", "1.0.0"), List.of());
        deploy("tv", Map.of("top", "1.0.0"));
        deploy("phone", Map.of("base", "1.0.0"));
        deploy("web", Map.of("mid", "1.0.0", "top", "1.0.0"));
        deploy("other", Map.of());

        // base 1.1.0 moves a module and an adapter: both ways to base's new code are judged, through the chain mid, top
        release("base", "1.1.0", Map.of(), List.of(
                new MoveRecord("mid", "1.0.0", Map.of("base", "1.0.0"), Map.of("base", "1.1.0"), "uptake"),
                new MoveRecord("phone", "1.0.0", Map.of("base", "1.0.0"), Map.of("base", "1.1.0"), "uptake")));
        assertEquals(List.of("phone", "tv", "web"), judged("base", "1.1.0"), "not 'other', bound to none of them");

        // a release that moved only a module that no adapter uses has nobody's requests to be judged on
        release("lone", "1.0.0", Map.of(), List.of());
        release("user", "1.0.0", Map.of("lone", "1.0.0"), List.of());
        release("lone", "1.1.0", Map.of(), List.of(
                new MoveRecord("user", "1.0.0", Map.of("lone", "1.0.0"), Map.of("lone", "1.1.0"), "uptake")));
        assertEquals(List.of(), judged("lone", "1.1.0"));
    }
}
