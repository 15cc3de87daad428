package dev.mosaic.examples.catalog;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The titles on offer. 1.3.0 is the example of a release that breaks its API in a minor
 * version: {@code trending()} is gone. The release gate refuses it (it needs 2.0.0).
 */
@ProviderType
public final class Catalog {

    private static final List<Title> TITLES = List.of(
            new Title("70143836", "Breaking Bad", 2008),
            new Title("80057281", "Stranger Things", 2016),
            new Title("80100172", "Dark", 2017),
            new Title("81040344", "Squid Game", 2021),
            new Title("81231974", "Wednesday", 2022));

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
     * @return the titles released this year or last
     * @since 1.2
     */
    public static List<Title> newReleases() {
        return List.of(TITLES.get(4));
    }
}
