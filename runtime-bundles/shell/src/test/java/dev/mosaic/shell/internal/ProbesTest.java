package dev.mosaic.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.mosaic.deployer.Deployer;
import dev.mosaic.deployer.Restoring;
import dev.mosaic.gateway.Gateway;

/** Ready means restored and listening; live means answering. */
class ProbesTest {

    private final AtomicReference<Deployer> deployer = new AtomicReference<>();
    private final AtomicReference<Restoring> restoring = new AtomicReference<>();
    private final AtomicBoolean serving = new AtomicBoolean();
    private final Gateway gateway = (Gateway) Proxy.newProxyInstance(Gateway.class.getClassLoader(),
            new Class<?>[] { Gateway.class }, (p, m, a) -> m.getName().equals("serving") ? serving.get() : null);
    private final Probes probes = new Probes(deployer::get, restoring::get, () -> gateway);

    @Test
    void notReadyWhileRestoringNorWhileTheDeviceListenerIsClosedReadyWhenBoth() {
        restoring.set(new Restoring() {
            @Override
            public int deployments() {
                return 6;
            }

            @Override
            public int installed() {
                return 2;
            }
        });
        serving.set(true);
        Map<String, Object> restoringNow = probes.ready();
        assertEquals(false, restoringNow.get("ready"));
        assertEquals("the runtime is restoring its recorded deployments (2 of 6 installed); try again shortly",
                restoringNow.get("reason"));

        deployer.set((Deployer) Proxy.newProxyInstance(Deployer.class.getClassLoader(), new Class<?>[] { Deployer.class },
                (p, m, a) -> null));
        assertEquals(Map.of("status", "ready", "ready", true), probes.ready());

        serving.set(false); // the runtime is stopping
        assertEquals(false, probes.ready().get("ready"));
        assertEquals("live", probes.live().get("status"), "alive all the same");
    }
}
