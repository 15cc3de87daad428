package dev.mosaic.deployer.internal.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mosaic.deployer.internal.model.Event.MoveRecord;

class ResultsTest {

    private static List<MoveRecord> moves(int n) {
        List<MoveRecord> moves = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            moves.add(new MoveRecord("a" + i, "1.0.0", Map.of("cat", "1.1.0"), Map.of("cat", "1.2.0"), "uptake"));
        }
        return moves;
    }

    @Test
    void aSummaryNamesAFewMovesAndCountsTheRest() {
        assertEquals("no consumer moved", Results.movedSummary(List.of()));
        assertEquals("moved: a0 1.0.0 (cat 1.1.0 -> 1.2.0); a1 1.0.0 (cat 1.1.0 -> 1.2.0)", Results.movedSummary(moves(2)));
        String many = Results.movedSummary(moves(50));
        assertEquals(true, many.startsWith("moved: a0 1.0.0 (cat 1.1.0 -> 1.2.0); a1 "), many);
        assertEquals(true, many.endsWith("; a4 1.0.0 (cat 1.1.0 -> 1.2.0); and 45 more"), many);
    }
}
