package dev.mosaic.deployer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The one rule for why a consumer is not on a module version, and its one wording. */
class StayReasonTest {

    private static final List<ImportInfo> RANGED = List.of(new ImportInfo("cat.api", "[1.0.0,2.0.0)", false));
    private static final List<ImportInfo> PINNED = List.of(new ImportInfo("cat.api", "[1.0.0,1.0.0]", false));
    private static final List<ImportInfo> NEXT_MAJOR = List.of(new ImportInfo("cat.api", "[2.0.0,3.0.0)", false));

    private static Stay stay(List<ImportInfo> ranges, boolean admits, String version, boolean yanked, String on,
            UptakePolicy uptake) {
        return Stay.of("prod", "tv", "1.0.0", Map.of("cat", on), ranges, admits, version, yanked, on, uptake);
    }

    @Test
    void aConsumerWhoseImportsDoNotAdmitTheVersionIsPinnedOrOutOfRange() {
        Stay pinned = stay(PINNED, false, "1.2.0", false, "1.0.0", UptakePolicy.AUTO);
        assertEquals(StayReason.PINNED, pinned.why());
        assertEquals("pinned: cat.api [1.0.0,1.0.0]", pinned.reason());
        Stay out = stay(NEXT_MAJOR, false, "1.2.0", false, "2.0.0", UptakePolicy.AUTO);
        assertEquals(StayReason.OUT_OF_RANGE, out.why());
        assertEquals("out of range: cat.api [2.0.0,3.0.0) excludes 1.2.0", out.reason());
    }

    @Test
    void aConsumerThatAdmitsTheVersionStaysForAYankANewerVersionOrManualUptakeInThatOrder() {
        assertEquals("1.2.0 is yanked", stay(RANGED, true, "1.2.0", true, "1.1.0", UptakePolicy.MANUAL).reason());
        Stay newer = stay(RANGED, true, "1.2.0", false, "1.3.0", UptakePolicy.MANUAL);
        assertEquals(StayReason.ON_NEWER, newer.why(), "a newer version wins over manual uptake");
        assertEquals("on a newer version in range: 1.3.0", newer.reason());
        Stay manual = stay(RANGED, true, "1.2.0", false, "1.1.0", UptakePolicy.MANUAL);
        assertEquals(StayReason.MANUAL_UPTAKE, manual.why());
        assertEquals("manual uptake: stays on 1.1.0 until adopt", manual.reason());
        assertEquals(StayReason.NOT_MOVED_YET, stay(RANGED, true, "1.2.0", false, "1.1.0", UptakePolicy.AUTO).why());
    }

    @Test
    void aPinIsEveryImportExact() {
        assertEquals(true, StayReason.isPin(PINNED));
        assertEquals(false, StayReason.isPin(List.of(PINNED.get(0), RANGED.get(0))));
        assertEquals(false, StayReason.isPin(List.of()));
    }
}
