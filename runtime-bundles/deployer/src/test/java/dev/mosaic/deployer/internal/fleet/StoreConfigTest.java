package dev.mosaic.deployer.internal.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a store URL and its password are read, and what is refused. */
class StoreConfigTest {

    private final Map<String, String> props = new HashMap<>();
    private final Map<String, String> env = new HashMap<>();

    private StoreConfig read(String url) {
        props.put("mosaic.store", url);
        return StoreConfig.from(props::get, env::get);
    }

    @Test
    void noStoreIsOneRuntimeOnItsOwn() {
        assertNull(StoreConfig.from(props::get, env::get));
    }

    @Test
    void aUrlGivesTheDriversUrlItsParametersAndTheUserTheDefaultsAndAGroup() {
        env.put(StoreConfig.PASSWORD_ENV, "s3cret");
        props.put("mosaic.group", "eu-west-1");
        StoreConfig c = read("postgresql://mosaic@db.example:6543/registry?sslmode=verify-full&sslrootcert=/etc/ca.pem");
        assertEquals("jdbc:postgresql://db.example:6543/registry", c.jdbcUrl());
        assertEquals("mosaic", c.connection().getProperty("user"));
        assertEquals("s3cret", c.connection().getProperty("password"));
        assertEquals("verify-full", c.connection().getProperty("sslmode"));
        assertEquals("/etc/ca.pem", c.connection().getProperty("sslrootcert"));
        assertEquals("30", c.connection().getProperty("socketTimeout"));
        assertEquals("5", c.connection().getProperty("connectTimeout"));
        assertEquals("eu-west-1", c.group());
        assertEquals(2000, c.heartbeat().toMillis());
        assertEquals(86_400_000, c.forgetAfter().toMillis());
        assertEquals("postgresql://mosaic@db.example:6543/registry", c.display());
        assertFalse(c.toString().contains("s3cret"));

        props.remove("mosaic.group");
        StoreConfig plain = read("postgres://localhost/mosaic?user=ops");
        assertEquals("jdbc:postgresql://localhost:5432/mosaic", plain.jdbcUrl());
        assertEquals("ops", plain.connection().getProperty("user"));
        assertEquals("default", plain.group());
    }

    @Test
    void thePasswordComesFromTheEnvironmentOrAFileNeverTheUrl(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pw");
        Files.writeString(file, "from-file\n");
        props.put("mosaic.store.passwordFile", file.toString());
        assertEquals("from-file", read("postgresql://mosaic@h/db").connection().getProperty("password"));
        env.put(StoreConfig.PASSWORD_ENV, "from-env");
        assertEquals("from-env", read("postgresql://mosaic@h/db").connection().getProperty("password"));

        for (String bad : new String[] { "postgresql://mosaic:hunter2@h/db", "postgresql://h/db?password=hunter2" }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(bad));
            assertTrue(e.getMessage().contains("must not carry the password"), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        }
    }

    @Test
    void whatIsNotAPostgresqlUrlIsRefusedSayingWhatItTakes() {
        for (String bad : new String[] { "mysql://h/db", "postgresql://h", "postgresql:///db", "postgresql://h/db?socketFactory=x" }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(bad), bad);
            assertTrue(e.getMessage().contains("--store takes postgresql://"), e.getMessage());
        }
    }
}
