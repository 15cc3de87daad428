package dev.mosaic.deployer.internal.flow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.mosaic.deployer.DeployException;
import dev.mosaic.deployer.Kind;
import dev.mosaic.deployer.internal.model.Event;
import dev.mosaic.deployer.internal.model.Model.Artifact;
import dev.mosaic.deployer.internal.model.Model.UnitKey;
import dev.mosaic.deployer.internal.model.Registry;
import dev.mosaic.deployer.internal.model.Registry.Unit;
import dev.mosaic.deployer.internal.store.ChangeLog;

/**
 * Applies the changes other instances of the fleet committed, in revision order, each exactly
 * as the instance that made it did: the registry the change leads to is compared with the one
 * this instance has, environment by environment, and what differs becomes a {@link Plan} for
 * the {@link ChangeProtocol} — new generations for units that are new or whose bindings
 * changed (and, as the planner's rule says, for everything bound to one of those: chains move
 * together), retirement for units that went or were replaced. Artifacts this instance does not
 * have are fetched from the store first. A revision that cannot be applied leaves this
 * instance serving the one before, whole; it is tried again.
 */
public final class RemoteApply {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteApply.class);

    /** The store's side: the revision log and the artifacts. */
    public interface Store {
        List<Event> after(long revision) throws IOException;

        void fetchArtifact(String sha256, Path into) throws IOException;
    }

    private final Context ctx;
    private final BackendFlow backends;
    private final Store store;

    RemoteApply(Context ctx, BackendFlow backends, Store store) {
        this.ctx = ctx;
        this.backends = backends;
        this.store = store;
    }

    /**
     * Applies every revision after this instance's; runs under the change lock.
     *
     * @return how many were applied
     * @throws DeployException if the store cannot be read, or a revision cannot be applied (those before it were)
     */
    public int catchUp() throws DeployException {
        List<Event> events;
        try {
            events = store.after(ctx.state().sequence());
        } catch (ChangeLog.Unavailable e) {
            throw new DeployException(DeployException.STORE_UNAVAILABLE, e.getMessage(), e);
        } catch (IOException e) {
            throw new DeployException(DeployException.INTERNAL, "reading the store's revisions failed: " + e.getMessage(), e);
        }
        int applied = 0;
        for (Event e : events) {
            if (e.seq <= ctx.state().sequence()) {
                continue;
            }
            long start = System.nanoTime();
            try {
                apply(e);
            } catch (DeployException | RuntimeException x) {
                throw new DeployException(x instanceof DeployException d ? d.code() : DeployException.INTERNAL, "revision "
                        + e.seq + " (" + e.op + " " + e.env + " " + e.name + " " + e.version + " by " + e.actor
                        + ") cannot be applied on this instance: " + x.getMessage(), x);
            }
            applied++;
            LOG.info("applied revision {} ({} {} {} {} by {}) in {} ms", e.seq, e.op, e.env, e.name, e.version, e.actor,
                    (System.nanoTime() - start) / 1_000_000);
        }
        return applied;
    }

    private void apply(Event e) throws DeployException {
        Registry current = ctx.state().copy();
        Registry target = current.copy();
        target.apply(e);
        Set<String> envs = new TreeSet<>(current.environments());
        envs.addAll(target.environments());
        List<Plan> plans = new ArrayList<>();
        for (String env : envs) {
            Plan p = plan(e, env, current, target, group());
            if (p != null) {
                plans.add(p);
            }
        }
        for (Plan p : plans) {
            fetchMissing(p, target);
        }
        if (plans.isEmpty()) {
            ctx.state().applyCommitted(e);
        }
        for (int i = 0; i < plans.size(); i++) {
            ctx.protocol().carryOutCommitted(plans.get(i), i == plans.size() - 1 ? e : null);
        }
        if (e.backend != null || e.op.startsWith("backend")) {
            backends.apply(e.env);
        }
    }

    /** @return what makes this environment as the change leaves it, or null if it does not touch it */
    /** @return this instance's group in the fleet, or null */
    private String group() {
        FleetView fleet = ctx.fleet();
        return fleet == null ? null : fleet.group();
    }

    /**
     * @param group the instance's group: a release in waves moves consumers only in the groups it has reached (each
     *        unit's {@linkplain Registry#bindingsIn bindings in the group} are compared)
     */
    static Plan plan(Event e, String env, Registry current, Registry target, String group) {
        Map<UnitKey, Unit> before = new LinkedHashMap<>();
        current.units(env).forEach(u -> before.put(u.key, u));
        Map<UnitKey, Unit> after = new LinkedHashMap<>();
        target.units(env).forEach(u -> after.put(u.key, u));
        Set<UnitKey> renew = new LinkedHashSet<>();
        for (Unit u : after.values()) {
            Unit b = before.get(u.key);
            // a canary becoming the serving version gets a new generation, as the promote that made it did
            if (b == null || !current.bindingsIn(b, group).equals(target.bindingsIn(u, group)) || b.canary != u.canary) {
                renew.add(u.key);
            }
        }
        boolean grew = !renew.isEmpty();
        while (grew) {
            grew = false;
            for (Unit u : after.values()) {
                if (!renew.contains(u.key) && target.bindingsIn(u, group).entrySet().stream()
                        .anyMatch(b -> renew.contains(new UnitKey(env, b.getKey(), b.getValue())))) {
                    renew.add(u.key);
                    grew = true;
                }
            }
        }
        Set<UnitKey> retire = new LinkedHashSet<>();
        for (UnitKey k : before.keySet()) {
            if (!after.containsKey(k) || renew.contains(k)) {
                retire.add(k);
            }
        }
        boolean reshared = false;
        for (Unit u : after.values()) {
            Unit b = before.get(u.key);
            reshared |= b != null && (!java.util.Objects.equals(b.weight, u.weight) || b.canary != u.canary
                    || !java.util.Objects.equals(b.sticky, u.sticky) || !java.util.Objects.equals(b.groups, u.groups));
        }
        if (renew.isEmpty() && retire.isEmpty() && !reshared) {
            return null; // (a change of shares alone is a plan with nothing to install: the protocol shares them anew)
        }
        Map<UnitKey, Map<String, String>> install = new LinkedHashMap<>();
        // modules before adapters, as a local change installs them
        renew.stream().filter(k -> after.get(k).kind != Kind.ADAPTER)
                .forEach(k -> install.put(k, target.bindingsIn(after.get(k), group)));
        renew.stream().filter(k -> after.get(k).kind == Kind.ADAPTER)
                .forEach(k -> install.put(k, target.bindingsIn(after.get(k), group)));
        Event forEnv = e;
        if (!env.equals(e.env)) {
            forEnv = Event.about(dev.mosaic.deployer.Operation.parse(e.op), new UnitKey(env, e.name, e.version), e.actor);
            forEnv.seq = e.seq;
        }
        return new Plan(forEnv, install, retire, target, null);
    }

    private void fetchMissing(Plan p, Registry target) throws DeployException {
        for (UnitKey k : p.install().keySet()) {
            fetch(k, target.artifact(k));
        }
    }

    /**
     * Fetches from the store every artifact the registry's deployments use that this instance
     * does not have (a new instance, or one whose cache was emptied); before the restore.
     *
     * @return how many were fetched
     */
    public int fetchForRestore() throws DeployException {
        Registry registry = ctx.state().copy();
        int fetched = 0;
        for (String env : registry.environments()) {
            for (Unit u : registry.units(env)) {
                fetched += fetch(u.key, registry.artifact(u.key)) ? 1 : 0;
            }
        }
        return fetched;
    }

    /** @return whether it had to be fetched */
    private boolean fetch(UnitKey k, Artifact a) throws DeployException {
        if (ctx.store().contains(k.name(), k.version())) {
            return false;
        }
        Path upload = null;
        try {
            upload = ctx.store().newUpload();
            store.fetchArtifact(a.sha256(), upload);
            ctx.store().commit(upload, k.name(), k.version());
            return true;
        } catch (ChangeLog.Unavailable x) {
            if (upload != null) {
                ctx.store().discard(upload);
            }
            throw new DeployException(DeployException.STORE_UNAVAILABLE, x.getMessage(), x);
        } catch (IOException x) {
            if (upload != null) {
                ctx.store().discard(upload);
            }
            throw new DeployException(DeployException.INTERNAL, "fetching the artifact of " + k.name() + " " + k.version()
                    + " from the store failed: " + x.getMessage(), x);
        }
    }
}
