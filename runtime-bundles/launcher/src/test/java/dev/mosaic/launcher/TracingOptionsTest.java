package dev.mosaic.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** {@code run --trace-sample} and {@code --trace-callers} are checked before anything starts, as the tracing bundle reads it. */
class TracingOptionsTest {

    @Test
    void aShareANumberASecondOrBothAreTakenAndAnythingElseIsRefusedSayingWhatItTakes() {
        for (String ok : new String[] { "10%", "0.1", "0", "1", "100%", "100/s", "1/s", "10%,100/s", " 100/s , 0.5 " }) {
            assertNull(RunCommand.tracingProblem(null, ok, null), ok);
        }
        for (String bad : new String[] { "1.5", "half", "200%", "0/s", "10/m", "/s", "1.5/s", "10%,20%", "5/s,6/s", "10%,",
            "2000000/s", "NaN" }) {
            assertEquals("--trace-sample says which new traces are kept: a share from 0 to 1 or 0% to 100% (10%), at most a"
                    + " number a second (100/s), or both (10%,100/s); not '" + bad + "'", RunCommand.tracingProblem(null, bad, null), bad);
        }
    }

    @Test
    void callersAreCappedOrFollowedAndNothingElse() {
        for (String ok : new String[] { "capped", "followed", " Followed " }) {
            assertNull(RunCommand.tracingProblem(null, null, ok), ok);
        }
        for (String bad : new String[] { "trusted", "", "cap" }) {
            assertEquals("--trace-callers is capped (a trace its caller sampled is kept by the --trace-sample share and cap, the"
                    + " default) or followed (whatever they say), not '" + bad + "'", RunCommand.tracingProblem(null, null, bad), bad);
        }
    }
}
