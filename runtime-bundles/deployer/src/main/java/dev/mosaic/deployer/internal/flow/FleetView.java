package dev.mosaic.deployer.internal.flow;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mosaic.deployer.Operation;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model.SampleRow;
import dev.mosaic.deployer.internal.model.Model.UnitKey;

/**
 * What the rollouts need of the fleet this runtime is an instance of (absent outside a fleet):
 * its groups and how far their instances have got, and the samples of a judged rollout that the
 * instances share, so that every instance judges on the requests of all; and whether every live instance's runtime can
 * apply a change.
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

    /**
     * @return why a live instance could not apply the change, its runtime being too old (as its commit would be
     *         refused), or null if every live instance can: what a dry run of it reports
     */
    String whyNotAll(Event change) throws IOException;

    /** @return the change that starts a rollout in waves of the unit, as far as the fleet's check of it goes */
    static Event inWaves(Operation op, UnitKey unit, List<String> waves) {
        Event e = Event.about(op, unit, "dry-run");
        e.groups = Set.of(waves.get(0));
        return e;
    }

    /** Adds to a dry run's problems why its change would be refused by the fleet, if it would (the store away: nothing). */
    static void check(FleetView fleet, Event change, List<String> problems) {
        if (fleet == null) {
            return;
        }
        try {
            String why = fleet.whyNotAll(change);
            if (why != null) {
                problems.add(why);
            }
        } catch (IOException e) {
            // the dry run of a change the store cannot take now: the real one says so
        }
    }
}
