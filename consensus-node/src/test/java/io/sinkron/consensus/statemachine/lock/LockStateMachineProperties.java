package io.sinkron.consensus.statemachine.lock;

import static io.sinkron.proto.LockMode.LOCK_MODE_EXCLUSIVE;
import static io.sinkron.proto.LockMode.LOCK_MODE_SHARED;
import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.proto.LockAcquire;
import io.sinkron.proto.LockCancel;
import io.sinkron.proto.LockCloseSession;
import io.sinkron.proto.LockCommand;
import io.sinkron.proto.LockEvent;
import io.sinkron.proto.LockHolder;
import io.sinkron.proto.LockKeepAlive;
import io.sinkron.proto.LockKeepAliveSession;
import io.sinkron.proto.LockMode;
import io.sinkron.proto.LockOpenSession;
import io.sinkron.proto.LockOutcome;
import io.sinkron.proto.LockRelease;
import io.sinkron.proto.LockResult;
import io.sinkron.proto.LockStateView;
import io.sinkron.proto.LockWaitEdge;
import io.sinkron.proto.LockWaiter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Random command sequences run against the state machine and against {@link LockModel}, a plain
 * rendering of the documented rules. After every command the results, the events and the state of
 * every lock must agree, and the safety properties are checked on the state machine's own answers.
 * jqwik prints the seed of a failing run and shrinks it to a short sequence.
 */
class LockStateMachineProperties {

    private static final List<String> LOCKS = List.of("L0", "L1", "L2");
    private static final List<String> OWNERS = List.of("o0", "o1", "o2", "o3");

    sealed interface Op {
        record Acquire(int lock, int owner, boolean exclusive, long waitMillis, long ttl, boolean withSession)
                implements Op {}

        record Release(int lock, int owner) implements Op {}

        record KeepAlive(int lock, int owner) implements Op {}

        /** Cancels the {@code pick}-th request issued so far (modulo their number). */
        record Cancel(int pick, boolean releaseIfGranted) implements Op {}

        record Tick(long millis) implements Op {}

        record OpenSession(int owner, long ttl) implements Op {}

        record KeepAliveSession(int owner) implements Op {}

        record CloseSession(int owner) implements Op {}
    }

    @Property(tries = 400)
    void the_state_machine_behaves_like_the_model(@ForAll("scripts") List<Op> script) {
        var run = new Run();
        script.forEach(run::step);
        run.drain();
    }

    @Property(tries = 200)
    void a_restored_snapshot_is_equal_and_behaves_identically(
            @ForAll("scripts") List<Op> before, @ForAll("scripts") List<Op> after) {
        var run = new Run();
        before.forEach(run::step);
        run.twin = run.log.restoredCopy();
        assertThat(run.twin.snapshot()).isEqualTo(run.log.snapshot());

        after.forEach(run::step);
        run.drain();
        assertThat(run.twin.snapshot()).isEqualTo(run.log.snapshot());
    }

    /**
     * Found by the property above (seed 6536471702071213392): the release grants o1's shared wait
     * and defers its queued upgrade to the next entry, whose acquire then re-enters the upgraded
     * hold: the same token twice in one entry, rightly, because it is one grant.
     */
    @Example
    void reentering_a_hold_granted_by_the_same_entry_repeats_its_token() {
        a_restored_snapshot_is_equal_and_behaves_identically(
                List.of(new Op.Acquire(0, 0, true, 0, 0, false)),
                List.of(
                        new Op.Acquire(0, 1, false, 1_000, 0, false),
                        new Op.Acquire(0, 1, true, 1_000, 0, false),
                        new Op.Release(0, 0),
                        new Op.Acquire(0, 1, true, 0, 0, false)));
    }

    @Provide
    Arbitrary<List<Op>> scripts() {
        Arbitrary<Integer> lock = Arbitraries.integers().between(0, LOCKS.size() - 1);
        Arbitrary<Integer> owner = Arbitraries.integers().between(0, OWNERS.size() - 1);
        Arbitrary<Op> acquire = Combinators.combine(
                        lock,
                        owner,
                        Arbitraries.of(true, false),
                        Arbitraries.of(0L, 0L, 1_000L, 4_000L, 20_000L),
                        Arbitraries.of(0L, 500L, 3_000L),
                        Arbitraries.of(false, false, true))
                .as(Op.Acquire::new);
        Arbitrary<Op> release = Combinators.combine(lock, owner).as(Op.Release::new);
        Arbitrary<Op> keepAlive = Combinators.combine(lock, owner).as(Op.KeepAlive::new);
        Arbitrary<Op> cancel = Combinators.combine(Arbitraries.integers().between(0, 100), Arbitraries.of(true, false))
                .as(Op.Cancel::new);
        Arbitrary<Op> tick =
                Arbitraries.of(1L, 100L, 499L, 1_000L, 2_500L, 10_000L).map(Op.Tick::new);
        Arbitrary<Op> open =
                Combinators.combine(owner, Arbitraries.of(1_000L, 4_000L)).as(Op.OpenSession::new);
        Arbitrary<Op> keepSession = owner.map(Op.KeepAliveSession::new);
        Arbitrary<Op> closeSession = owner.map(Op.CloseSession::new);
        return Arbitraries.frequencyOf(
                        Tuple.of(8, acquire),
                        Tuple.of(4, release),
                        Tuple.of(1, keepAlive),
                        Tuple.of(1, cancel),
                        Tuple.of(3, tick),
                        Tuple.of(1, open),
                        Tuple.of(1, keepSession),
                        Tuple.of(1, closeSession))
                .list()
                .ofMinSize(1)
                .ofMaxSize(80);
    }

    /** One state machine (and optionally a restored twin), the model beside it, and the checks. */
    private static final class Run {

        final LockLog log = new LockLog();
        /** When set, a copy restored from a snapshot that must answer every command identically. */
        LockLog twin;

        final LockModel model = new LockModel();
        final Map<String, String> sessionOf = new HashMap<>();
        final List<String> requests = new ArrayList<>();
        final Map<String, Integer> endings = new HashMap<>();
        final List<String> waited = new ArrayList<>();
        final Map<String, Long> lastToken = new HashMap<>();
        /** The token of each owner's hold on each lock, as last granted ("lock/owner"). */
        final Map<String, Long> holdToken = new HashMap<>();

        final Map<String, Boolean> lastExclusive = new HashMap<>();

        void step(Op op) {
            switch (op) {
                case Op.Acquire a -> acquire(a);
                case Op.Release r -> {
                    model.advance(log.index + 1, log.nowMillis);
                    var expected = model.release(LOCKS.get(r.lock()), OWNERS.get(r.owner()));
                    LockResult result = apply(LockCommand.newBuilder()
                            .setRelease(LockRelease.newBuilder()
                                    .setLockId(LOCKS.get(r.lock()))
                                    .setOwner(OWNERS.get(r.owner())))
                            .build());
                    assertThat(result.getOutcome()).isEqualTo(expected.outcome());
                    assertThat(result.getCount()).isEqualTo(expected.count());
                }
                case Op.KeepAlive k -> {
                    model.advance(log.index + 1, log.nowMillis);
                    var expected = model.keepAlive(LOCKS.get(k.lock()), OWNERS.get(k.owner()));
                    LockResult result = apply(LockCommand.newBuilder()
                            .setKeepAlive(LockKeepAlive.newBuilder()
                                    .setLockId(LOCKS.get(k.lock()))
                                    .setOwner(OWNERS.get(k.owner())))
                            .build());
                    assertThat(result.getOutcome()).isEqualTo(expected.outcome());
                }
                case Op.Cancel c -> {
                    if (requests.isEmpty()) {
                        return;
                    }
                    String request = requests.get(c.pick() % requests.size());
                    model.advance(log.index + 1, log.nowMillis);
                    boolean waitingBefore = model.findWait(request) != null;
                    var expected = model.cancel(request, c.releaseIfGranted());
                    LockResult result = apply(LockCommand.newBuilder()
                            .setCancel(LockCancel.newBuilder()
                                    .setRequestId(request)
                                    .setReleaseIfGranted(c.releaseIfGranted()))
                            .build());
                    assertThat(result.getOutcome()).isEqualTo(expected.outcome());
                    assertThat(result.getGrant().getFencingToken()).isEqualTo(expected.token());
                    // Cancelling a waiting request ends it in the result instead of an event.
                    if (waitingBefore && result.getOutcome() == LockOutcome.LOCK_OUTCOME_CANCELLED) {
                        endings.merge(request, 1, Integer::sum);
                    }
                }
                case Op.Tick t -> {
                    model.advance(log.index + 1, log.nowMillis + t.millis());
                    log.tick(t.millis());
                    if (twin != null) {
                        twin.tick(t.millis());
                    }
                }
                case Op.OpenSession o -> {
                    model.advance(log.index + 1, log.nowMillis);
                    model.openSession(OWNERS.get(o.owner()), o.ttl());
                    LockResult result = apply(LockCommand.newBuilder()
                            .setOpenSession(LockOpenSession.newBuilder()
                                    .setOwner(OWNERS.get(o.owner()))
                                    .setTtlMs(o.ttl()))
                            .build());
                    assertThat(result.getSession().getSessionId()).isEqualTo("session-" + log.index);
                    sessionOf.put(OWNERS.get(o.owner()), result.getSession().getSessionId());
                }
                case Op.KeepAliveSession k -> {
                    String session = sessionOf.getOrDefault(OWNERS.get(k.owner()), "none");
                    model.advance(log.index + 1, log.nowMillis);
                    var expected = model.keepAliveSession(session);
                    LockResult result = apply(LockCommand.newBuilder()
                            .setKeepAliveSession(
                                    LockKeepAliveSession.newBuilder().setSessionId(session))
                            .build());
                    assertThat(result.getOutcome()).isEqualTo(expected.outcome());
                }
                case Op.CloseSession c -> {
                    String session = sessionOf.getOrDefault(OWNERS.get(c.owner()), "none");
                    model.advance(log.index + 1, log.nowMillis);
                    var expected = model.closeSession(session);
                    LockResult result = apply(LockCommand.newBuilder()
                            .setCloseSession(LockCloseSession.newBuilder().setSessionId(session))
                            .build());
                    assertThat(result.getOutcome()).isEqualTo(expected.outcome());
                    assertThat(result.getCount()).isEqualTo(expected.count());
                }
            }
            checkAfterStep(op);
        }

        private void acquire(Op.Acquire a) {
            String lock = LOCKS.get(a.lock());
            String owner = OWNERS.get(a.owner());
            LockMode mode = a.exclusive() ? LOCK_MODE_EXCLUSIVE : LOCK_MODE_SHARED;
            String session = a.withSession() ? sessionOf.getOrDefault(owner, "") : "";
            String request = a.waitMillis() > 0 ? "r" + requests.size() : "";
            if (!request.isEmpty()) {
                requests.add(request);
            }
            model.advance(log.index + 1, log.nowMillis);
            var expected = model.acquire(lock, owner, mode, a.waitMillis(), a.ttl(), session, request);
            LockResult result = apply(LockLog.command(LockAcquire.newBuilder()
                    .setLockId(lock)
                    .setOwner(owner)
                    .setMode(mode)
                    .setWaitTimeoutMs(a.waitMillis())
                    .setTtlMs(a.ttl())
                    .setSessionId(session)
                    .setRequestId(request)
                    .build()));
            // Printed per property, so a run shows that deadlocks, waits and timeouts were reached.
            Statistics.label("acquire").collect(result.getOutcome());
            if (expected.outcome() == LockOutcome.LOCK_OUTCOME_WAITING
                    && result.getOutcome() == LockOutcome.LOCK_OUTCOME_DEADLOCK) {
                assertThat(model.hasCycle())
                        .as("a deadlock is reported only for a real cycle")
                        .isTrue();
                checkCycle(result.getCycleList(), request);
                model.dropVictim(request);
            } else {
                assertThat(result.getOutcome()).as("%s", a).isEqualTo(expected.outcome());
                assertThat(result.getGrant().getFencingToken()).isEqualTo(expected.token());
                assertThat(result.getGrant().getHoldCount()).isEqualTo(expected.count());
            }
            if (result.getOutcome() == LockOutcome.LOCK_OUTCOME_WAITING) {
                waited.add(request);
            }
            // A reentrant grant repeats its hold's token; only a new grant carries this entry's index.
            if (result.getOutcome() == LockOutcome.LOCK_OUTCOME_GRANTED
                    && result.getGrant().getFencingToken() == log.index) {
                checkToken(
                        lock,
                        owner,
                        result.getGrant().getFencingToken(),
                        result.getGrant().getMode());
            }
        }

        /** Every edge of a reported cycle is a real wait, and the victim is the youngest request. */
        private void checkCycle(List<LockWaitEdge> cycle, String requester) {
            assertThat(cycle.getFirst().getRequestId()).isEqualTo(requester);
            for (int i = 0; i < cycle.size(); i++) {
                LockWaitEdge edge = cycle.get(i);
                LockWaitEdge next = cycle.get((i + 1) % cycle.size());
                LockModel.Wait wait = model.findWait(edge.getRequestId());
                assertThat(wait).isNotNull();
                assertThat(model.waitsFor(wait, next.getOwner()))
                        .as("%s waits for %s", edge, next.getOwner())
                        .isTrue();
            }
        }

        private LockResult apply(LockCommand command) {
            LockResult result = log.apply(command);
            if (twin != null) {
                assertThat(twin.apply(command)).isEqualTo(result);
            }
            return result;
        }

        private void checkAfterStep(Op op) {
            List<LockEvent> events = log.drainEvents();
            if (twin != null) {
                assertThat(twin.drainEvents()).isEqualTo(events);
            }
            List<String> rendered = new ArrayList<>();
            for (LockEvent e : events) {
                if (e.hasGranted()) {
                    var g = e.getGranted();
                    rendered.add("granted " + g.getRequestId() + " " + g.getMode() + " token " + g.getFencingToken()
                            + " count " + g.getHoldCount());
                    if (g.getFencingToken() == log.index) {
                        checkToken(g.getLockId(), g.getOwner(), g.getFencingToken(), g.getMode());
                    }
                    endings.merge(g.getRequestId(), 1, Integer::sum);
                } else {
                    var ab = e.getAborted();
                    rendered.add("aborted " + ab.getRequestId() + " " + ab.getOutcome());
                    endings.merge(ab.getRequestId(), 1, Integer::sum);
                }
            }
            assertThat(rendered).as("events after %s", op).containsExactlyInAnyOrderElementsOf(model.events);
            model.events.clear();

            assertThat(model.hasCycle()).as("no deadlock survives").isFalse();
            for (String lock : LOCKS) {
                LockStateView view = log.state(lock);
                checkMutualExclusion(view);
                checkHeadIsBlocked(lock, view);
                assertThat(view.getHoldersList())
                        .as("holders of %s after %s", lock, op)
                        .containsExactlyElementsOf(expectedHolders(lock));
                assertThat(view.getWaitersList())
                        .extracting(LockWaiter::getRequestId)
                        .as("queue of %s after %s", lock, op)
                        .containsExactlyElementsOf(expectedQueue(lock));
            }
        }

        /** Mutual exclusion and shared compatibility: one exclusive holder, or only shared ones. */
        private static void checkMutualExclusion(LockStateView view) {
            long exclusive = view.getHoldersList().stream()
                    .filter(h -> h.getMode() == LOCK_MODE_EXCLUSIVE)
                    .count();
            assertThat(exclusive == 0 || view.getHoldersCount() == 1)
                    .as("mutual exclusion on %s: %s", view.getLockId(), view.getHoldersList())
                    .isTrue();
        }

        /** No lost wake-up: a waiter at the head is blocked by a holder, unless a later entry must grant it. */
        private void checkHeadIsBlocked(String lock, LockStateView view) {
            if (view.getWaitersCount() == 0) {
                return;
            }
            LockWaiter head = view.getWaiters(0);
            boolean blocked = view.getHoldersList().stream()
                    .anyMatch(h ->
                            !h.getOwner().equals(head.getOwner()) && LockModel.conflicts(head.getMode(), h.getMode()));
            LockModel.Lock modelLock = model.locks.get(lock);
            assertThat(blocked || modelLock.lastGrantIndex == log.index)
                    .as("head of %s can be granted: %s", lock, view)
                    .isTrue();
        }

        /**
         * Tokens grow per lock; only shared grants by one entry may share one. A grant that repeats
         * the token of the owner's hold is that hold entered again (reentrancy), not a new grant:
         * it carries this entry's index when the hold was made by this same entry (a deferred
         * grant or an upgrade, then the owner acquiring again).
         */
        private void checkToken(String lock, String owner, long token, LockMode mode) {
            if (Long.valueOf(token).equals(holdToken.put(lock + "/" + owner, token))) {
                return;
            }
            Long last = lastToken.get(lock);
            if (last != null) {
                boolean sharedBatch = token == last && mode == LOCK_MODE_SHARED && !lastExclusive.get(lock);
                assertThat(token > last || sharedBatch)
                        .as("token %d on %s after %d", token, lock, last)
                        .isTrue();
            }
            if (last == null || token > last) {
                lastExclusive.put(lock, mode == LOCK_MODE_EXCLUSIVE);
            } else {
                lastExclusive.put(lock, lastExclusive.get(lock) || mode == LOCK_MODE_EXCLUSIVE);
            }
            lastToken.put(lock, token);
        }

        private List<LockHolder> expectedHolders(String lock) {
            LockModel.Lock modelLock = model.locks.get(lock);
            if (modelLock == null) {
                return List.of();
            }
            return modelLock.holders.values().stream()
                    .map(h -> LockHolder.newBuilder()
                            .setOwner(h.owner)
                            .setMode(h.mode)
                            .setFencingToken(h.token)
                            .setSinceMillis(h.since)
                            .setExpiresAtMillis(model.expiresAt(h))
                            .setHoldCount(h.count)
                            .setSessionId(h.session)
                            .setTtlMs(h.ttl)
                            .build())
                    .toList();
        }

        private List<String> expectedQueue(String lock) {
            LockModel.Lock modelLock = model.locks.get(lock);
            return modelLock == null
                    ? List.of()
                    : modelLock.queue.stream().map(LockModel.Wait::requestId).toList();
        }

        /**
         * No lost waiters: once every deadline has passed, no request waits, and each request that
         * was told to wait heard exactly one ending.
         */
        void drain() {
            // The first tick ends every wait, though expiries processed in deadline order may
            // still grant some; the second ends the leases of those grants.
            step(new Op.Tick(LockTable.MAX_TTL_MILLIS));
            step(new Op.Tick(LockTable.MAX_TTL_MILLIS));
            for (String lock : LOCKS) {
                assertThat(log.state(lock).getWaitersList()).isEmpty();
                assertThat(log.state(lock).getHoldersList()).isEmpty();
            }
            for (String request : waited) {
                assertThat(endings.get(request)).as("endings of %s", request).isEqualTo(1);
            }
        }
    }
}
