package dev.mosaic.deployer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What someone who typed a name nothing has most likely meant, for the "not found" of every command that takes a name
 * (an adapter, a module, an environment): the names it is the last part of ({@code catalog} for
 * {@code dev.mosaic.examples.catalog}), else those a typo away. Since 2.4.
 */
public final class Suggestions {

    /** The most names suggested at once. */
    private static final int MOST = 3;

    private Suggestions() {
    }

    /**
     * @param asked the name given
     * @param names the names there are
     * @return those ending in {@code asked} after a dot or a dash, else those at the fewest edits (a character added,
     *         removed or replaced) if few enough for a typo (2, or one in 8 of a long name); sorted, at most three
     */
    public static List<String> nearest(String asked, Collection<String> names) {
        List<String> sorted = names.stream().distinct().sorted().toList();
        List<String> tails = sorted.stream().filter(n -> n.endsWith("." + asked) || n.endsWith("-" + asked)).toList();
        if (!tails.isEmpty()) {
            return tails.subList(0, Math.min(MOST, tails.size()));
        }
        int allowed = Math.max(2, asked.length() / 8);
        int best = Integer.MAX_VALUE;
        List<String> nearest = new ArrayList<>();
        for (String n : sorted) {
            if (n.equals(asked) || Math.abs(n.length() - asked.length()) > allowed) {
                continue; // at least that many edits apart: a long name asked costs no more than a short one
            }
            int d = edits(asked, n);
            if (d <= allowed && d < best) {
                best = d;
                nearest.clear();
            }
            if (d == best && nearest.size() < MOST) {
                nearest.add(n);
            }
        }
        return List.copyOf(nearest);
    }

    /**
     * @return {@code " (did you mean a or b?)"} for the {@link #nearest} names, or an empty string when none is near: to
     *         append to a "not found" message
     */
    public static String didYouMean(String asked, Collection<String> names) {
        List<String> near = nearest(asked, names);
        return near.isEmpty() ? "" : " (did you mean " + String.join(" or ", near) + "?)";
    }

    /**
     * The one "not found" of a backend, whichever command named it (backend show, backend rm, dependents backend:NAME).
     *
     * @param environment where it was looked for, or null for every environment
     * @param declared the backends declared there
     * @return not found: {@code no backend bookmark is declared in prod (did you mean bookmarks?); declared there:
     *         bookmarks, recommendations}
     */
    public static DeployException noSuchBackend(String name, String environment, Collection<String> declared) {
        List<String> names = declared.stream().distinct().sorted().toList();
        return new DeployException(DeployException.NOT_FOUND, "no backend " + name + " is declared in " + (environment == null
                ? "any environment" : environment) + didYouMean(name, names) + (names.isEmpty() ? "; none is declared there"
                        : "; declared there: " + String.join(", ", names)));
    }

    /** @return the Levenshtein distance: the fewest characters inserted, removed or replaced to make one the other */
    private static int edits(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int replace = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(replace, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
