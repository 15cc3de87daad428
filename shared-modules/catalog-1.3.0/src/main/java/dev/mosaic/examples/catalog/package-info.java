/**
 * The catalog of titles, version 1.3.0.
 */
@Export(substitution = Export.Substitution.NOIMPORT)
@Version("1.3.0")
package dev.mosaic.examples.catalog;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
