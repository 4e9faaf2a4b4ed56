package io.sinkron.consensus.statemachine.lock;

import io.sinkron.consensus.statemachine.lock.WaitForGraph.Edge;
import io.sinkron.proto.LockAborted;
import io.sinkron.proto.LockAcquire;
import io.sinkron.proto.LockDeadlock;
import io.sinkron.proto.LockDeadlocks;
import io.sinkron.proto.LockEvent;
import io.sinkron.proto.LockGrant;
import io.sinkron.proto.LockHolder;
import io.sinkron.proto.LockMode;
import io.sinkron.proto.LockOutcome;
import io.sinkron.proto.LockRequestStatus;
import io.sinkron.proto.LockRequestStatuses;
import io.sinkron.proto.LockResult;
import io.sinkron.proto.LockSession;
import io.sinkron.proto.LockSnapshot;
import io.sinkron.proto.LockSnapshotEntry;
import io.sinkron.proto.LockSnapshotExpiredHold;
import io.sinkron.proto.LockStateView;
import io.sinkron.proto.LockStats;
import io.sinkron.proto.LockWaitEdge;
import io.sinkron.proto.LockWaiter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The replicated lock table and its rules. Deterministic: it reads no clock (log time arrives in
 * each {@link Step}), draws no random numbers and iterates only in sorted or insertion order, so
 * every replica applying the same entries reaches the same state and emits the same events.
 *
 * <ul>
 *   <li>Shared holds are compatible with each other, exclusive with nothing. Waiters are served
 *       strictly in queue order, so a shared request behind a waiting exclusive one waits too and
 *       writers never starve. The one exception is an upgrade (shared holder asking for exclusive),
 *       which queues ahead of ordinary waiters: behind a writer that waits for its own shared hold
 *       it could never be served.
 *   <li>Acquiring a held lock again in a mode the hold already covers is reentrant: the count
 *       rises and the token stays. Each release lowers the count; the hold ends at zero.
 *   <li>The fencing token of a grant is the log index of the entry that made it, so tokens grow
 *       across leader changes and restarts. Shared holders granted by the same entry share it.
 *   <li>Every hold lives on a lease: its own ({@code ttl}, or {@value #DEFAULT_LEASE_MILLIS} ms by
 *       default) or its session's. An expired hold passes the lock on at once, and the former
 *       holder's release or keep-alive is answered LEASE_EXPIRED rather than silently succeeding.
 *   <li>Every wait has a deadline in log time, so a waiter never lingers after its caller is gone.
 *   <li>Each new wait is checked for a cycle in the {@link WaitForGraph}; the youngest waiting
 *       request of a cycle is aborted as the victim. A periodic sweep repeats the check.
 * </ul>
 */
final class LockTable {

    static final long DEFAULT_LEASE_MILLIS = 30_000;
    static final long SWEEP_INTERVAL_MILLIS = 1_000;
    static final int MAX_ID_LENGTH = 256;
    static final long MAX_WAIT_MILLIS = 3_600_000;
    static final long MAX_TTL_MILLIS = 7 * 86_400_000L;
    static final int REMEMBERED_OUTCOMES = 10_000;
    static final int REMEMBERED_EXPIRIES = 10_000;
    static final int REMEMBERED_DEADLOCKS = 100;

    /** What one log entry may use: its index (a grant's token), its log time, and an event sink. */
    record Step(long index, long nowMillis, Consumer<LockEvent> events) {}

    private final TreeMap<String, LockEntry> locks = new TreeMap<>();
    private final TreeMap<String, UserSession> sessions = new TreeMap<>();
    private final TreeMap<String, Waiter> waiting = new TreeMap<>();
    private final TreeMap<String, List<Waiter>> waitsByOwner = new TreeMap<>();
    private final Expiries expiries = new Expiries();
    private final RecentEntries<String, LockRequestStatus> outcomes = new RecentEntries<>(REMEMBERED_OUTCOMES);
    /** Recently expired holds, keyed by {@link #holdKey}. */
    private final RecentEntries<String, LockSnapshotExpiredHold> expiredHolds =
            new RecentEntries<>(REMEMBERED_EXPIRIES);

    private final RecentEntries<String, Boolean> expiredSessions = new RecentEntries<>(REMEMBERED_EXPIRIES);
    private final ArrayDeque<LockDeadlock> deadlocks = new ArrayDeque<>();
    /** Locks that must be looked at again by a later entry: see {@link LockEntry#mayGrantAt}. */
    private final TreeSet<String> deferred = new TreeSet<>();

    private final WaitForGraph graph = new WaitForGraph(this::edgesFrom);
    private long nowMillis;
    private long nextSweepMillis;
    private long grants;
    private long deadlocksDetected;
    private long leaseExpiries;

    // ---------------------------------------------------------------------------------------------
    // Commands
    // ---------------------------------------------------------------------------------------------

    LockResult acquire(Step step, LockAcquire cmd) {
        String problem = validate(cmd);
        if (problem != null) {
            return result(LockOutcome.LOCK_OUTCOME_INVALID, problem);
        }
        if (waiting.containsKey(cmd.getRequestId()) || outcomes.containsKey(cmd.getRequestId())) {
            return result(LockOutcome.LOCK_OUTCOME_INVALID, "request id " + cmd.getRequestId() + " was used before");
        }
        String owner = cmd.getOwner();
        UserSession session = null;
        if (!cmd.getSessionId().isEmpty()) {
            session = sessions.get(cmd.getSessionId());
            if (session == null) {
                return sessionGone(cmd.getSessionId());
            }
            if (!session.owner.equals(owner)) {
                return result(
                        LockOutcome.LOCK_OUTCOME_NOT_OWNER,
                        "session " + session.id + " belongs to " + session.owner + ", not " + owner);
            }
        }
        LockEntry entry = locks.computeIfAbsent(cmd.getLockId(), LockEntry::new);
        LockMode mode = cmd.getMode();
        Hold held = entry.holders.get(owner);
        if (held != null && (mode == LockMode.LOCK_MODE_SHARED || held.exclusive())) {
            held.count++;
            renewLease(entry, held);
            return granted(grantView(entry, held, cmd.getRequestId()));
        }
        boolean upgrade = held != null;
        // Strict FIFO: a newcomer is granted at once only if nobody waits. An upgrader already
        // holds the lock, so ordinary waiters are behind it anyway.
        if ((upgrade || entry.queue.isEmpty())
                && entry.compatible(owner, mode)
                && entry.mayGrantAt(step.index(), mode)) {
            Hold hold = grant(step, entry, owner, mode, cmd.getSessionId(), cmd.getTtlMs());
            return granted(grantView(entry, hold, cmd.getRequestId()));
        }
        if (cmd.getWaitTimeoutMs() == 0) {
            dropIfIdle(step, entry);
            return result(LockOutcome.LOCK_OUTCOME_TIMEOUT, "lock " + entry.id + " is not available");
        }
        Waiter waiter = new Waiter(
                cmd.getRequestId(),
                entry.id,
                owner,
                mode,
                upgrade,
                cmd.getSessionId(),
                cmd.getTtlMs(),
                step.index(),
                nowMillis,
                nowMillis + cmd.getWaitTimeoutMs());
        enqueue(entry, waiter, session);
        // The new request is the youngest on any cycle it closes, so it is normally the victim.
        Optional<List<Edge>> cycle;
        while ((cycle = graph.cycleThrough(owner)).isPresent()) {
            LockAborted victim = breakCycle(step, cycle.get(), waiter);
            if (victim.getRequestId().equals(waiter.requestId())) {
                return LockResult.newBuilder()
                        .setOutcome(LockOutcome.LOCK_OUTCOME_DEADLOCK)
                        .addAllCycle(victim.getCycleList())
                        .setMessage("waiting for " + entry.id + " would deadlock")
                        .build();
            }
        }
        return result(LockOutcome.LOCK_OUTCOME_WAITING, "");
    }

    LockResult release(Step step, String lockId, String owner) {
        LockEntry entry = locks.get(lockId);
        Hold hold = entry == null ? null : entry.holders.get(owner);
        if (hold == null) {
            return notHeld(lockId, owner);
        }
        hold.count--;
        if (hold.count == 0) {
            removeHold(entry, hold);
            grantWaiters(step, entry);
        }
        return LockResult.newBuilder()
                .setOutcome(LockOutcome.LOCK_OUTCOME_RELEASED)
                .setCount(hold.count)
                .build();
    }

    LockResult keepAlive(String lockId, String owner) {
        LockEntry entry = locks.get(lockId);
        Hold hold = entry == null ? null : entry.holders.get(owner);
        if (hold == null) {
            return notHeld(lockId, owner);
        }
        if (hold.sessionBound()) {
            renewSession(sessions.get(hold.sessionId));
        } else {
            renewLease(entry, hold);
        }
        return LockResult.newBuilder()
                .setOutcome(LockOutcome.LOCK_OUTCOME_OK)
                .setGrant(grantView(entry, hold, ""))
                .build();
    }

    LockResult cancel(Step step, String requestId, boolean releaseIfGranted) {
        Waiter waiter = waiting.get(requestId);
        if (waiter != null) {
            // The canceller owns the request and learns the ending from this result; an event
            // would race it and could be taken for a cancellation by its session being closed.
            abort(step, waiter, LockOutcome.LOCK_OUTCOME_CANCELLED, List.of(), false);
            return result(LockOutcome.LOCK_OUTCOME_CANCELLED, "");
        }
        LockRequestStatus status = outcomes.get(requestId);
        if (status == null) {
            return result(LockOutcome.LOCK_OUTCOME_UNKNOWN_REQUEST, "no request " + requestId + " is remembered");
        }
        if (status.getOutcome() == LockOutcome.LOCK_OUTCOME_GRANTED && releaseIfGranted) {
            LockGrant grant = status.getGrant();
            LockEntry entry = locks.get(grant.getLockId());
            Hold hold = entry == null ? null : entry.holders.get(grant.getOwner());
            if (hold != null && hold.token == grant.getFencingToken()) {
                release(step, grant.getLockId(), grant.getOwner());
            }
            outcomes.put(
                    requestId,
                    status.toBuilder()
                            .setOutcome(LockOutcome.LOCK_OUTCOME_CANCELLED)
                            .clearGrant()
                            .build());
            return result(LockOutcome.LOCK_OUTCOME_CANCELLED, "the grant was given back");
        }
        return LockResult.newBuilder()
                .setOutcome(status.getOutcome())
                .setGrant(status.getGrant())
                .addAllCycle(status.getCycleList())
                .build();
    }

    LockResult openSession(Step step, String owner, long ttlMillis) {
        if (!validId(owner)) {
            return result(LockOutcome.LOCK_OUTCOME_INVALID, "owner must be 1.." + MAX_ID_LENGTH + " characters");
        }
        if (ttlMillis <= 0 || ttlMillis > MAX_TTL_MILLIS) {
            return result(LockOutcome.LOCK_OUTCOME_INVALID, "ttl must be 1.." + MAX_TTL_MILLIS + " ms");
        }
        // The entry's index is unique and identical on every replica, which a random id would not be.
        UserSession session = new UserSession("session-" + step.index(), owner, ttlMillis, nowMillis + ttlMillis);
        sessions.put(session.id, session);
        expiries.add(Expiries.session(session.expiresAtMillis, session.id));
        return sessionResult(session);
    }

    LockResult keepAliveSession(String sessionId) {
        UserSession session = sessions.get(sessionId);
        if (session == null) {
            return sessionGone(sessionId);
        }
        renewSession(session);
        return sessionResult(session);
    }

    LockResult closeSession(Step step, String sessionId) {
        UserSession session = sessions.get(sessionId);
        if (session == null) {
            return sessionGone(sessionId);
        }
        int released = endSession(step, session, false);
        return LockResult.newBuilder()
                .setOutcome(LockOutcome.LOCK_OUTCOME_OK)
                .setSession(sessionView(session))
                .setCount(released)
                .build();
    }

    /**
     * Log time moved to {@code step.nowMillis()}: first grants what an earlier entry had to leave
     * for a later one (it was due then, so it goes before anything expiring now), then expires what
     * is due in deadline order, and sweeps for deadlocks now and then.
     */
    void advanceTime(Step step) {
        nowMillis = Math.max(nowMillis, step.nowMillis());
        if (!deferred.isEmpty()) {
            List<String> ids = new ArrayList<>(deferred);
            deferred.clear();
            for (String id : ids) {
                LockEntry entry = locks.get(id);
                if (entry != null) {
                    grantWaiters(step, entry);
                }
            }
        }
        Expiries.Deadline due;
        while ((due = expiries.pollDue(nowMillis)) != null) {
            switch (due.kind()) {
                case WAITER -> abort(step, waiting.get(due.key()), LockOutcome.LOCK_OUTCOME_TIMEOUT, List.of(), true);
                case HOLD -> {
                    LockEntry entry = locks.get(due.key());
                    expireHold(entry, entry.holders.get(due.owner()));
                    grantWaiters(step, entry);
                }
                case SESSION -> endSession(step, sessions.get(due.key()), true);
            }
        }
        if (nowMillis >= nextSweepMillis) {
            nextSweepMillis = nowMillis + SWEEP_INTERVAL_MILLIS;
            sweep(step);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Queries
    // ---------------------------------------------------------------------------------------------

    LockStateView state(String lockId) {
        var view = LockStateView.newBuilder().setLockId(lockId);
        LockEntry entry = locks.get(lockId);
        if (entry != null) {
            view.setMode(entry.mode());
            entry.holders.values().forEach(h -> view.addHolders(holderView(h)));
            entry.queue.forEach(w -> view.addWaiters(waiterView(w)));
        }
        return view.build();
    }

    /** A fencing token is valid while the grant that issued it is still held. */
    boolean valid(String lockId, long token) {
        LockEntry entry = locks.get(lockId);
        return entry != null && entry.holders.values().stream().anyMatch(h -> h.token == token);
    }

    LockRequestStatuses requestStatuses(List<String> requestIds) {
        var statuses = LockRequestStatuses.newBuilder();
        for (String id : requestIds) {
            if (waiting.containsKey(id)) {
                statuses.addStatuses(
                        LockRequestStatus.newBuilder().setRequestId(id).setOutcome(LockOutcome.LOCK_OUTCOME_WAITING));
            } else {
                statuses.addStatuses(outcomes.getOrDefault(
                        id,
                        LockRequestStatus.newBuilder()
                                .setRequestId(id)
                                .setOutcome(LockOutcome.LOCK_OUTCOME_UNKNOWN_REQUEST)
                                .build()));
            }
        }
        return statuses.build();
    }

    LockDeadlocks deadlocks() {
        return LockDeadlocks.newBuilder()
                .addAllDeadlocks(deadlocks)
                .setTotalDetected(deadlocksDetected)
                .build();
    }

    LockStats stats() {
        int held = 0;
        int holders = 0;
        for (LockEntry entry : locks.values()) {
            held += entry.holders.isEmpty() ? 0 : 1;
            holders += entry.holders.size();
        }
        return LockStats.newBuilder()
                .setLocksHeld(held)
                .setHolders(holders)
                .setWaiters(waiting.size())
                .setSessions(sessions.size())
                .setDeadlocksDetected(deadlocksDetected)
                .setLeaseExpiries(leaseExpiries)
                .setGrants(grants)
                .build();
    }

    // ---------------------------------------------------------------------------------------------
    // Grants, waits and their endings
    // ---------------------------------------------------------------------------------------------

    /** Grants {@code mode} to {@code owner}: a new hold, or an upgrade of the one it has. */
    private Hold grant(Step step, LockEntry entry, String owner, LockMode mode, String sessionId, long ttlMillis) {
        Hold hold = entry.holders.get(owner);
        if (hold != null) {
            hold.count++;
            if (mode == LockMode.LOCK_MODE_EXCLUSIVE && !hold.exclusive()) {
                // An upgrade is a new grant: a writer must present a token newer than any reader's.
                hold.mode = LockMode.LOCK_MODE_EXCLUSIVE;
                hold.token = step.index();
                entry.noteGrant(step.index(), mode);
                grants++;
            }
            renewLease(entry, hold);
            return hold;
        }
        long ttl = sessionId.isEmpty() ? (ttlMillis == 0 ? DEFAULT_LEASE_MILLIS : ttlMillis) : 0;
        hold = new Hold(owner, sessionId, ttl, mode, step.index(), nowMillis);
        entry.holders.put(owner, hold);
        entry.noteGrant(step.index(), mode);
        grants++;
        expiredHolds.remove(holdKey(entry.id, owner));
        if (hold.sessionBound()) {
            sessions.get(sessionId).locks.add(entry.id);
        } else {
            hold.expiresAtMillis = nowMillis + ttl;
            expiries.add(Expiries.hold(hold.expiresAtMillis, entry.id, owner));
        }
        return hold;
    }

    /** Serves the queue from its head for as long as the head is compatible with the holders. */
    private void grantWaiters(Step step, LockEntry entry) {
        while (!entry.queue.isEmpty()) {
            Waiter next = entry.queue.getFirst();
            if (!entry.compatible(next.owner(), next.mode())) {
                break;
            }
            if (!entry.mayGrantAt(step.index(), next.mode())) {
                deferred.add(entry.id);
                break;
            }
            dequeue(next);
            Hold hold = grant(step, entry, next.owner(), next.mode(), next.sessionId(), next.ttlMillis());
            LockGrant view = grantView(entry, hold, next.requestId());
            outcomes.put(
                    next.requestId(),
                    LockRequestStatus.newBuilder()
                            .setRequestId(next.requestId())
                            .setOutcome(LockOutcome.LOCK_OUTCOME_GRANTED)
                            .setGrant(view)
                            .build());
            step.events().accept(LockEvent.newBuilder().setGranted(view).build());
        }
        dropIfIdle(step, entry);
    }

    private void enqueue(LockEntry entry, Waiter waiter, UserSession session) {
        if (waiter.upgrade()) {
            int at = 0;
            while (at < entry.queue.size() && entry.queue.get(at).upgrade()) {
                at++;
            }
            entry.queue.add(at, waiter);
        } else {
            entry.queue.add(waiter);
        }
        index(waiter, session);
    }

    private void index(Waiter waiter, UserSession session) {
        waiting.put(waiter.requestId(), waiter);
        waitsByOwner.computeIfAbsent(waiter.owner(), o -> new ArrayList<>()).add(waiter);
        if (session != null) {
            session.waits.add(waiter.requestId());
        }
        expiries.add(Expiries.waiter(waiter.deadlineMillis(), waiter.requestId()));
    }

    private void dequeue(Waiter waiter) {
        locks.get(waiter.lockId()).queue.remove(waiter);
        waiting.remove(waiter.requestId());
        List<Waiter> ofOwner = waitsByOwner.get(waiter.owner());
        ofOwner.remove(waiter);
        if (ofOwner.isEmpty()) {
            waitsByOwner.remove(waiter.owner());
        }
        UserSession session = sessions.get(waiter.sessionId());
        if (session != null) {
            session.waits.remove(waiter.requestId());
        }
        expiries.remove(Expiries.waiter(waiter.deadlineMillis(), waiter.requestId()));
    }

    /**
     * Ends a wait without a grant and tells its caller through an event (unless the caller is the
     * command being applied, which learns it from the result).
     */
    private LockAborted abort(Step step, Waiter waiter, LockOutcome outcome, List<LockWaitEdge> cycle, boolean notify) {
        LockEntry entry = locks.get(waiter.lockId());
        dequeue(waiter);
        outcomes.put(
                waiter.requestId(),
                LockRequestStatus.newBuilder()
                        .setRequestId(waiter.requestId())
                        .setOutcome(outcome)
                        .addAllCycle(cycle)
                        .build());
        LockAborted aborted = LockAborted.newBuilder()
                .setRequestId(waiter.requestId())
                .setLockId(waiter.lockId())
                .setOwner(waiter.owner())
                .setOutcome(outcome)
                .addAllCycle(cycle)
                .build();
        if (notify) {
            step.events().accept(LockEvent.newBuilder().setAborted(aborted).build());
        }
        // The aborted request may have been the head that held back compatible requests behind it.
        grantWaiters(step, entry);
        return aborted;
    }

    /** Records the deadlock and aborts the youngest waiting request of the cycle. */
    private LockAborted breakCycle(Step step, List<Edge> cycle, Waiter requester) {
        Waiter victim = cycle.stream()
                .map(Edge::request)
                .max(Comparator.comparingLong(Waiter::queuedIndex).thenComparing(Waiter::requestId))
                .orElseThrow();
        List<LockWaitEdge> edges =
                cycle.stream().map(e -> waitEdge(e.request())).toList();
        deadlocksDetected++;
        deadlocks.addLast(LockDeadlock.newBuilder()
                .setIndex(step.index())
                .setDetectedAtMillis(nowMillis)
                .addAllCycle(edges)
                .setVictim(waitEdge(victim))
                .build());
        if (deadlocks.size() > REMEMBERED_DEADLOCKS) {
            deadlocks.removeFirst();
        }
        return abort(step, victim, LockOutcome.LOCK_OUTCOME_DEADLOCK, edges, victim != requester);
    }

    /**
     * Cycles only ever close when a wait is added, and each is broken then; the sweep is a second
     * line of defence that costs one walk of the graph per second of log time.
     */
    private void sweep(Step step) {
        Optional<List<Edge>> cycle;
        while ((cycle = graph.anyCycle(waitsByOwner.keySet())).isPresent()) {
            breakCycle(step, cycle.get(), null);
        }
    }

    /** The wait-for edges out of {@code owner}, in queue and grant order. */
    private List<Edge> edgesFrom(String owner) {
        List<Waiter> waits = waitsByOwner.get(owner);
        if (waits == null) {
            return List.of();
        }
        List<Edge> edges = new ArrayList<>();
        for (Waiter waiter : waits) {
            LockEntry entry = locks.get(waiter.lockId());
            for (Hold hold : entry.holders.values()) {
                if (!hold.owner.equals(owner) && LockEntry.conflicts(waiter.mode(), hold.mode)) {
                    edges.add(new Edge(owner, hold.owner, waiter));
                }
            }
            for (Waiter ahead : entry.queue) {
                if (ahead == waiter) {
                    break;
                }
                if (!ahead.owner().equals(owner) && LockEntry.conflicts(waiter.mode(), ahead.mode())) {
                    edges.add(new Edge(owner, ahead.owner(), waiter));
                }
            }
        }
        return edges;
    }

    /**
     * Ends a session: its waits end and its holds are released (closed) or expire (expired). Waits
     * end first so that no lock freed here is granted to a wait of the dying session.
     *
     * @return the number of locks the session held
     */
    private int endSession(Step step, UserSession session, boolean expired) {
        sessions.remove(session.id);
        expiries.remove(Expiries.session(session.expiresAtMillis, session.id));
        if (expired) {
            expiredSessions.put(session.id, Boolean.TRUE);
        }
        TreeSet<String> touched = new TreeSet<>();
        LockOutcome waitOutcome = expired ? LockOutcome.LOCK_OUTCOME_LEASE_EXPIRED : LockOutcome.LOCK_OUTCOME_CANCELLED;
        for (String requestId : new ArrayList<>(session.waits)) {
            Waiter waiter = waiting.get(requestId);
            touched.add(waiter.lockId());
            dequeue(waiter);
            outcomes.put(
                    requestId,
                    LockRequestStatus.newBuilder()
                            .setRequestId(requestId)
                            .setOutcome(waitOutcome)
                            .build());
            step.events()
                    .accept(LockEvent.newBuilder()
                            .setAborted(LockAborted.newBuilder()
                                    .setRequestId(requestId)
                                    .setLockId(waiter.lockId())
                                    .setOwner(waiter.owner())
                                    .setOutcome(waitOutcome))
                            .build());
        }
        for (String lockId : session.locks) {
            LockEntry entry = locks.get(lockId);
            Hold hold = entry.holders.get(session.owner);
            if (expired) {
                expireHold(entry, hold);
            } else {
                removeHold(entry, hold);
            }
            touched.add(lockId);
        }
        for (String lockId : touched) {
            LockEntry entry = locks.get(lockId);
            if (entry != null) {
                grantWaiters(step, entry);
            }
        }
        return session.locks.size();
    }

    private void expireHold(LockEntry entry, Hold hold) {
        removeHold(entry, hold);
        expiredHolds.put(
                holdKey(entry.id, hold.owner),
                LockSnapshotExpiredHold.newBuilder()
                        .setLockId(entry.id)
                        .setOwner(hold.owner)
                        .setFencingToken(hold.token)
                        .build());
        leaseExpiries++;
    }

    private void removeHold(LockEntry entry, Hold hold) {
        entry.holders.remove(hold.owner);
        if (hold.sessionBound()) {
            UserSession session = sessions.get(hold.sessionId);
            if (session != null) {
                session.locks.remove(entry.id);
            }
        } else {
            expiries.remove(Expiries.hold(hold.expiresAtMillis, entry.id, hold.owner));
        }
    }

    private void renewLease(LockEntry entry, Hold hold) {
        if (hold.sessionBound()) {
            return;
        }
        expiries.remove(Expiries.hold(hold.expiresAtMillis, entry.id, hold.owner));
        hold.expiresAtMillis = nowMillis + hold.ttlMillis;
        expiries.add(Expiries.hold(hold.expiresAtMillis, entry.id, hold.owner));
    }

    private void renewSession(UserSession session) {
        expiries.remove(Expiries.session(session.expiresAtMillis, session.id));
        session.expiresAtMillis = nowMillis + session.ttlMillis;
        expiries.add(Expiries.session(session.expiresAtMillis, session.id));
    }

    /**
     * Forgets a lock nobody holds or waits for, unless this entry granted it: then a later entry
     * does, so that a new grant under the same index cannot repeat its token.
     */
    private void dropIfIdle(Step step, LockEntry entry) {
        if (!entry.idle()) {
            return;
        }
        if (entry.lastGrantIndex < step.index()) {
            locks.remove(entry.id);
        } else {
            deferred.add(entry.id);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Snapshot
    // ---------------------------------------------------------------------------------------------

    LockSnapshot snapshot() {
        var snapshot = LockSnapshot.newBuilder()
                .setNowMillis(nowMillis)
                .setNextSweepMillis(nextSweepMillis)
                .setCounters(LockStats.newBuilder()
                        .setDeadlocksDetected(deadlocksDetected)
                        .setLeaseExpiries(leaseExpiries)
                        .setGrants(grants))
                .addAllExpiredHolds(expiredHolds.values())
                .addAllExpiredSessions(expiredSessions.keySet())
                .addAllOutcomes(outcomes.values())
                .addAllDeadlocks(deadlocks)
                .addAllDeferredGrants(deferred);
        for (LockEntry entry : locks.values()) {
            var lock = LockSnapshotEntry.newBuilder()
                    .setLockId(entry.id)
                    .setLastGrantIndex(entry.lastGrantIndex)
                    .setLastGrantExclusive(entry.lastGrantExclusive);
            entry.holders.values().forEach(h -> lock.addHolders(holderView(h)));
            entry.queue.forEach(w -> lock.addWaiters(waiterView(w)));
            snapshot.addLocks(lock);
        }
        sessions.values().forEach(s -> snapshot.addSessions(sessionView(s)));
        return snapshot.build();
    }

    /** Replaces the whole table with {@code snapshot} and rebuilds the indexes derived from it. */
    void restore(LockSnapshot snapshot) {
        locks.clear();
        sessions.clear();
        waiting.clear();
        waitsByOwner.clear();
        expiries.clear();
        outcomes.clear();
        expiredHolds.clear();
        expiredSessions.clear();
        deadlocks.clear();
        deferred.clear();
        nowMillis = snapshot.getNowMillis();
        nextSweepMillis = snapshot.getNextSweepMillis();
        deadlocksDetected = snapshot.getCounters().getDeadlocksDetected();
        leaseExpiries = snapshot.getCounters().getLeaseExpiries();
        grants = snapshot.getCounters().getGrants();
        for (LockSession s : snapshot.getSessionsList()) {
            var session = new UserSession(s.getSessionId(), s.getOwner(), s.getTtlMs(), s.getExpiresAtMillis());
            sessions.put(session.id, session);
            expiries.add(Expiries.session(session.expiresAtMillis, session.id));
        }
        for (LockSnapshotEntry e : snapshot.getLocksList()) {
            LockEntry entry = new LockEntry(e.getLockId());
            entry.lastGrantIndex = e.getLastGrantIndex();
            entry.lastGrantExclusive = e.getLastGrantExclusive();
            locks.put(entry.id, entry);
            for (LockHolder h : e.getHoldersList()) {
                Hold hold = new Hold(
                        h.getOwner(),
                        h.getSessionId(),
                        h.getTtlMs(),
                        h.getMode(),
                        h.getFencingToken(),
                        h.getSinceMillis());
                hold.count = h.getHoldCount();
                entry.holders.put(hold.owner, hold);
                if (hold.sessionBound()) {
                    sessions.get(hold.sessionId).locks.add(entry.id);
                } else {
                    hold.expiresAtMillis = h.getExpiresAtMillis();
                    expiries.add(Expiries.hold(hold.expiresAtMillis, entry.id, hold.owner));
                }
            }
            for (LockWaiter w : e.getWaitersList()) {
                Waiter waiter = new Waiter(
                        w.getRequestId(),
                        entry.id,
                        w.getOwner(),
                        w.getMode(),
                        w.getUpgrade(),
                        w.getSessionId(),
                        w.getTtlMs(),
                        w.getQueuedAtIndex(),
                        w.getQueuedAtMillis(),
                        w.getDeadlineMillis());
                entry.queue.add(waiter);
                index(waiter, sessions.get(waiter.sessionId()));
            }
        }
        // Each owner's waits were appended as they were queued; the graph walk depends on that order.
        waitsByOwner.values().forEach(waits -> waits.sort(Comparator.comparingLong(Waiter::queuedIndex)));
        snapshot.getExpiredHoldsList().forEach(h -> expiredHolds.put(holdKey(h.getLockId(), h.getOwner()), h));
        snapshot.getExpiredSessionsList().forEach(id -> expiredSessions.put(id, Boolean.TRUE));
        snapshot.getOutcomesList().forEach(o -> outcomes.put(o.getRequestId(), o));
        deadlocks.addAll(snapshot.getDeadlocksList());
        deferred.addAll(snapshot.getDeferredGrantsList());
    }

    // ---------------------------------------------------------------------------------------------
    // Results and views
    // ---------------------------------------------------------------------------------------------

    private static String validate(LockAcquire cmd) {
        if (!validId(cmd.getLockId()) || !validId(cmd.getOwner())) {
            return "lock id and owner must be 1.." + MAX_ID_LENGTH + " characters";
        }
        if (cmd.getMode() != LockMode.LOCK_MODE_SHARED && cmd.getMode() != LockMode.LOCK_MODE_EXCLUSIVE) {
            return "mode must be shared or exclusive";
        }
        if (cmd.getWaitTimeoutMs() > MAX_WAIT_MILLIS || cmd.getTtlMs() > MAX_TTL_MILLIS) {
            return "wait timeout must be at most " + MAX_WAIT_MILLIS + " ms and ttl at most " + MAX_TTL_MILLIS + " ms";
        }
        if (cmd.getRequestId().length() > MAX_ID_LENGTH) {
            return "request id must be at most " + MAX_ID_LENGTH + " characters";
        }
        if (cmd.getWaitTimeoutMs() > 0 && cmd.getRequestId().isEmpty()) {
            return "a request that may wait needs a request id";
        }
        return null;
    }

    private static boolean validId(String id) {
        return !id.isEmpty() && id.length() <= MAX_ID_LENGTH;
    }

    private LockResult notHeld(String lockId, String owner) {
        LockSnapshotExpiredHold expired = expiredHolds.get(holdKey(lockId, owner));
        if (expired != null) {
            return result(
                    LockOutcome.LOCK_OUTCOME_LEASE_EXPIRED,
                    "the lease of " + owner + " on " + lockId + " (fencing token " + expired.getFencingToken()
                            + ") expired and the lock was passed on");
        }
        return result(LockOutcome.LOCK_OUTCOME_NOT_OWNER, owner + " does not hold " + lockId);
    }

    private LockResult sessionGone(String sessionId) {
        if (expiredSessions.containsKey(sessionId)) {
            return result(LockOutcome.LOCK_OUTCOME_LEASE_EXPIRED, "session " + sessionId + " expired");
        }
        return result(LockOutcome.LOCK_OUTCOME_SESSION_NOT_FOUND, "no session " + sessionId);
    }

    private static LockResult result(LockOutcome outcome, String message) {
        return LockResult.newBuilder().setOutcome(outcome).setMessage(message).build();
    }

    private static LockResult granted(LockGrant grant) {
        return LockResult.newBuilder()
                .setOutcome(LockOutcome.LOCK_OUTCOME_GRANTED)
                .setGrant(grant)
                .build();
    }

    private LockResult sessionResult(UserSession session) {
        return LockResult.newBuilder()
                .setOutcome(LockOutcome.LOCK_OUTCOME_OK)
                .setSession(sessionView(session))
                .build();
    }

    private LockGrant grantView(LockEntry entry, Hold hold, String requestId) {
        return LockGrant.newBuilder()
                .setLockId(entry.id)
                .setOwner(hold.owner)
                .setMode(hold.mode)
                .setFencingToken(hold.token)
                .setSinceMillis(hold.sinceMillis)
                .setExpiresAtMillis(expiresAt(hold))
                .setHoldCount(hold.count)
                .setSessionId(hold.sessionId)
                .setRequestId(requestId)
                .build();
    }

    private long expiresAt(Hold hold) {
        return hold.sessionBound() ? sessions.get(hold.sessionId).expiresAtMillis : hold.expiresAtMillis;
    }

    private LockHolder holderView(Hold hold) {
        return LockHolder.newBuilder()
                .setOwner(hold.owner)
                .setMode(hold.mode)
                .setFencingToken(hold.token)
                .setSinceMillis(hold.sinceMillis)
                .setExpiresAtMillis(expiresAt(hold))
                .setHoldCount(hold.count)
                .setSessionId(hold.sessionId)
                .setTtlMs(hold.ttlMillis)
                .build();
    }

    private static LockWaiter waiterView(Waiter waiter) {
        return LockWaiter.newBuilder()
                .setRequestId(waiter.requestId())
                .setOwner(waiter.owner())
                .setMode(waiter.mode())
                .setQueuedAtMillis(waiter.queuedAtMillis())
                .setDeadlineMillis(waiter.deadlineMillis())
                .setUpgrade(waiter.upgrade())
                .setSessionId(waiter.sessionId())
                .setQueuedAtIndex(waiter.queuedIndex())
                .setTtlMs(waiter.ttlMillis())
                .build();
    }

    private static LockSession sessionView(UserSession session) {
        return LockSession.newBuilder()
                .setSessionId(session.id)
                .setOwner(session.owner)
                .setTtlMs(session.ttlMillis)
                .setExpiresAtMillis(session.expiresAtMillis)
                .build();
    }

    private static LockWaitEdge waitEdge(Waiter waiter) {
        return LockWaitEdge.newBuilder()
                .setOwner(waiter.owner())
                .setLockId(waiter.lockId())
                .setRequestId(waiter.requestId())
                .build();
    }

    private static String holdKey(String lockId, String owner) {
        return lockId + '\u0000' + owner;
    }
}
