package dev.mosaic.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * A runtime description in the OSGi Feature JSON format (OSGi R8, chapter 160): an id, the
 * bundles that make up the runtime, each a Maven id {@code groupId:artifactId:version} with
 * a {@code start-order} (its start level), and the framework launching properties (the
 * {@code framework-launching-properties} extension).
 *
 * <p>Read with jackson-core's streaming parser rather than databind: this runs on every
 * start, before the framework, and databind's object mapper costs a tenth of a second of
 * class loading there.
 */
record Feature(String id, List<Entry> bundles, Map<String, String> frameworkProperties) {

    static final String LAUNCHING_PROPERTIES = "framework-launching-properties";

    /**
     * One bundle of the feature.
     *
     * @param start whether the launcher starts it ({@code "mosaic.start": false} leaves it installed, for a platform
     *        bundle started when first needed, such as the release gate's)
     * @param startWith the option that has the launcher start it ({@code "mosaic.start": "ssh"}: with {@code --ssh-port}),
     *        or null
     */
    record Entry(String groupId, String artifactId, String version, int startOrder, boolean start, String startWith) {

        Entry(String groupId, String artifactId, String version, int startOrder) {
            this(groupId, artifactId, version, startOrder, true, null);
        }

        /** @return the file name the distribution stores this bundle under, in {@code bundles/} */
        String fileName() {
            return groupId + "." + artifactId + "-" + version + ".jar";
        }
    }

    static Feature read(Path file) throws IOException {
        Object parsed;
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            p.nextToken();
            parsed = value(p);
        }
        if (!(parsed instanceof Map<?, ?> root) || !(root.get("id") instanceof String id)) {
            throw new IOException(file + " is not a feature: it has no \"id\"");
        }
        List<Entry> bundles = new ArrayList<>();
        if (root.get("bundles") instanceof List<?> list) {
            for (Object b : list) {
                Object coordinates = b instanceof Map<?, ?> m ? m.get("id") : b;
                String[] parts = coordinates instanceof String s ? s.split(":") : new String[0];
                if (parts.length != 3) {
                    throw new IOException(file + ": bundle id '" + coordinates + "' is not groupId:artifactId:version");
                }
                Object order = b instanceof Map<?, ?> m ? m.get("start-order") : null;
                Object start = b instanceof Map<?, ?> m ? m.get("mosaic.start") : null;
                bundles.add(new Entry(parts[0], parts[1], parts[2], order instanceof Number n ? n.intValue() : 1,
                        !Boolean.FALSE.equals(start) && !(start instanceof String), start instanceof String w ? w : null));
            }
        }
        if (bundles.isEmpty()) {
            throw new IOException(file + " lists no bundles");
        }
        Map<String, String> properties = new LinkedHashMap<>();
        if (root.get("extensions") instanceof Map<?, ?> extensions && extensions.get(LAUNCHING_PROPERTIES) instanceof Map<?, ?> ext) {
            if (!(ext.get("JSON") instanceof Map<?, ?> json)) {
                throw new IOException(file + ": the " + LAUNCHING_PROPERTIES + " extension must hold a \"JSON\" object");
            }
            json.forEach((k, v) -> properties.put(k.toString(), String.valueOf(v)));
        }
        return new Feature(id, List.copyOf(bundles), Map.copyOf(properties));
    }

    /** The value at the parser's current token, as maps, lists, strings, numbers, booleans and null. */
    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            throw new IOException("unexpected end of the feature file");
        }
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, value(p));
                }
                return map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(p));
                }
                return list;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberValue();
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return p.getBooleanValue();
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new IOException("unexpected " + t + " at " + p.currentLocation());
        }
    }
}
