package dev.mosaic.examples.catalog;

/** A title of the catalog. */
public record Title(String id, String name, int year) {
}
