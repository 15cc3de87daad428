/**
 * The API adapters are written against: {@link dev.mosaic.api.RouteHandler} and its
 * {@link dev.mosaic.api.Route} annotation, the {@link dev.mosaic.api.Request} it receives
 * and the {@link dev.mosaic.api.Response} it may return; {@link dev.mosaic.api.Backend} for calls
 * to backend services (since 1.1).
 *
 * <p>Semantically versioned: adapters import it with the range {@code [1.0,2)}.
 */
@Export
@Version("1.1.0")
package dev.mosaic.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
