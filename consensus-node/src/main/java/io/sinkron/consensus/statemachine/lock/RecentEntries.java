package io.sinkron.consensus.statemachine.lock;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map that forgets its oldest entries beyond {@code capacity}. The lock table remembers recent
 * endings (request outcomes, expired leases) so a late caller learns what happened, without letting
 * that memory grow with the log. Insertion order makes the forgetting identical on every replica.
 */
final class RecentEntries<K, V> extends LinkedHashMap<K, V> {

    private final int capacity;

    RecentEntries(int capacity) {
        this.capacity = capacity;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
    }
}
