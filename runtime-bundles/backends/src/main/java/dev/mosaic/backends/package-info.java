/**
 * Backend services: their declarations per environment ({@link dev.mosaic.backends.BackendSpec}),
 * and the {@link dev.mosaic.backends.Backends} service that calls them for adapters and says how
 * the calls go.
 */
@Export
@Version("1.1.0")
package dev.mosaic.backends;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
