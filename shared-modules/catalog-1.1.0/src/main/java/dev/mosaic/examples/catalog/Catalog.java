package dev.mosaic.examples.catalog;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The titles on offer. */
@ProviderType
public final class Catalog {

    private static final List<Title> TITLES = List.of(
            new Title("70143836", "Breaking Bad", 2008),
            new Title("80057281", "Stranger Things", 2016),
            new Title("80100172", "Dark", 2017),
            new Title("81040344", "Squid Game", 2021));

    private Catalog() {
    }

    /** @return every title, in catalog order */
    public static List<Title> titles() {
        return TITLES;
    }

    /**
     * @param id a title id
     * @return the title, or {@code null} if there is none with that id
     */
    public static Title find(String id) {
        return TITLES.stream().filter(t -> t.id().equals(id)).findFirst().orElse(null);
    }

    /**
     * @return the titles trending now, most popular first
     * @since 1.1
     */
    public static List<Title> trending() {
        return List.of(TITLES.get(3), TITLES.get(1));
    }
}
