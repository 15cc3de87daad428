package dev.mosaic.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import dev.mosaic.deployer.DeployResult;

/**
 * A runtime whose release gate is gone (its bundle uninstalled): releases still go through, and
 * each one says that its API was not compared, rather than passing for a checked one.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GateUnavailableIT extends MosaicSupport {

    @Configuration
    public Option[] config() {
        return runtime();
    }

    @Test
    public void aReleaseSaysWhenItsApiWasNotCompared() throws Exception {
        deployer(); // the seeded examples are restored (their releases use the gate) before it goes
        for (Bundle b : context.getBundles()) {
            if ("dev.mosaic.semver".equals(b.getSymbolicName())) {
                b.uninstall();
            }
        }
        DeployResult first = deploy(example("catalog-1.2.0.jar"), "nogate");
        assertFalse("nothing below it to compare with: " + first.summary(), first.summary().contains("NOT compared"));
        DeployResult release = deploy(example("seed/catalog-2.0.0.jar"), "nogate");
        assertTrue(release.changed());
        assertNull(release.report());
        assertTrue(release.summary(), release.summary().contains("its API was NOT compared with the version below it: the"
                + " release gate is unavailable"));
        assertEquals("2.0.0", release.deployment().version());
    }
}
