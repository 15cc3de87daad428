package dev.mosaic.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class LookupsTest {

    private static final List<String> DEPLOYED = List.of("dev.mosaic.examples.tv-home", "dev.mosaic.examples.catalog",
            "dev.mosaic.examples.mobile-home", "com.example.catalog", "dev.mosaic.examples.glasses-play");

    @Test
    void aTypoFindsTheNameMeant() {
        assertEquals(List.of("dev.mosaic.examples.catalog"), Lookups.nearest("dev.mosaic.examples.catalgo", DEPLOYED));
        assertEquals(List.of("dev.mosaic.examples.tv-home"), Lookups.nearest("dev.mosaic.examples.tv-homes", DEPLOYED));
        assertEquals(List.of("dev.mosaic.examples.glasses-play"), Lookups.nearest("dev.mosaic.example.glases-play", DEPLOYED));
    }

    @Test
    void aShortNameFindsEveryNameItEnds() {
        assertEquals(List.of("com.example.catalog", "dev.mosaic.examples.catalog"), Lookups.nearest("catalog", DEPLOYED));
        assertEquals(List.of("dev.mosaic.examples.mobile-home", "dev.mosaic.examples.tv-home"), Lookups.nearest("home", DEPLOYED));
    }

    @Test
    void aNameLikeNothingDeployedFindsNothing() {
        assertEquals(List.of(), Lookups.nearest("dev.mosaic.examples.search", DEPLOYED));
        assertEquals(List.of(), Lookups.nearest("cat", DEPLOYED), "a part of a name is not the name's last part");
        assertEquals(List.of(), Lookups.nearest("tv-home", List.of()));
        assertEquals(List.of(), Lookups.nearest("x".repeat(8_000), DEPLOYED), "a name as long as a URI allows");
    }
}
