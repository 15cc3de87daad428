package dev.mosaic.insight.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

import dev.mosaic.deployer.DeploymentInfo;

/**
 * The deployments the deployer recorded, and the package wires the framework actually made
 * for the generation of each that serves. Everything the insight answers is computed from
 * one snapshot, so an answer is consistent even while changes go on.
 */
final class Snapshot {

    /** A package wire of a deployment: to another deployment, or to a platform bundle. */
    record Wire(String pkg, String providerName, String providerVersion, DeploymentInfo provider) {
    }

    final List<DeploymentInfo> deployments;
    private final Map<DeploymentInfo, List<Wire>> wires;

    Snapshot(List<DeploymentInfo> deployments, Map<DeploymentInfo, List<Wire>> wires) {
        this.deployments = deployments;
        this.wires = wires;
    }

    List<Wire> wires(DeploymentInfo d) {
        return wires.getOrDefault(d, List.of());
    }

    /** Reads the wiring of every serving deployment from the framework. */
    static Snapshot of(List<DeploymentInfo> deployments, BundleContext context) {
        Map<Long, DeploymentInfo> byBundle = new HashMap<>();
        for (DeploymentInfo d : deployments) {
            if (d.bundleId() >= 0) {
                byBundle.put(d.bundleId(), d);
            }
        }
        Map<DeploymentInfo, List<Wire>> wires = new HashMap<>();
        for (DeploymentInfo d : deployments) {
            Bundle bundle = d.bundleId() < 0 ? null : context.getBundle(d.bundleId());
            BundleWiring wiring = bundle == null ? null : bundle.adapt(BundleWiring.class);
            if (wiring == null) {
                continue;
            }
            List<Wire> list = new ArrayList<>();
            for (BundleWire w : wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
                String pkg = String.valueOf(w.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE));
                if (pkg.startsWith("java.")) {
                    continue;
                }
                Bundle provider = w.getProvider().getBundle();
                list.add(new Wire(pkg, provider.getSymbolicName(), provider.getVersion().toString(),
                        byBundle.get(provider.getBundleId())));
            }
            wires.put(d, list);
        }
        return new Snapshot(deployments, wires);
    }
}
