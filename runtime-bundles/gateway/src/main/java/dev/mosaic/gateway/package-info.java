/**
 * The gateway: the device-facing server and its per-environment routing table, switched
 * atomically by the deployer.
 */
@Export
@Version("2.3.0")
package dev.mosaic.gateway;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
