package dev.mosaic.gateway.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class SnapshotMapTest {

    private static Map<String, Integer> contents(SnapshotMap<String, Integer> m) {
        Map<String, Integer> all = new HashMap<>();
        m.forEach(all::put);
        return all;
    }

    @Test
    void editsLeaveEarlierMapsAsTheyWereOnBothSidesOfTheSplit() {
        SnapshotMap<String, Integer> m = SnapshotMap.empty();
        Map<String, Integer> expected = new HashMap<>();
        SnapshotMap<String, Integer> small = null;
        for (int i = 0; i < 1000; i++) {
            m = m.with("k" + i, i);
            expected.put("k" + i, i);
            if (i == 10) {
                small = m;
            }
        }
        assertEquals(expected, contents(m));
        assertEquals(1000, m.size());
        assertEquals(11, small.size());
        assertNull(small.get("k11"));
        SnapshotMap<String, Integer> big = m;
        for (int i = 0; i < 1000; i += 2) {
            m = m.without("k" + i);
            expected.remove("k" + i);
        }
        m = m.with("k1", -1);
        expected.put("k1", -1);
        assertEquals(expected, contents(m));
        assertEquals(500, m.size());
        assertEquals(0, big.get("k0"));
        assertEquals(1, big.get("k1"));
        assertEquals(1000, big.size());
        assertSame(m, m.without("absent"));
    }

    @Test
    void randomEditsAgreeWithAHashMap() {
        Random random = new Random(7);
        SnapshotMap<String, Integer> m = SnapshotMap.empty();
        Map<String, Integer> expected = new HashMap<>();
        for (int step = 0; step < 20_000; step++) {
            String key = "p" + random.nextInt(300);
            if (random.nextInt(3) == 0) {
                m = m.without(key);
                expected.remove(key);
            } else {
                m = m.with(key, step);
                expected.put(key, step);
            }
            assertEquals(expected.size(), m.size());
            assertEquals(expected.get(key), m.get(key));
        }
        assertEquals(expected, contents(m));
        assertTrue(m.size() > 64, "the map went past the split: " + m.size());
    }
}
