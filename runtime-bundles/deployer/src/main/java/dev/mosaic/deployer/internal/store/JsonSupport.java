package dev.mosaic.deployer.internal.store;

import java.io.IOException;

import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;

/** The journal's JSON: OSGi versions and ranges as their usual strings. */
public final class JsonSupport {

    private JsonSupport() {
    }

    public static ObjectMapper mapper() {
        SimpleModule osgi = new SimpleModule("osgi-versions");
        osgi.addSerializer(Version.class, new JsonSerializer<Version>() {
            @Override
            public void serialize(Version v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(v.toString());
            }
        });
        osgi.addDeserializer(Version.class, new JsonDeserializer<Version>() {
            @Override
            public Version deserialize(JsonParser p, DeserializationContext c) throws IOException {
                return Version.parseVersion(p.getValueAsString());
            }
        });
        osgi.addSerializer(VersionRange.class, new JsonSerializer<VersionRange>() {
            @Override
            public void serialize(VersionRange v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(v.toString());
            }
        });
        osgi.addDeserializer(VersionRange.class, new JsonDeserializer<VersionRange>() {
            @Override
            public VersionRange deserialize(JsonParser p, DeserializationContext c) throws IOException {
                return new VersionRange(p.getValueAsString());
            }
        });
        return new ObjectMapper().registerModule(osgi)
                .setSerializationInclusion(JsonInclude.Include.NON_NULL)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }
}
