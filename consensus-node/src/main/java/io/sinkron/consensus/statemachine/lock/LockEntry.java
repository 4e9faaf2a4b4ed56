package io.sinkron.consensus.statemachine.lock;

import io.sinkron.proto.LockMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/** The state of one lock: its holders in grant order and its waiters in the order they will be served. */
final class LockEntry {

    final String id;
    final LinkedHashMap<String, Hold> holders = new LinkedHashMap<>();
    final List<Waiter> queue = new ArrayList<>();
    /** Log index of the newest grant, and whether a grant at that index was exclusive. */
    long lastGrantIndex;

    boolean lastGrantExclusive;

    LockEntry(String id) {
        this.id = id;
    }

    boolean idle() {
        return holders.isEmpty() && queue.isEmpty();
    }

    /** Whether {@code owner} may hold the lock in {@code mode} next to the other holders. */
    boolean compatible(String owner, LockMode mode) {
        for (Hold h : holders.values()) {
            if (!h.owner.equals(owner) && conflicts(mode, h.mode)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a grant at {@code index} keeps fencing tokens ordered. The token is the grant's log
     * index, and one log entry can both end a grant and make another (a session expiring in the
     * same clock entry that granted to it, say). A second grant at the same index would repeat a
     * token, which is harmless only among shared grants; otherwise the grant waits for the next
     * entry.
     */
    boolean mayGrantAt(long index, LockMode mode) {
        return lastGrantIndex < index || (mode == LockMode.LOCK_MODE_SHARED && !lastGrantExclusive);
    }

    void noteGrant(long index, LockMode mode) {
        boolean exclusive = mode == LockMode.LOCK_MODE_EXCLUSIVE;
        if (lastGrantIndex < index) {
            lastGrantIndex = index;
            lastGrantExclusive = exclusive;
        } else {
            lastGrantExclusive |= exclusive;
        }
    }

    LockMode mode() {
        LockMode mode = LockMode.LOCK_MODE_UNSPECIFIED;
        for (Hold h : holders.values()) {
            if (h.exclusive()) {
                return LockMode.LOCK_MODE_EXCLUSIVE;
            }
            mode = LockMode.LOCK_MODE_SHARED;
        }
        return mode;
    }

    static boolean conflicts(LockMode a, LockMode b) {
        return a == LockMode.LOCK_MODE_EXCLUSIVE || b == LockMode.LOCK_MODE_EXCLUSIVE;
    }
}
