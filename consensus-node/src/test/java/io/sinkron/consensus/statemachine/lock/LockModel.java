package io.sinkron.consensus.statemachine.lock;

import static io.sinkron.proto.LockMode.LOCK_MODE_EXCLUSIVE;
import static io.sinkron.proto.LockMode.LOCK_MODE_SHARED;

import io.sinkron.proto.LockMode;
import io.sinkron.proto.LockOutcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The documented lock rules written as plainly as possible: lists scanned linearly, every due
 * deadline found by scanning everything. The property tests run it beside the real state machine
 * and compare states, results and events after every command.
 *
 * <p>Deadlock detection is not re-implemented: the model only checks that its own wait-for graph
 * has a cycle exactly when the state machine reports one, and that none survives.
 */
final class LockModel {

    static final class Hold {
        final String owner;
        final String session;
        final long ttl;
        final long since;
        LockMode mode;
        int count = 1;
        long token;
        long expiresAt;

        Hold(String owner, String session, long ttl, LockMode mode, long token, long since) {
            this.owner = owner;
            this.since = since;
            this.session = session;
            this.ttl = ttl;
            this.mode = mode;
            this.token = token;
        }
    }

    record Wait(
            String requestId,
            String lockId,
            String owner,
            LockMode mode,
            boolean upgrade,
            String session,
            long ttl,
            long deadline,
            long queuedIndex) {}

    static final class Lock {
        final LinkedHashMap<String, Hold> holders = new LinkedHashMap<>();
        final List<Wait> queue = new ArrayList<>();
        long lastGrantIndex;
        boolean lastGrantExclusive;
    }

    static final class Session {
        final String id;
        final String owner;
        final long ttl;
        long expiresAt;

        Session(String id, String owner, long ttl, long expiresAt) {
            this.id = id;
            this.owner = owner;
            this.ttl = ttl;
            this.expiresAt = expiresAt;
        }
    }

    /** What a command answered: its outcome and, for grants, the token and hold count. */
    record Outcome(LockOutcome outcome, long token, int count) {}

    record Granted(String lockId, String owner, long token) {}

    final Map<String, Lock> locks = new TreeMap<>();
    final Map<String, Session> sessions = new TreeMap<>();
    final Set<String> expiredHolds = new HashSet<>();
    final Set<String> expiredSessions = new HashSet<>();
    final Map<String, LockOutcome> outcomes = new HashMap<>();
    final Map<String, Granted> grants = new HashMap<>();
    /** Events of the current entry, rendered as text so order within one entry does not matter. */
    final List<String> events = new ArrayList<>();

    long index;
    long now = 1_000;

    Lock lock(String id) {
        return locks.computeIfAbsent(id, k -> new Lock());
    }

    // ----- time -----

    /** The registry's advanceTime for the entry at {@code index}, as in {@link LockLog}. */
    void advance(long newIndex, long newNow) {
        index = newIndex;
        now = Math.max(now, newNow);
        // Grants an earlier entry could not make under its own index come first.
        locks.keySet().forEach(this::grant);
        while (true) {
            Due due = earliestDue();
            if (due == null) {
                break;
            }
            switch (due.kind) {
                case 0 -> abort(findWait(due.key), LockOutcome.LOCK_OUTCOME_TIMEOUT);
                case 1 -> {
                    Lock lock = locks.get(due.key);
                    expire(due.key, lock.holders.get(due.owner));
                    grant(due.key);
                }
                default -> endSession(sessions.get(due.key), true);
            }
        }
    }

    private record Due(long at, int kind, String key, String owner) {}

    private Due earliestDue() {
        List<Due> due = new ArrayList<>();
        locks.forEach((id, lock) -> {
            lock.queue.forEach(w -> due.add(new Due(w.deadline, 0, w.requestId, "")));
            lock.holders.values().stream()
                    .filter(h -> h.session.isEmpty())
                    .forEach(h -> due.add(new Due(h.expiresAt, 1, id, h.owner)));
        });
        sessions.values().forEach(s -> due.add(new Due(s.expiresAt, 2, s.id, "")));
        return due.stream()
                .filter(d -> d.at <= now)
                .min(Comparator.comparingLong(Due::at)
                        .thenComparingInt(Due::kind)
                        .thenComparing(Due::key)
                        .thenComparing(Due::owner))
                .orElse(null);
    }

    // ----- commands -----

    Outcome acquire(String lockId, String owner, LockMode mode, long wait, long ttl, String sessionId, String req) {
        if (!sessionId.isEmpty() && !sessions.containsKey(sessionId)) {
            return new Outcome(
                    expiredSessions.contains(sessionId)
                            ? LockOutcome.LOCK_OUTCOME_LEASE_EXPIRED
                            : LockOutcome.LOCK_OUTCOME_SESSION_NOT_FOUND,
                    0,
                    0);
        }
        Lock lock = lock(lockId);
        Hold held = lock.holders.get(owner);
        if (held != null && (mode == LOCK_MODE_SHARED || held.mode == LOCK_MODE_EXCLUSIVE)) {
            held.count++;
            renew(held);
            return new Outcome(LockOutcome.LOCK_OUTCOME_GRANTED, held.token, held.count);
        }
        boolean upgrade = held != null;
        if ((upgrade || lock.queue.isEmpty()) && compatible(lock, owner, mode) && mayGrant(lock, mode)) {
            Hold h = give(lockId, owner, mode, sessionId, ttl);
            return new Outcome(LockOutcome.LOCK_OUTCOME_GRANTED, h.token, h.count);
        }
        if (wait == 0) {
            return new Outcome(LockOutcome.LOCK_OUTCOME_TIMEOUT, 0, 0);
        }
        Wait w = new Wait(req, lockId, owner, mode, upgrade, sessionId, ttl, now + wait, index);
        if (upgrade) {
            int at = 0;
            while (at < lock.queue.size() && lock.queue.get(at).upgrade()) {
                at++;
            }
            lock.queue.add(at, w);
        } else {
            lock.queue.add(w);
        }
        return new Outcome(LockOutcome.LOCK_OUTCOME_WAITING, 0, 0);
    }

    /** The state machine found a deadlock and aborted the request that closed it. */
    void dropVictim(String requestId) {
        Wait w = findWait(requestId);
        locks.get(w.lockId()).queue.remove(w);
        outcomes.put(requestId, LockOutcome.LOCK_OUTCOME_DEADLOCK);
    }

    Outcome release(String lockId, String owner) {
        Lock lock = locks.get(lockId);
        Hold h = lock == null ? null : lock.holders.get(owner);
        if (h == null) {
            return notHeld(lockId, owner);
        }
        h.count--;
        if (h.count == 0) {
            lock.holders.remove(owner);
            grant(lockId);
        }
        return new Outcome(LockOutcome.LOCK_OUTCOME_RELEASED, 0, h.count);
    }

    Outcome keepAlive(String lockId, String owner) {
        Lock lock = locks.get(lockId);
        Hold h = lock == null ? null : lock.holders.get(owner);
        if (h == null) {
            return notHeld(lockId, owner);
        }
        if (h.session.isEmpty()) {
            renew(h);
        } else {
            Session s = sessions.get(h.session);
            s.expiresAt = now + s.ttl;
        }
        return new Outcome(LockOutcome.LOCK_OUTCOME_OK, h.token, h.count);
    }

    Outcome cancel(String requestId, boolean releaseIfGranted) {
        Wait w = findWait(requestId);
        if (w != null) {
            locks.get(w.lockId()).queue.remove(w);
            outcomes.put(requestId, LockOutcome.LOCK_OUTCOME_CANCELLED);
            grant(w.lockId());
            return new Outcome(LockOutcome.LOCK_OUTCOME_CANCELLED, 0, 0);
        }
        LockOutcome known = outcomes.get(requestId);
        if (known == null) {
            return new Outcome(LockOutcome.LOCK_OUTCOME_UNKNOWN_REQUEST, 0, 0);
        }
        if (known == LockOutcome.LOCK_OUTCOME_GRANTED && releaseIfGranted) {
            Granted grant = grants.get(requestId);
            Lock lock = locks.get(grant.lockId());
            Hold h = lock == null ? null : lock.holders.get(grant.owner());
            if (h != null && h.token == grant.token()) {
                release(grant.lockId(), grant.owner());
            }
            outcomes.put(requestId, LockOutcome.LOCK_OUTCOME_CANCELLED);
            return new Outcome(LockOutcome.LOCK_OUTCOME_CANCELLED, 0, 0);
        }
        return new Outcome(
                known,
                known == LockOutcome.LOCK_OUTCOME_GRANTED
                        ? grants.get(requestId).token()
                        : 0,
                0);
    }

    Outcome openSession(String owner, long ttl) {
        Session s = new Session("session-" + index, owner, ttl, now + ttl);
        sessions.put(s.id, s);
        return new Outcome(LockOutcome.LOCK_OUTCOME_OK, 0, 0);
    }

    Outcome keepAliveSession(String id) {
        Session s = sessions.get(id);
        if (s == null) {
            return sessionGone(id);
        }
        s.expiresAt = now + s.ttl;
        return new Outcome(LockOutcome.LOCK_OUTCOME_OK, 0, 0);
    }

    Outcome closeSession(String id) {
        Session s = sessions.get(id);
        if (s == null) {
            return sessionGone(id);
        }
        return new Outcome(LockOutcome.LOCK_OUTCOME_OK, 0, endSession(s, false));
    }

    // ----- rules -----

    private int endSession(Session s, boolean expired) {
        sessions.remove(s.id);
        if (expired) {
            expiredSessions.add(s.id);
        }
        LockOutcome outcome = expired ? LockOutcome.LOCK_OUTCOME_LEASE_EXPIRED : LockOutcome.LOCK_OUTCOME_CANCELLED;
        for (Lock lock : locks.values()) {
            for (Wait w : List.copyOf(lock.queue)) {
                if (w.session().equals(s.id)) {
                    lock.queue.remove(w);
                    outcomes.put(w.requestId(), outcome);
                    events.add("aborted " + w.requestId() + " " + outcome);
                }
            }
        }
        int released = 0;
        for (var e : locks.entrySet()) {
            Hold h = e.getValue().holders.get(s.owner);
            if (h != null && h.session.equals(s.id)) {
                released++;
                if (expired) {
                    expire(e.getKey(), h);
                } else {
                    e.getValue().holders.remove(s.owner);
                }
            }
        }
        locks.keySet().forEach(this::grant);
        return released;
    }

    private void expire(String lockId, Hold h) {
        locks.get(lockId).holders.remove(h.owner);
        expiredHolds.add(lockId + "/" + h.owner);
    }

    private void abort(Wait w, LockOutcome outcome) {
        locks.get(w.lockId()).queue.remove(w);
        outcomes.put(w.requestId(), outcome);
        events.add("aborted " + w.requestId() + " " + outcome);
        grant(w.lockId());
    }

    /** Serves the queue head while it is compatible: the FIFO rule. */
    private void grant(String lockId) {
        Lock lock = locks.get(lockId);
        while (!lock.queue.isEmpty()) {
            Wait w = lock.queue.getFirst();
            if (!compatible(lock, w.owner(), w.mode()) || !mayGrant(lock, w.mode())) {
                return;
            }
            lock.queue.removeFirst();
            Hold h = give(lockId, w.owner(), w.mode(), w.session(), w.ttl());
            outcomes.put(w.requestId(), LockOutcome.LOCK_OUTCOME_GRANTED);
            grants.put(w.requestId(), new Granted(lockId, w.owner(), h.token));
            events.add("granted " + w.requestId() + " " + h.mode + " token " + h.token + " count " + h.count);
        }
    }

    private Hold give(String lockId, String owner, LockMode mode, String session, long ttl) {
        Lock lock = locks.get(lockId);
        Hold h = lock.holders.get(owner);
        if (h != null) {
            h.count++;
            if (mode == LOCK_MODE_EXCLUSIVE && h.mode != LOCK_MODE_EXCLUSIVE) {
                h.mode = LOCK_MODE_EXCLUSIVE;
                h.token = index;
                note(lock, mode);
            }
            renew(h);
            return h;
        }
        long leaseTtl = session.isEmpty() ? (ttl == 0 ? LockTable.DEFAULT_LEASE_MILLIS : ttl) : 0;
        h = new Hold(owner, session, leaseTtl, mode, index, now);
        h.expiresAt = now + leaseTtl;
        lock.holders.put(owner, h);
        note(lock, mode);
        expiredHolds.remove(lockId + "/" + owner);
        return h;
    }

    private void renew(Hold h) {
        if (h.session.isEmpty()) {
            h.expiresAt = now + h.ttl;
        }
    }

    private void note(Lock lock, LockMode mode) {
        if (lock.lastGrantIndex < index) {
            lock.lastGrantIndex = index;
            lock.lastGrantExclusive = mode == LOCK_MODE_EXCLUSIVE;
        } else {
            lock.lastGrantExclusive |= mode == LOCK_MODE_EXCLUSIVE;
        }
    }

    private boolean mayGrant(Lock lock, LockMode mode) {
        return lock.lastGrantIndex < index || (mode == LOCK_MODE_SHARED && !lock.lastGrantExclusive);
    }

    static boolean compatible(Lock lock, String owner, LockMode mode) {
        return lock.holders.values().stream()
                .allMatch(h -> h.owner.equals(owner) || (mode == LOCK_MODE_SHARED && h.mode == LOCK_MODE_SHARED));
    }

    private Outcome notHeld(String lockId, String owner) {
        return new Outcome(
                expiredHolds.contains(lockId + "/" + owner)
                        ? LockOutcome.LOCK_OUTCOME_LEASE_EXPIRED
                        : LockOutcome.LOCK_OUTCOME_NOT_OWNER,
                0,
                0);
    }

    private Outcome sessionGone(String id) {
        return new Outcome(
                expiredSessions.contains(id)
                        ? LockOutcome.LOCK_OUTCOME_LEASE_EXPIRED
                        : LockOutcome.LOCK_OUTCOME_SESSION_NOT_FOUND,
                0,
                0);
    }

    Wait findWait(String requestId) {
        for (Lock lock : locks.values()) {
            for (Wait w : lock.queue) {
                if (w.requestId().equals(requestId)) {
                    return w;
                }
            }
        }
        return null;
    }

    long expiresAt(Hold h) {
        return h.session.isEmpty() ? h.expiresAt : sessions.get(h.session).expiresAt;
    }

    // ----- the wait-for graph, for checking the detector -----

    /** Whether {@code waiter} must wait for {@code other}: a conflicting holder or earlier waiter. */
    boolean waitsFor(Wait waiter, String other) {
        Lock lock = locks.get(waiter.lockId());
        for (Hold h : lock.holders.values()) {
            if (h.owner.equals(other) && !h.owner.equals(waiter.owner()) && conflicts(waiter.mode(), h.mode)) {
                return true;
            }
        }
        for (Wait ahead : lock.queue) {
            if (ahead == waiter) {
                return false;
            }
            if (ahead.owner().equals(other)
                    && !ahead.owner().equals(waiter.owner())
                    && conflicts(waiter.mode(), ahead.mode())) {
                return true;
            }
        }
        return false;
    }

    boolean hasCycle() {
        Map<String, Set<String>> edges = new TreeMap<>();
        Set<String> owners = new HashSet<>();
        for (Lock lock : locks.values()) {
            lock.holders.keySet().forEach(owners::add);
            lock.queue.forEach(w -> owners.add(w.owner()));
        }
        for (Lock lock : locks.values()) {
            for (Wait w : lock.queue) {
                for (String other : owners) {
                    if (waitsFor(w, other)) {
                        edges.computeIfAbsent(w.owner(), k -> new HashSet<>()).add(other);
                    }
                }
            }
        }
        for (String start : edges.keySet()) {
            if (reaches(start, start, edges, new HashSet<>())) {
                return true;
            }
        }
        return false;
    }

    private static boolean reaches(String from, String target, Map<String, Set<String>> edges, Set<String> seen) {
        for (String next : edges.getOrDefault(from, Set.of())) {
            if (next.equals(target)) {
                return true;
            }
            if (seen.add(next) && reaches(next, target, edges, seen)) {
                return true;
            }
        }
        return false;
    }

    static boolean conflicts(LockMode a, LockMode b) {
        return a == LOCK_MODE_EXCLUSIVE || b == LOCK_MODE_EXCLUSIVE;
    }
}
