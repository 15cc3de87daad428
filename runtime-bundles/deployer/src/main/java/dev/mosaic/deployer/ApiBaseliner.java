package dev.mosaic.deployer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Compares the API of two versions of a shared module (a service the deployer uses when one is
 * registered: the runtime's is bnd's baselining, loaded on the first release that needs it).
 *
 * @since 2.3
 */
@org.osgi.annotation.versioning.ConsumerType
public interface ApiBaseliner {

    /**
     * @param newer the jar released
     * @param older the jar of the nearest lower version
     * @throws IOException if a jar cannot be read
     */
    ReleaseReport compare(Path newer, Path older) throws IOException;
}
