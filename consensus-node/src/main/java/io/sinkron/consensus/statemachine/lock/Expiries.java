package io.sinkron.consensus.statemachine.lock;

import java.util.Comparator;
import java.util.TreeSet;

/**
 * Every deadline of the lock table in log time, earliest first: lease ends of holds, session
 * expiries and waiters' wait deadlines. Ties break on kind and key, so every replica expires the
 * same things in the same order.
 */
final class Expiries {

    enum Kind {
        WAITER,
        HOLD,
        SESSION
    }

    /** For a hold, {@code key} is the lock id and {@code owner} its holder; otherwise owner is empty. */
    record Deadline(long atMillis, Kind kind, String key, String owner) {}

    private static final Comparator<Deadline> ORDER = Comparator.comparingLong(Deadline::atMillis)
            .thenComparing(Deadline::kind)
            .thenComparing(Deadline::key)
            .thenComparing(Deadline::owner);

    private final TreeSet<Deadline> deadlines = new TreeSet<>(ORDER);

    void add(Deadline deadline) {
        deadlines.add(deadline);
    }

    void remove(Deadline deadline) {
        deadlines.remove(deadline);
    }

    /** Removes and returns the earliest deadline at or before {@code nowMillis}, or null. */
    Deadline pollDue(long nowMillis) {
        if (deadlines.isEmpty() || deadlines.first().atMillis() > nowMillis) {
            return null;
        }
        return deadlines.pollFirst();
    }

    void clear() {
        deadlines.clear();
    }

    static Deadline hold(long atMillis, String lockId, String owner) {
        return new Deadline(atMillis, Kind.HOLD, lockId, owner);
    }

    static Deadline session(long atMillis, String sessionId) {
        return new Deadline(atMillis, Kind.SESSION, sessionId, "");
    }

    static Deadline waiter(long atMillis, String requestId) {
        return new Deadline(atMillis, Kind.WAITER, requestId, "");
    }
}
