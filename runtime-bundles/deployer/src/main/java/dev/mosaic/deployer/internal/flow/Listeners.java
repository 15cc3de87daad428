package dev.mosaic.deployer.internal.flow;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.deployer.ChangeListener;
import dev.mosaic.deployer.ChangeListener.Change;
import dev.mosaic.deployer.ChangeListener.Phase;

/** The {@link ChangeListener} services, told of each phase; one that throws is logged and skipped. */
public final class Listeners {

    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();

    public void add(ChangeListener l) {
        listeners.add(l);
    }

    public void remove(ChangeListener l) {
        listeners.remove(l);
    }

    void tell(Phase phase, Change change) {
        for (ChangeListener l : listeners) {
            try {
                l.changing(phase, change);
            } catch (RuntimeException e) {
                LOG.warn("change listener {} failed at {}: {}", l.getClass().getName(), phase, e.toString());
            }
        }
    }
}
