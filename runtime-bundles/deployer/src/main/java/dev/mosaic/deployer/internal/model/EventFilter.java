package dev.mosaic.deployer.internal.model;

import java.util.function.Predicate;

/**
 * Which changes of the history are asked for: those made in one environment, those that concern one name, or both (null:
 * any). A change concerns a name when it is that adapter's, module's or backend's own, when it moved a consumer of that
 * name (a module version's release or yank rewired it), or when it broke its calls (a backend removed with
 * {@code --force}): what someone asking "what happened to tv-home?" needs to see.
 */
public record EventFilter(String env, String name) implements Predicate<Event> {

    /** Every change. */
    public static final EventFilter ALL = new EventFilter(null, null);

    /** @return whether every change passes */
    public boolean all() {
        return env == null && name == null;
    }

    @Override
    public boolean test(Event e) {
        if (env != null && !env.equals(e.env)) {
            return false;
        }
        if (name == null || name.equals(e.name)) {
            return true;
        }
        if (e.moves != null) {
            for (Event.MoveRecord m : e.moves) {
                if (name.equals(m.name())) {
                    return true;
                }
            }
        }
        if (e.broken != null) {
            for (String b : e.broken) {
                // "name version"
                if (b.startsWith(name) && (b.length() == name.length() || b.charAt(name.length()) == ' ')) {
                    return true;
                }
            }
        }
        return false;
    }
}
