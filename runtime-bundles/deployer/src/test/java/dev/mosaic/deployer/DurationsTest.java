package dev.mosaic.deployer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;


class DurationsTest {

    @Test
    void shortFormsIsoAndNone() throws Exception {
        assertEquals(Duration.ofSeconds(90), Durations.parse("90s", "TTL"));
        assertEquals(Duration.ofMinutes(15), Durations.parse("15m", "TTL"));
        assertEquals(Duration.ofHours(12), Durations.parse(" 12h ", "TTL"));
        assertEquals(Duration.ofDays(7), Durations.parse("7d", "TTL"));
        assertEquals(Duration.ofHours(2), Durations.parse("PT2H", "TTL"));
        assertNull(Durations.parse("none", "TTL"));
        assertEquals("7d", Durations.format(Duration.ofDays(7)));
        assertEquals("36h", Durations.format(Duration.ofHours(36)));
        assertEquals("none", Durations.format(null));
    }

    @Test
    void negativeZeroAbsurdAndMalformedAreRefusedSaying() {
        for (String bad : new String[] { "-1h", "0s", "PT0S", "367d", "99999999999999999999d", "soon", "", "7 weeks" }) {
            DeployException e = assertThrows(DeployException.class, () -> Durations.parse(bad, "TTL"), bad);
            assertEquals(DeployException.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().startsWith("TTL"), e.getMessage());
        }
    }
}
