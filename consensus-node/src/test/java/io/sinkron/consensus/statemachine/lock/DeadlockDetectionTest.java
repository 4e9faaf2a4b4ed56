package io.sinkron.consensus.statemachine.lock;

import static io.sinkron.proto.LockMode.LOCK_MODE_EXCLUSIVE;
import static io.sinkron.proto.LockMode.LOCK_MODE_SHARED;
import static io.sinkron.proto.LockOutcome.LOCK_OUTCOME_DEADLOCK;
import static io.sinkron.proto.LockOutcome.LOCK_OUTCOME_GRANTED;
import static io.sinkron.proto.LockOutcome.LOCK_OUTCOME_WAITING;
import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.proto.LockHolder;
import io.sinkron.proto.LockMode;
import io.sinkron.proto.LockOutcome;
import io.sinkron.proto.LockResult;
import io.sinkron.proto.LockSnapshot;
import io.sinkron.proto.LockSnapshotEntry;
import io.sinkron.proto.LockWaitEdge;
import io.sinkron.proto.LockWaiter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cycles in the wait-for graph between lock owners: each must be found when the wait that closes
 * it is queued, and its youngest waiting request aborted.
 */
class DeadlockDetectionTest {

    /** A held mode and a requested mode that conflict, so the request must wait for the holder. */
    private record Conflict(LockMode held, LockMode requested) {}

    private static final List<Conflict> CONFLICTS = List.of(
            new Conflict(LOCK_MODE_SHARED, LOCK_MODE_EXCLUSIVE),
            new Conflict(LOCK_MODE_EXCLUSIVE, LOCK_MODE_SHARED),
            new Conflict(LOCK_MODE_EXCLUSIVE, LOCK_MODE_EXCLUSIVE));

    /**
     * Owner i holds lock i and then asks for lock i+1 (mod n); the last request closes the cycle.
     * Every mix of shared and exclusive holds and requests that conflict is tried.
     */
    @ParameterizedTest(name = "cycle of {0} owners")
    @ValueSource(ints = {2, 3, 4, 5})
    void when_the_last_wait_closes_a_cycle_then_it_is_the_victim_and_the_cycle_is_reported(int n) {
        int combinations = (int) Math.pow(CONFLICTS.size(), n);
        for (int combination = 0; combination < combinations; combination++) {
            List<Conflict> conflicts = new ArrayList<>();
            for (int i = 0, c = combination; i < n; i++, c /= CONFLICTS.size()) {
                conflicts.add(CONFLICTS.get(c % CONFLICTS.size()));
            }
            runCycle(n, conflicts);
        }
    }

    private static void runCycle(int n, List<Conflict> conflicts) {
        var log = new LockLog();
        // conflicts.get(i) pairs the hold on lock i with the request for it by owner i-1.
        for (int i = 0; i < n; i++) {
            LockResult held = log.acquire("L" + i, "o" + i, conflicts.get(i).held(), 0, "");
            assertThat(held.getOutcome()).isEqualTo(LOCK_OUTCOME_GRANTED);
        }
        for (int i = 0; i < n - 1; i++) {
            int next = i + 1;
            LockResult waiting =
                    log.acquire("L" + next, "o" + i, conflicts.get(next).requested(), 60_000, "r" + i);
            assertThat(waiting.getOutcome()).as("%s: o%d waits", conflicts, i).isEqualTo(LOCK_OUTCOME_WAITING);
        }

        LockResult closing =
                log.acquire("L0", "o" + (n - 1), conflicts.getFirst().requested(), 60_000, "r" + (n - 1));

        assertThat(closing.getOutcome()).as("%s", conflicts).isEqualTo(LOCK_OUTCOME_DEADLOCK);
        assertThat(closing.getCycleList())
                .extracting(LockWaitEdge::getOwner)
                .as("%s", conflicts)
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, n)
                        .mapToObj(i -> "o" + i)
                        .toList());
        assertThat(closing.getCycleList().getFirst().getOwner()).isEqualTo("o" + (n - 1));
        assertThat(closing.getCycleList().getFirst().getLockId()).isEqualTo("L0");
        assertThat(log.state("L0").getWaitersList()).isEmpty();
        assertThat(log.status("r" + (n - 1)).getOutcome()).isEqualTo(LOCK_OUTCOME_DEADLOCK);
        var record = log.deadlocks().getDeadlocks(0);
        assertThat(record.getVictim().getRequestId()).isEqualTo("r" + (n - 1));
        assertThat(record.getCycleCount()).isEqualTo(n);
        // The requester learns it from the result; no one else's wait ended.
        assertThat(log.drainEvents()).isEmpty();

        // The others still wait and proceed once the victim's owner lets go of its lock.
        log.release("L" + (n - 1), "o" + (n - 1));
        assertThat(log.drainEvents())
                .extracting(e -> e.getGranted().getRequestId())
                .contains("r" + (n - 2));
    }

    @Test
    void when_two_shared_holders_both_upgrade_then_the_second_upgrade_is_the_victim() {
        var log = new LockLog();
        log.shared("L", "a");
        log.shared("L", "b");

        assertThat(log.acquire("L", "a", LOCK_MODE_EXCLUSIVE, 60_000, "a-up").getOutcome())
                .isEqualTo(LOCK_OUTCOME_WAITING);
        LockResult second = log.acquire("L", "b", LOCK_MODE_EXCLUSIVE, 60_000, "b-up");

        assertThat(second.getOutcome()).isEqualTo(LOCK_OUTCOME_DEADLOCK);
        assertThat(second.getCycleList()).extracting(LockWaitEdge::getRequestId).containsExactly("b-up", "a-up");
        // b keeps its shared hold; once it lets go, a's upgrade goes through.
        log.release("L", "b");
        var granted = log.drainEvents().getFirst().getGranted();
        assertThat(granted.getRequestId()).isEqualTo("a-up");
        assertThat(granted.getMode()).isEqualTo(LOCK_MODE_EXCLUSIVE);
        assertThat(granted.getHoldCount()).isEqualTo(2);
    }

    @Test
    void when_a_cycle_runs_through_queue_order_then_it_is_detected() {
        var log = new LockLog();
        log.shared("L1", "a");
        log.exclusive("L2", "b");
        // w waits for a's shared hold; b's shared request queues behind w, so b waits for w.
        log.acquire("L1", "w", LOCK_MODE_EXCLUSIVE, 60_000, "w1");
        assertThat(log.acquire("L1", "b", LOCK_MODE_SHARED, 60_000, "b1").getOutcome())
                .isEqualTo(LOCK_OUTCOME_WAITING);

        LockResult closing = log.acquire("L2", "a", LOCK_MODE_EXCLUSIVE, 60_000, "a1");

        assertThat(closing.getOutcome()).isEqualTo(LOCK_OUTCOME_DEADLOCK);
        assertThat(closing.getCycleList()).extracting(LockWaitEdge::getOwner).containsExactly("a", "b", "w");
    }

    @Test
    void when_waits_do_not_close_a_cycle_then_nobody_is_aborted() {
        var log = new LockLog();
        log.exclusive("L1", "a");
        log.exclusive("L2", "b");
        log.acquire("L1", "b", LOCK_MODE_EXCLUSIVE, 60_000, "b1");
        log.acquire("L1", "c", LOCK_MODE_EXCLUSIVE, 60_000, "c1");

        assertThat(log.acquire("L2", "c", LOCK_MODE_SHARED, 60_000, "c2").getOutcome())
                .isEqualTo(LOCK_OUTCOME_WAITING);
        assertThat(log.state("L1").getWaitersList())
                .extracting(LockWaiter::getRequestId)
                .containsExactly("b1", "c1");
        assertThat(log.deadlocks().getTotalDetected()).isZero();
    }

    @Test
    void when_more_deadlocks_are_found_than_remembered_then_the_oldest_are_forgotten_but_counted() {
        var log = new LockLog();
        int count = LockTable.REMEMBERED_DEADLOCKS + 5;
        for (int i = 0; i < count; i++) {
            log.exclusive("A" + i, "x" + i);
            log.exclusive("B" + i, "y" + i);
            log.acquire("B" + i, "x" + i, LOCK_MODE_EXCLUSIVE, 60_000, "x" + i);
            assertThat(log.acquire("A" + i, "y" + i, LOCK_MODE_EXCLUSIVE, 60_000, "y" + i)
                            .getOutcome())
                    .isEqualTo(LOCK_OUTCOME_DEADLOCK);
        }

        var deadlocks = log.deadlocks();

        assertThat(deadlocks.getTotalDetected()).isEqualTo(count);
        assertThat(deadlocks.getDeadlocksList()).hasSize(LockTable.REMEMBERED_DEADLOCKS);
        assertThat(deadlocks.getDeadlocks(0).getVictim().getRequestId()).isEqualTo("y5");
    }

    @Test
    void when_a_cycle_is_present_without_a_new_wait_then_the_periodic_sweep_breaks_it() throws IOException {
        // Commands cannot build a cycle that the enqueue check misses, so restore one directly.
        var snapshot = LockSnapshot.newBuilder()
                .setNowMillis(1_000)
                .addLocks(lockHeldAndAwaited("A", "x", "ry", "y", 5))
                .addLocks(lockHeldAndAwaited("B", "y", "rx", "x", 6))
                .build();
        var log = new LockLog();
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(snapshot.getSerializedSize());
            snapshot.writeTo(out);
        }
        log.machine.restore(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        log.index = 10;

        log.tick(LockTable.SWEEP_INTERVAL_MILLIS);

        var aborted = log.drainEvents().getFirst().getAborted();
        assertThat(aborted.getRequestId()).isEqualTo("rx");
        assertThat(aborted.getOutcome()).isEqualTo(LockOutcome.LOCK_OUTCOME_DEADLOCK);
        assertThat(aborted.getCycleList()).extracting(LockWaitEdge::getOwner).containsExactlyInAnyOrder("x", "y");
        assertThat(log.deadlocks().getDeadlocks(0).getVictim().getRequestId()).isEqualTo("rx");
        assertThat(log.state("A").getWaitersList())
                .extracting(LockWaiter::getRequestId)
                .containsExactly("ry");
    }

    private static LockSnapshotEntry lockHeldAndAwaited(
            String lock, String holder, String requestId, String waiter, long queuedIndex) {
        return LockSnapshotEntry.newBuilder()
                .setLockId(lock)
                .setLastGrantIndex(1)
                .addHolders(LockHolder.newBuilder()
                        .setOwner(holder)
                        .setMode(LOCK_MODE_EXCLUSIVE)
                        .setFencingToken(1)
                        .setExpiresAtMillis(1_000_000)
                        .setHoldCount(1)
                        .setTtlMs(1_000_000))
                .addWaiters(LockWaiter.newBuilder()
                        .setRequestId(requestId)
                        .setOwner(waiter)
                        .setMode(LOCK_MODE_EXCLUSIVE)
                        .setDeadlineMillis(1_000_000)
                        .setQueuedAtIndex(queuedIndex))
                .build();
    }
}
