/**
 * The catalog of titles, version 2.0.0.
 */
@Export(substitution = Export.Substitution.NOIMPORT)
@Version("2.0.0")
package dev.mosaic.examples.catalog;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
