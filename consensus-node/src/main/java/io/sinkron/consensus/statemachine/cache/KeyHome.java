package io.sinkron.consensus.statemachine.cache;

import java.util.TreeMap;

/** The home of one key: its committed value, the directory of its holders and its pending write. */
final class KeyHome {

    /** Null while the key is absent. */
    CachedValue value;

    /** By session; sorted so that results and events are identical on every replica. */
    final TreeMap<Long, Holder> holders = new TreeMap<>();

    /** Null unless a write is waiting for holders to drop their lines. */
    PendingWrite pending;

    boolean isEmpty() {
        return value == null && holders.isEmpty() && pending == null;
    }
}
