package dev.mosaic.deployer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class SuggestionsTest {

    private static final List<String> DEPLOYED = List.of("dev.mosaic.examples.tv-home", "dev.mosaic.examples.catalog",
            "dev.mosaic.examples.mobile-home", "com.example.catalog", "dev.mosaic.examples.glasses-play");

    @Test
    void aTypoFindsTheNameMeant() {
        assertEquals(List.of("dev.mosaic.examples.catalog"), Suggestions.nearest("dev.mosaic.examples.catalgo", DEPLOYED));
        assertEquals(List.of("dev.mosaic.examples.tv-home"), Suggestions.nearest("dev.mosaic.examples.tv-homes", DEPLOYED));
        assertEquals(List.of("dev.mosaic.examples.glasses-play"), Suggestions.nearest("dev.mosaic.example.glases-play", DEPLOYED));
        assertEquals(List.of("test"), Suggestions.nearest("tset", List.of("prod", "test")), "an environment's name");
        assertEquals(" (did you mean dev.mosaic.examples.catalog?)", Suggestions.didYouMean("dev.mosaic.examples.catalgo", DEPLOYED));
    }

    @Test
    void aShortNameFindsEveryNameItEnds() {
        assertEquals(List.of("com.example.catalog", "dev.mosaic.examples.catalog"), Suggestions.nearest("catalog", DEPLOYED));
        assertEquals(List.of("dev.mosaic.examples.mobile-home", "dev.mosaic.examples.tv-home"), Suggestions.nearest("home", DEPLOYED));
        assertEquals(" (did you mean com.example.catalog or dev.mosaic.examples.catalog?)", Suggestions.didYouMean("catalog",
                DEPLOYED));
    }

    @Test
    void aNameLikeNothingThereFindsNothing() {
        assertEquals(List.of(), Suggestions.nearest("dev.mosaic.examples.search", DEPLOYED));
        assertEquals(List.of(), Suggestions.nearest("cat", DEPLOYED), "a part of a name is not the name's last part");
        assertEquals(List.of(), Suggestions.nearest("tv-home", List.of()));
        assertEquals(List.of(), Suggestions.nearest("x".repeat(8_000), DEPLOYED), "a name as long as a URI allows");
        assertEquals(List.of(), Suggestions.nearest("staging", List.of("prod", "test")));
        assertEquals("", Suggestions.didYouMean("dev.mosaic.examples.search", DEPLOYED));
    }
}
