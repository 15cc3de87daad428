package dev.mosaic.examples.catalog;

import java.util.List;

/**
 * A title of the catalog. Since 2.0 a title carries its artwork and its languages: a new
 * record shape, hence a new major version.
 */
public record Title(String id, String name, int year, String artworkUrl, List<String> audioLanguages) {
}
