/**
 * The management surface: the HTTP management API service.
 */
@Export
@Version("1.1.0")
package dev.mosaic.shell;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
