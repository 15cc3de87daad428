/**
 * Deploying, releasing and querying: the one service API behind the shell, the HTTP
 * management API and the CLI.
 */
@Export
@Version("2.4.0")
package dev.mosaic.deployer;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
