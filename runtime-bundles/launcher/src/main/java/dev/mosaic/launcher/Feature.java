package dev.mosaic.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A runtime description in the OSGi Feature JSON format (OSGi R8, chapter 160): an id and
 * the bundles that make up the runtime, each a Maven id {@code groupId:artifactId:version}
 * with a {@code start-order} (its start level).
 */
record Feature(String id, List<Entry> bundles) {

    /** One bundle of the feature. */
    record Entry(String groupId, String artifactId, String version, int startOrder) {
        /** @return the file name the distribution stores this bundle under, in {@code bundles/} */
        String fileName() {
            return groupId + "." + artifactId + "-" + version + ".jar";
        }
    }

    static Feature read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        String id = root.path("id").asText(null);
        if (id == null) {
            throw new IOException(file + " is not a feature: it has no \"id\"");
        }
        List<Entry> bundles = new ArrayList<>();
        for (JsonNode b : root.path("bundles")) {
            String coordinates = b.isTextual() ? b.asText() : b.path("id").asText("");
            String[] parts = coordinates.split(":");
            if (parts.length != 3) {
                throw new IOException(file + ": bundle id '" + coordinates + "' is not groupId:artifactId:version");
            }
            bundles.add(new Entry(parts[0], parts[1], parts[2], b.path("start-order").asInt(1)));
        }
        if (bundles.isEmpty()) {
            throw new IOException(file + " lists no bundles");
        }
        return new Feature(id, List.copyOf(bundles));
    }
}
