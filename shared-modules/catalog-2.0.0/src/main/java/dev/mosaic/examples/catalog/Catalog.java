package dev.mosaic.examples.catalog;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** The titles on offer. 2.0 returns {@link Optional} where 1.x returned null. */
@ProviderType
public final class Catalog {

    private static final List<Title> TITLES = List.of(
            new Title("70143836", "Breaking Bad", 2008, "https://art.example.com/70143836.jpg", List.of("en", "es")),
            new Title("80057281", "Stranger Things", 2016, "https://art.example.com/80057281.jpg", List.of("en", "fr", "de")),
            new Title("80100172", "Dark", 2017, "https://art.example.com/80100172.jpg", List.of("de", "en")),
            new Title("42", "The Answer", 1979, "https://art.example.com/42.jpg", List.of("en")));

    private Catalog() {
    }

    /** @return every title, in catalog order */
    public static List<Title> titles() {
        return TITLES;
    }

    /**
     * @param id a title id
     * @return the title with that id, if there is one
     */
    public static Optional<Title> find(String id) {
        return TITLES.stream().filter(t -> t.id().equals(id)).findFirst();
    }
}
