package io.sinkron.consensus.statemachine;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable hash map with structural sharing: a hash array mapped trie (Bagwell, "Ideal Hash
 * Trees", 2001), in the layout Clojure's {@code PersistentHashMap} made familiar. {@link #put} and
 * {@link #remove} return a new map that shares every node but the few (at most seven) on the
 * changed path with the old one.
 *
 * <p>This is what makes a state machine's snapshot capture O(1): the apply thread keeps the map of
 * the capture index (one reference) and goes on writing new versions, while the snapshot writer
 * reads the captured version on its own thread. Nothing ever changes a node once it is built, and
 * the hand-over to the writer thread (an executor submission) publishes it safely.
 *
 * <p>Iteration order is by hash, the same for equal contents whatever the history of puts and
 * removes, except among keys whose 32-bit hashes are equal (kept in insertion order). Keys and
 * values must not be null.
 */
public final class PersistentMap<K, V> {

    /** Visits entries; may throw a checked exception, which ends the walk. */
    @FunctionalInterface
    public interface Visitor<K, V, E extends Exception> {
        void visit(K key, V value) throws E;
    }

    private static final PersistentMap<?, ?> EMPTY = new PersistentMap<>(Bitmap.EMPTY, 0);

    private final Node root;
    private final int size;

    private PersistentMap(Node root, int size) {
        this.root = root;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    public static <K, V> PersistentMap<K, V> empty() {
        return (PersistentMap<K, V>) EMPTY;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The value of {@code key}, or null if it has none. */
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        return (V) root.find(0, hash(key), key);
    }

    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    /** This map with {@code key} mapped to {@code value}; this map itself if it already was. */
    public PersistentMap<K, V> put(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        boolean[] added = {false};
        Node changed = root.put(0, hash(key), key, value, added);
        return changed == root ? this : new PersistentMap<>(changed, added[0] ? size + 1 : size);
    }

    /** This map without {@code key}; this map itself if it had no such key. */
    public PersistentMap<K, V> remove(Object key) {
        Node changed = root.remove(0, hash(key), key);
        if (changed == root) {
            return this;
        }
        return size == 1 ? empty() : new PersistentMap<>(changed == null ? Bitmap.EMPTY : changed, size - 1);
    }

    /** Visits every entry in iteration order (see the class comment). */
    @SuppressWarnings("unchecked")
    public <E extends Exception> void forEach(Visitor<? super K, ? super V, E> visitor) throws E {
        root.forEach((Visitor<Object, Object, E>) visitor);
    }

    private static int hash(Object key) {
        int h = key.hashCode();
        return h ^ (h >>> 16);
    }

    private sealed interface Node permits Bitmap, Collision {
        Object find(int shift, int hash, Object key);

        Node put(int shift, int hash, Object key, Object value, boolean[] added);

        /** Null when the node became empty; this node when {@code key} was absent. */
        Node remove(int shift, int hash, Object key);

        <E extends Exception> void forEach(Visitor<Object, Object, E> visitor) throws E;
    }

    /**
     * An inner node: one slot pair per set bit of {@code bitmap}, holding either a key and its
     * value or (key null) a child node that continues with the next five bits of the hash.
     */
    private record Bitmap(int bitmap, Object[] slots) implements Node {

        static final Bitmap EMPTY = new Bitmap(0, new Object[0]);

        private static int bit(int hash, int shift) {
            return 1 << ((hash >>> shift) & 31);
        }

        private int index(int bit) {
            return Integer.bitCount(bitmap & (bit - 1));
        }

        @Override
        public Object find(int shift, int hash, Object key) {
            int bit = bit(hash, shift);
            if ((bitmap & bit) == 0) {
                return null;
            }
            int i = 2 * index(bit);
            Object k = slots[i];
            if (k == null) {
                return ((Node) slots[i + 1]).find(shift + 5, hash, key);
            }
            return key.equals(k) ? slots[i + 1] : null;
        }

        @Override
        public Node put(int shift, int hash, Object key, Object value, boolean[] added) {
            int bit = bit(hash, shift);
            int i = 2 * index(bit);
            if ((bitmap & bit) == 0) {
                Object[] grown = new Object[slots.length + 2];
                System.arraycopy(slots, 0, grown, 0, i);
                grown[i] = key;
                grown[i + 1] = value;
                System.arraycopy(slots, i, grown, i + 2, slots.length - i);
                added[0] = true;
                return new Bitmap(bitmap | bit, grown);
            }
            Object k = slots[i];
            Object v = slots[i + 1];
            if (k == null) {
                Node child = ((Node) v).put(shift + 5, hash, key, value, added);
                return child == v ? this : with(i + 1, child);
            }
            if (key.equals(k)) {
                return v == value ? this : with(i + 1, value);
            }
            added[0] = true;
            Object[] copy = slots.clone();
            copy[i] = null;
            copy[i + 1] = pair(shift + 5, k, v, hash, key, value);
            return new Bitmap(bitmap, copy);
        }

        private Bitmap with(int slot, Object value) {
            Object[] copy = slots.clone();
            copy[slot] = value;
            return new Bitmap(bitmap, copy);
        }

        private static Node pair(int shift, Object k1, Object v1, int h2, Object k2, Object v2) {
            int h1 = hash(k1);
            if (h1 == h2) {
                return new Collision(h1, new Object[] {k1, v1, k2, v2});
            }
            boolean[] ignored = {false};
            return EMPTY.put(shift, h1, k1, v1, ignored).put(shift, h2, k2, v2, ignored);
        }

        @Override
        public Node remove(int shift, int hash, Object key) {
            int bit = bit(hash, shift);
            if ((bitmap & bit) == 0) {
                return this;
            }
            int i = 2 * index(bit);
            Object k = slots[i];
            if (k == null) {
                Node child = ((Node) slots[i + 1]).remove(shift + 5, hash, key);
                if (child == slots[i + 1]) {
                    return this;
                }
                if (child != null) {
                    return with(i + 1, child);
                }
            } else if (!key.equals(k)) {
                return this;
            }
            if (bitmap == bit) {
                return null;
            }
            Object[] shrunk = new Object[slots.length - 2];
            System.arraycopy(slots, 0, shrunk, 0, i);
            System.arraycopy(slots, i + 2, shrunk, i, slots.length - i - 2);
            return new Bitmap(bitmap ^ bit, shrunk);
        }

        @Override
        public <E extends Exception> void forEach(Visitor<Object, Object, E> visitor) throws E {
            for (int i = 0; i < slots.length; i += 2) {
                if (slots[i] == null) {
                    ((Node) slots[i + 1]).forEach(visitor);
                } else {
                    visitor.visit(slots[i], slots[i + 1]);
                }
            }
        }
    }

    /** Keys whose 32-bit hashes are all {@code hash}, as key-value pairs in insertion order. */
    private record Collision(int hash, Object[] pairs) implements Node {

        private int indexOf(Object key) {
            for (int i = 0; i < pairs.length; i += 2) {
                if (key.equals(pairs[i])) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public Object find(int shift, int hash, Object key) {
            int i = indexOf(key);
            return i < 0 ? null : pairs[i + 1];
        }

        @Override
        public Node put(int shift, int hash, Object key, Object value, boolean[] added) {
            if (hash != this.hash) {
                // A key that shares only this level's bits: this node moves one level down.
                return new Bitmap(Bitmap.bit(this.hash, shift), new Object[] {null, this})
                        .put(shift, hash, key, value, added);
            }
            int i = indexOf(key);
            if (i >= 0) {
                if (pairs[i + 1] == value) {
                    return this;
                }
                Object[] copy = pairs.clone();
                copy[i + 1] = value;
                return new Collision(hash, copy);
            }
            Object[] grown = Arrays.copyOf(pairs, pairs.length + 2);
            grown[pairs.length] = key;
            grown[pairs.length + 1] = value;
            added[0] = true;
            return new Collision(hash, grown);
        }

        @Override
        public Node remove(int shift, int hash, Object key) {
            int i = indexOf(key);
            if (i < 0) {
                return this;
            }
            if (pairs.length == 2) {
                return null;
            }
            Object[] shrunk = new Object[pairs.length - 2];
            System.arraycopy(pairs, 0, shrunk, 0, i);
            System.arraycopy(pairs, i + 2, shrunk, i, pairs.length - i - 2);
            return new Collision(hash, shrunk);
        }

        @Override
        public <E extends Exception> void forEach(Visitor<Object, Object, E> visitor) throws E {
            for (int i = 0; i < pairs.length; i += 2) {
                visitor.visit(pairs[i], pairs[i + 1]);
            }
        }
    }
}
