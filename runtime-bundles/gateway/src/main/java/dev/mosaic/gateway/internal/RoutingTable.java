package dev.mosaic.gateway.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable routing table: (method, path template) to a target. Made anew for each change
 * of the deployed routes ({@link #with}, sharing what did not change) and swapped in whole,
 * so lookups take no lock.
 *
 * <p>Lookup walks a tree of path segments. At each segment a literal child is tried before
 * the parameter child, and the first complete match that has a handler for the method
 * wins, so literal segments take precedence over parameters from left to right. A path
 * that matches some template but none with the request's method is a 405 with the methods
 * that would have matched; {@code HEAD} is answered by a {@code GET} route.
 *
 * <p>Most routes are all literal ({@code /tv/home}): those are also kept by their exact path
 * and found with one hash lookup, without splitting the path. An all-literal match is the
 * one the tree would find first, so the answer is the same.
 *
 * @param <T> what a route leads to
 */
public final class RoutingTable<T> {

    /** One route: a method and a template leading to a target. */
    public record Entry<T>(String method, RouteTemplate template, T target) {
    }

    /** The answer to a lookup. */
    public sealed interface Lookup<T> permits Found, NotFound, MethodNotAllowed {
    }

    /** A route matched; its path parameters are filled in. */
    public record Found<T>(Entry<T> entry, Map<String, String> params) implements Lookup<T> {
    }

    /** No template matches the path. */
    public record NotFound<T>() implements Lookup<T> {
    }

    /** Templates match the path, but none for the request's method. */
    public record MethodNotAllowed<T>(Set<String> allowed) implements Lookup<T> {
    }

    /** Two routes of a table match exactly the same requests. */
    public static final class ConflictException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Entry<?> first;
        private final transient Entry<?> second;

        ConflictException(Entry<?> first, Entry<?> second) {
            super("routes " + first.method() + " " + first.template() + " and " + second.method() + " "
                    + second.template() + " match the same requests");
            this.first = first;
            this.second = second;
        }

        public Entry<?> first() {
            return first;
        }

        public Entry<?> second() {
            return second;
        }
    }

    /**
     * One path segment's place in the tree. A table never changes its nodes once built: an
     * edit copies the nodes on the paths it touches and shares the rest with the table it
     * started from. Children and methods are immutable maps, shared by a node and its copies
     * until an edit replaces them.
     */
    private static final class Node<T> {
        SnapshotMap<String, Node<T>> literals = SnapshotMap.empty();
        Node<T> param;
        Map<String, Entry<T>> byMethod = Map.of();

        Node<T> copy() {
            Node<T> c = new Node<>();
            c.literals = literals;
            c.param = param;
            c.byMethod = byMethod;
            return c;
        }

        boolean isEmpty() {
            return byMethod.isEmpty() && literals.isEmpty() && param == null;
        }
    }

    private static <T> Entry<T> forMethod(Map<String, Entry<T>> byMethod, String method) {
        Entry<T> e = byMethod.get(method);
        if (e == null && "HEAD".equals(method)) {
            e = byMethod.get("GET");
        }
        return e;
    }

    @SuppressWarnings("rawtypes")
    private static final RoutingTable EMPTY = new RoutingTable<>(new Node<>(), SnapshotMap.empty(), 0);

    private final Node<T> root;
    /** The methods of each all-literal path, by the path. */
    private final SnapshotMap<String, Map<String, Entry<T>>> literalPaths;
    private final int size;
    /** {@link #entries()}, worked out when first asked for. */
    private volatile List<Entry<T>> entries;

    private RoutingTable(Node<T> root, SnapshotMap<String, Map<String, Entry<T>>> literalPaths, int size) {
        this.root = root;
        this.literalPaths = literalPaths;
        this.size = size;
    }

    /** @return a table without routes */
    @SuppressWarnings("unchecked")
    public static <T> RoutingTable<T> empty() {
        return EMPTY;
    }

    /**
     * @param entries the routes
     * @return a table answering them
     * @throws ConflictException if two routes have the same method and template shape
     */
    public static <T> RoutingTable<T> of(Collection<Entry<T>> entries) throws ConflictException {
        return RoutingTable.<T>empty().with(entries, List.of());
    }

    /**
     * This table with some routes taken out and others added, in time proportional to the
     * routes changed, not to the size of the table: a deploy among ten thousand adapters
     * does not rebuild ten thousand routes. This table stays as it is.
     *
     * @param added the routes to add, after the removal
     * @param removed routes to take out; those the table does not have are ignored
     * @return the new table
     * @throws ConflictException if an added route has the same method and template shape as
     *         a route that stays or another added one
     */
    public RoutingTable<T> with(Collection<Entry<T>> added, Collection<Entry<T>> removed) throws ConflictException {
        Edit<T> edit = new Edit<>(root, literalPaths, size);
        for (Entry<T> e : removed) {
            edit.remove(e);
        }
        for (Entry<T> e : added) {
            edit.add(e);
        }
        return edit.changed ? new RoutingTable<>(edit.root, edit.literalPaths, edit.size) : this;
    }

    /** One edit of a table: the nodes it created or copied may change, no others. */
    private static final class Edit<T> {
        private final Set<Node<T>> own = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        SnapshotMap<String, Map<String, Entry<T>>> literalPaths;
        Node<T> root;
        int size;
        boolean changed;

        Edit(Node<T> root, SnapshotMap<String, Map<String, Entry<T>>> literalPaths, int size) {
            this.root = root;
            this.literalPaths = literalPaths;
            this.size = size;
        }

        private Node<T> writable(Node<T> node) {
            if (node != null && own.contains(node)) {
                return node;
            }
            Node<T> copy = node == null ? new Node<>() : node.copy();
            own.add(copy);
            return copy;
        }

        /** @return the writable nodes from the root to the template's node, made where missing; the root first */
        private List<Node<T>> path(RouteTemplate t) {
            List<Node<T>> path = new ArrayList<>(t.size() + 1);
            root = writable(root);
            Node<T> node = root;
            path.add(node);
            for (int i = 0; i < t.size(); i++) {
                String literal = t.literal(i);
                Node<T> child;
                if (literal != null) {
                    child = writable(node.literals.get(literal));
                    node.literals = node.literals.with(literal, child);
                } else {
                    child = writable(node.param);
                    node.param = child;
                }
                node = child;
                path.add(node);
            }
            return path;
        }

        /** @return the template's node in the table as it is now, or null */
        private Node<T> find(RouteTemplate t) {
            Node<T> node = root;
            for (int i = 0; i < t.size() && node != null; i++) {
                String literal = t.literal(i);
                node = literal != null ? node.literals.get(literal) : node.param;
            }
            return node;
        }

        void add(Entry<T> entry) throws ConflictException {
            Node<T> existing = find(entry.template());
            Entry<T> previous = existing == null ? null : existing.byMethod.get(entry.method());
            if (previous != null) {
                throw new ConflictException(previous, entry);
            }
            Node<T> node = path(entry.template()).get(entry.template().size());
            Map<String, Entry<T>> methods = new HashMap<>(node.byMethod);
            methods.put(entry.method(), entry);
            setMethods(entry.template(), node, Map.copyOf(methods));
            size++;
        }

        void remove(Entry<T> entry) {
            RouteTemplate t = entry.template();
            Node<T> existing = find(t);
            if (existing == null || !entry.equals(existing.byMethod.get(entry.method()))) {
                return;
            }
            List<Node<T>> path = path(t);
            Node<T> node = path.get(t.size());
            Map<String, Entry<T>> methods = new HashMap<>(node.byMethod);
            methods.remove(entry.method());
            setMethods(t, node, Map.copyOf(methods));
            size--;
            // what leads nowhere any more goes
            for (int i = t.size(); i > 0 && path.get(i).isEmpty(); i--) {
                Node<T> parent = path.get(i - 1);
                String literal = t.literal(i - 1);
                if (literal != null) {
                    parent.literals = parent.literals.without(literal);
                } else {
                    parent.param = null;
                }
            }
        }

        private void setMethods(RouteTemplate t, Node<T> node, Map<String, Entry<T>> methods) {
            changed = true;
            node.byMethod = methods;
            String literalPath = literalPath(t);
            if (literalPath != null) {
                literalPaths = methods.isEmpty() ? literalPaths.without(literalPath) : literalPaths.with(literalPath, methods);
            }
        }

        /** @return the template as a path if all its segments are literal, else null */
        private static String literalPath(RouteTemplate t) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < t.size(); i++) {
                String literal = t.literal(i);
                if (literal == null) {
                    return null;
                }
                b.append('/').append(literal);
            }
            return b.length() == 0 ? "/" : b.toString();
        }
    }

    /** @return every route of the table, in no particular order */
    public List<Entry<T>> entries() {
        List<Entry<T>> all = entries;
        if (all == null) {
            List<Entry<T>> collected = new ArrayList<>(size);
            collect(root, collected);
            entries = all = List.copyOf(collected);
        }
        return all;
    }

    /** @return how many routes the table has */
    public int size() {
        return size;
    }

    private static <T> void collect(Node<T> node, List<Entry<T>> into) {
        into.addAll(node.byMethod.values());
        node.literals.forEach((k, child) -> collect(child, into));
        if (node.param != null) {
            collect(node.param, into);
        }
    }

    /**
     * @param method the request method, upper case
     * @param path the decoded request path, starting with '/'
     * @return what answers the request
     */
    public Lookup<T> lookup(String method, String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            return new NotFound<>();
        }
        Map<String, Entry<T>> literal = literalPaths.get(path);
        if (literal != null) {
            Entry<T> entry = forMethod(literal, method);
            if (entry != null) {
                return new Found<>(entry, Map.of());
            }
        }
        String[] segments = RouteTemplate.split(path);
        Entry<T> entry = find(root, segments, 0, method);
        if (entry != null) {
            return new Found<>(entry, entry.template().params(segments));
        }
        Set<String> allowed = new TreeSet<>();
        collectMethods(root, segments, 0, allowed);
        if (allowed.isEmpty()) {
            return new NotFound<>();
        }
        if (allowed.contains("GET")) {
            allowed.add("HEAD");
        }
        return new MethodNotAllowed<>(java.util.Collections.unmodifiableSet(allowed));
    }

    private static <T> Entry<T> find(Node<T> node, String[] segments, int i, String method) {
        if (i == segments.length) {
            return forMethod(node.byMethod, method);
        }
        Node<T> literal = node.literals.get(segments[i]);
        if (literal != null) {
            Entry<T> e = find(literal, segments, i + 1, method);
            if (e != null) {
                return e;
            }
        }
        if (node.param != null && !segments[i].isEmpty()) {
            return find(node.param, segments, i + 1, method);
        }
        return null;
    }

    private static <T> void collectMethods(Node<T> node, String[] segments, int i, Set<String> into) {
        if (i == segments.length) {
            into.addAll(node.byMethod.keySet());
            return;
        }
        Node<T> literal = node.literals.get(segments[i]);
        if (literal != null) {
            collectMethods(literal, segments, i + 1, into);
        }
        if (node.param != null && !segments[i].isEmpty()) {
            collectMethods(node.param, segments, i + 1, into);
        }
    }

    /** @return the routes as "METHOD template" lines, for messages and debugging */
    @Override
    public String toString() {
        List<String> lines = new ArrayList<>();
        for (Entry<T> e : entries()) {
            lines.add(e.method() + " " + e.template());
        }
        return lines.toString();
    }
}
