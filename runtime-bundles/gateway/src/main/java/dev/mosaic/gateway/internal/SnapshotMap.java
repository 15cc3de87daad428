package dev.mosaic.gateway.internal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * An immutable map for tables that change a little at a time while being read without
 * locks. An edit returns a new map and leaves this one as it was; a large map is split into
 * shards by hash, and an edit copies one shard and the array of shards, not every entry.
 * With ten thousand routes, adding one copies a couple of hundred references, not ten
 * thousand entries.
 *
 * @param <K> keys, with a well-spread {@code hashCode} (strings here)
 * @param <V> values
 */
final class SnapshotMap<K, V> {

    /** Up to this many entries, one plain immutable map; beyond, shards. */
    private static final int SPLIT_AT = 64;
    private static final int SHARD_BITS = 6;
    private static final int SHARDS = 1 << SHARD_BITS;

    @SuppressWarnings("rawtypes")
    private static final SnapshotMap EMPTY = new SnapshotMap<>(Map.of(), null, 0);

    /** The entries while there are few; null once sharded. */
    private final Map<K, V> small;
    /** The entries by shard, each an immutable map; null while small. */
    private final Map<K, V>[] shards;
    private final int size;

    private SnapshotMap(Map<K, V> small, Map<K, V>[] shards, int size) {
        this.small = small;
        this.shards = shards;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    static <K, V> SnapshotMap<K, V> empty() {
        return EMPTY;
    }

    private static int shard(Object key) {
        return (key.hashCode() * 0x9E3779B9) >>> (32 - SHARD_BITS);
    }

    V get(Object key) {
        return shards == null ? small.get(key) : shards[shard(key)].get(key);
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** @return this map with {@code key} mapped to {@code value} */
    SnapshotMap<K, V> with(K key, V value) {
        if (shards == null) {
            Map<K, V> m = new HashMap<>(small);
            m.put(key, value);
            return m.size() > SPLIT_AT ? split(m) : new SnapshotMap<>(Map.copyOf(m), null, m.size());
        }
        int i = shard(key);
        Map<K, V> m = new HashMap<>(shards[i]);
        boolean added = m.put(key, value) == null;
        Map<K, V>[] next = Arrays.copyOf(shards, SHARDS);
        next[i] = Map.copyOf(m);
        return new SnapshotMap<>(null, next, added ? size + 1 : size);
    }

    /** @return this map without {@code key} */
    SnapshotMap<K, V> without(K key) {
        if (get(key) == null) {
            return this;
        }
        if (shards == null) {
            Map<K, V> m = new HashMap<>(small);
            m.remove(key);
            return m.isEmpty() ? empty() : new SnapshotMap<>(Map.copyOf(m), null, m.size());
        }
        int i = shard(key);
        Map<K, V> m = new HashMap<>(shards[i]);
        m.remove(key);
        Map<K, V>[] next = Arrays.copyOf(shards, SHARDS);
        next[i] = Map.copyOf(m);
        return new SnapshotMap<>(null, next, size - 1);
    }

    void forEach(BiConsumer<? super K, ? super V> action) {
        if (shards == null) {
            small.forEach(action);
        } else {
            for (Map<K, V> s : shards) {
                s.forEach(action);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <K, V> SnapshotMap<K, V> split(Map<K, V> all) {
        Map<K, V>[] building = new Map[SHARDS];
        for (int i = 0; i < SHARDS; i++) {
            building[i] = new HashMap<>();
        }
        all.forEach((k, v) -> building[shard(k)].put(k, v));
        for (int i = 0; i < SHARDS; i++) {
            building[i] = Map.copyOf(building[i]);
        }
        return new SnapshotMap<>(null, building, all.size());
    }
}
