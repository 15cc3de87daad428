package dev.mosaic.deployer.internal.flow;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import dev.mosaic.deployer.internal.model.Model.SampleRow;

/**
 * What the rollouts need of the fleet this runtime is an instance of (absent outside a fleet):
 * its groups and how far their instances have got, and the samples of a judged rollout that the
 * instances share, so that every instance judges on the requests of all.
 */
public interface FleetView {

    /** @return this instance's id */
    String instance();

    /** @return this instance's group */
    String group();

    /** @return each group with a live instance, and the lowest revision its live instances have applied */
    Map<String, Long> liveGroups() throws IOException;

    /** Records this instance's samples (replacing what it recorded before under the same keys). */
    void publish(List<SampleRow> rows) throws IOException;

    /** @return every instance's samples of the adapter's rollout that started counting at {@code since} */
    List<SampleRow> samples(String env, String adapter, String since) throws IOException;
}
