/**
 * This module's API: exported with its own version. Adapters import it with the range bnd derives from this
 * version ([1.0,2) for 1.0.0): add to it and bump the minor version, break it and bump the major one.
 */
@Export(substitution = Substitution.NOIMPORT)
@Version("1.0.0")
package ${package};

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.bundle.Export.Substitution;
import org.osgi.annotation.versioning.Version;
