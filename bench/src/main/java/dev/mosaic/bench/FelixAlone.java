package dev.mosaic.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.hooks.resolver.ResolverHook;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * The framework's own share of "one more bundle among N": a bare Felix, as the runtime
 * configures it, with nothing of Mosaic's but a resolver hook that changes nothing (Mosaic
 * wires tenants through one, and Felix does more per resolve when a hook is registered), and
 * N bundles that each import one package and export one. One more bundle is installed from
 * bytes, resolved and started, as the deployer does, and timed; then stopped and uninstalled.
 * Whatever grows with N here grows in Mosaic too, and Mosaic cannot do better than this.
 */
final class FelixAlone implements AutoCloseable {

    private final Framework framework;
    private final BundleContext context;
    private int bundles;

    FelixAlone(Path storage) throws BundleException {
        framework = new FrameworkFactory().newFramework(Map.of(
                Constants.FRAMEWORK_STORAGE, storage.toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT,
                Constants.FRAMEWORK_BSNVERSION, Constants.FRAMEWORK_BSNVERSION_MULTIPLE));
        framework.start();
        context = framework.getBundleContext();
        context.registerService(ResolverHookFactory.class, triggers -> new ResolverHook() {
            @Override
            public void filterResolvable(Collection<BundleRevision> candidates) {
            }

            @Override
            public void filterSingletonCollisions(BundleCapability singleton, Collection<BundleCapability> collisionCandidates) {
            }

            @Override
            public void filterMatches(BundleRequirement requirement, Collection<BundleCapability> candidates) {
            }

            @Override
            public void end() {
            }
        }, null);
    }

    /** Installs and starts bundles until there are {@code n}. */
    void growTo(int n) throws IOException, BundleException {
        while (bundles < n) {
            Bundle b = install(bundles);
            context.getBundle(0).adapt(FrameworkWiring.class).resolveBundles(List.of(b));
            b.start();
            bundles++;
        }
    }

    /** @return ms to install, resolve and start one more bundle, which is then stopped and uninstalled again */
    double probe(int k) throws IOException, BundleException {
        byte[] jar = jar(1_000_000 + k);
        long t0 = System.nanoTime();
        Bundle b = context.installBundle("bench:probe/" + k, new ByteArrayInputStream(jar));
        context.getBundle(0).adapt(FrameworkWiring.class).resolveBundles(List.of(b));
        b.start();
        double ms = (System.nanoTime() - t0) / 1e6;
        if (b.getState() != Bundle.ACTIVE) {
            throw new IllegalStateException("probe bundle " + k + " did not start");
        }
        b.stop();
        b.uninstall();
        return ms;
    }

    private Bundle install(int i) throws IOException, BundleException {
        return context.installBundle("bench:" + i, new ByteArrayInputStream(jar(i)));
    }

    /** A bundle of nothing but a manifest: it imports the framework's package and exports one of its own. */
    private static byte[] jar(int i) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        a.putValue(Constants.BUNDLE_SYMBOLICNAME, "dev.mosaic.bench.felix.b" + i);
        a.putValue(Constants.BUNDLE_VERSION, "1.0.0");
        a.putValue(Constants.IMPORT_PACKAGE, "org.osgi.framework");
        a.putValue(Constants.EXPORT_PACKAGE, "dev.mosaic.bench.felix.b" + i + ";version=\"1.0.0\"");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, m)) {
            out.flush();
        }
        return bytes.toByteArray();
    }

    @Override
    public void close() throws BundleException, InterruptedException {
        framework.stop();
        framework.waitForStop(60_000);
    }
}
