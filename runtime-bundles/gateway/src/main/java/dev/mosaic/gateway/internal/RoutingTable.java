package dev.mosaic.gateway.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable routing table: (method, path template) to a target. Built once per change
 * of the deployed routes and swapped in whole, so lookups take no lock.
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

    private static final class Node<T> {
        final Map<String, Node<T>> literals = new HashMap<>();
        Node<T> param;
        final Map<String, Entry<T>> byMethod = new HashMap<>();

        Entry<T> forMethod(String method) {
            Entry<T> e = byMethod.get(method);
            if (e == null && "HEAD".equals(method)) {
                e = byMethod.get("GET");
            }
            return e;
        }
    }

    @SuppressWarnings("rawtypes")
    private static final RoutingTable EMPTY = new RoutingTable<>(new Node<>(), Map.of(), List.of());

    private final Node<T> root;
    private final Map<String, Node<T>> literalPaths;
    private final List<Entry<T>> entries;

    private RoutingTable(Node<T> root, Map<String, Node<T>> literalPaths, List<Entry<T>> entries) {
        this.root = root;
        this.literalPaths = literalPaths;
        this.entries = entries;
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
        Node<T> root = new Node<>();
        Map<String, Node<T>> literalPaths = new HashMap<>();
        for (Entry<T> entry : entries) {
            Node<T> node = root;
            RouteTemplate t = entry.template();
            StringBuilder literalPath = new StringBuilder();
            for (int i = 0; i < t.size(); i++) {
                String literal = t.literal(i);
                if (literal != null) {
                    node = node.literals.computeIfAbsent(literal, k -> new Node<>());
                    if (literalPath != null) {
                        literalPath.append('/').append(literal);
                    }
                } else {
                    if (node.param == null) {
                        node.param = new Node<>();
                    }
                    node = node.param;
                    literalPath = null;
                }
            }
            if (literalPath != null) {
                literalPaths.put(literalPath.length() == 0 ? "/" : literalPath.toString(), node);
            }
            Entry<T> previous = node.byMethod.putIfAbsent(entry.method(), entry);
            if (previous != null) {
                throw new ConflictException(previous, entry);
            }
        }
        return new RoutingTable<>(root, literalPaths, List.copyOf(entries));
    }

    /** @return every route of the table */
    public List<Entry<T>> entries() {
        return entries;
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
        Node<T> literal = literalPaths.get(path);
        if (literal != null) {
            Entry<T> entry = literal.forMethod(method);
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
            return node.forMethod(method);
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
        for (Entry<T> e : entries) {
            lines.add(e.method() + " " + e.template());
        }
        return lines.toString();
    }
}
