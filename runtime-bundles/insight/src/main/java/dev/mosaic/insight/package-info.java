/**
 * Who depends on what: dependents, dependencies, uptake and the whole graph, from the
 * framework's wiring.
 */
@Export
@Version("2.1.0")
package dev.mosaic.insight;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
