package io.sinkron.consensus.statemachine.lock;

import static io.sinkron.proto.LockMode.LOCK_MODE_EXCLUSIVE;
import static io.sinkron.proto.LockMode.LOCK_MODE_SHARED;
import static io.sinkron.proto.LockOutcome.LOCK_OUTCOME_CANCELLED;
import static io.sinkron.proto.LockOutcome.LOCK_OUTCOME_GRANTED;
import static io.sinkron.proto.LockOutcome.LOCK_OUTCOME_INVALID;
import static io.sinkron.proto.LockOutcome.LOCK_OUTCOME_LEASE_EXPIRED;
import static io.sinkron.proto.LockOutcome.LOCK_OUTCOME_NOT_OWNER;
import static io.sinkron.proto.LockOutcome.LOCK_OUTCOME_OK;
import static io.sinkron.proto.LockOutcome.LOCK_OUTCOME_RELEASED;
import static io.sinkron.proto.LockOutcome.LOCK_OUTCOME_SESSION_NOT_FOUND;
import static io.sinkron.proto.LockOutcome.LOCK_OUTCOME_TIMEOUT;
import static io.sinkron.proto.LockOutcome.LOCK_OUTCOME_UNKNOWN_REQUEST;
import static io.sinkron.proto.LockOutcome.LOCK_OUTCOME_WAITING;
import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.node.StateMachines;
import io.sinkron.proto.LockAcquire;
import io.sinkron.proto.LockBatch;
import io.sinkron.proto.LockCommand;
import io.sinkron.proto.LockEvent;
import io.sinkron.proto.LockHolder;
import io.sinkron.proto.LockRelease;
import io.sinkron.proto.LockResult;
import io.sinkron.proto.LockWaiter;
import java.util.List;
import org.junit.jupiter.api.Test;

class LockStateMachineTest {

    private final LockLog log = new LockLog();

    @Test
    void when_lock_is_free_then_exclusive_is_granted_with_the_log_index_as_fencing_token() {
        LockResult result = log.exclusive("L", "a");

        assertThat(result.getOutcome()).isEqualTo(LOCK_OUTCOME_GRANTED);
        assertThat(result.getGrant().getFencingToken()).isEqualTo(log.index);
        assertThat(result.getGrant().getExpiresAtMillis()).isEqualTo(log.nowMillis + LockTable.DEFAULT_LEASE_MILLIS);
        assertThat(log.state("L").getMode()).isEqualTo(LOCK_MODE_EXCLUSIVE);
    }

    @Test
    void when_exclusive_is_held_then_try_once_by_another_owner_times_out_at_once() {
        log.exclusive("L", "a");

        assertThat(log.exclusive("L", "b").getOutcome()).isEqualTo(LOCK_OUTCOME_TIMEOUT);
        assertThat(log.shared("L", "b").getOutcome()).isEqualTo(LOCK_OUTCOME_TIMEOUT);
        assertThat(log.state("L").getWaitersList()).isEmpty();
    }

    @Test
    void when_shared_is_held_then_other_shared_requests_are_compatible() {
        long first = log.shared("L", "a").getGrant().getFencingToken();
        long second = log.shared("L", "b").getGrant().getFencingToken();

        assertThat(log.state("L").getHoldersList())
                .extracting(LockHolder::getOwner)
                .containsExactly("a", "b");
        assertThat(second).isGreaterThan(first);
    }

    @Test
    void when_a_writer_waits_then_later_readers_queue_behind_it_so_writers_do_not_starve() {
        log.shared("L", "r1");
        assertThat(log.acquire("L", "w", LOCK_MODE_EXCLUSIVE, 10_000, "w1").getOutcome())
                .isEqualTo(LOCK_OUTCOME_WAITING);

        assertThat(log.acquire("L", "r2", LOCK_MODE_SHARED, 10_000, "r2").getOutcome())
                .isEqualTo(LOCK_OUTCOME_WAITING);
        log.release("L", "r1");

        assertThat(log.drainEvents())
                .extracting(e -> e.getGranted().getRequestId())
                .containsExactly("w1");
        log.release("L", "w");
        assertThat(log.drainEvents())
                .extracting(e -> e.getGranted().getRequestId())
                .containsExactly("r2");
    }

    @Test
    void when_an_exclusive_holder_releases_then_all_shared_waiters_at_the_head_are_granted_together() {
        log.exclusive("L", "w");
        log.acquire("L", "r1", LOCK_MODE_SHARED, 10_000, "r1");
        log.acquire("L", "r2", LOCK_MODE_SHARED, 10_000, "r2");
        log.acquire("L", "w2", LOCK_MODE_EXCLUSIVE, 10_000, "w2");
        log.acquire("L", "r3", LOCK_MODE_SHARED, 10_000, "r3");

        log.release("L", "w");

        assertThat(log.drainEvents())
                .extracting(e -> e.getGranted().getRequestId())
                .containsExactly("r1", "r2");
        assertThat(log.state("L").getWaitersList())
                .extracting(LockWaiter::getRequestId)
                .containsExactly("w2", "r3");
    }

    @Test
    void when_the_holder_acquires_again_then_the_hold_count_rises_and_the_token_stays() {
        long token = log.exclusive("L", "a").getGrant().getFencingToken();

        LockResult again = log.exclusive("L", "a");
        LockResult shared = log.shared("L", "a");

        assertThat(again.getGrant().getFencingToken()).isEqualTo(token);
        assertThat(shared.getGrant().getHoldCount()).isEqualTo(3);
        assertThat(shared.getGrant().getMode()).isEqualTo(LOCK_MODE_EXCLUSIVE);
        assertThat(log.release("L", "a").getCount()).isEqualTo(2);
        assertThat(log.release("L", "a").getCount()).isEqualTo(1);
        assertThat(log.exclusive("L", "b").getOutcome()).isEqualTo(LOCK_OUTCOME_TIMEOUT);
        assertThat(log.release("L", "a").getOutcome()).isEqualTo(LOCK_OUTCOME_RELEASED);
        assertThat(log.exclusive("L", "b").getOutcome()).isEqualTo(LOCK_OUTCOME_GRANTED);
    }

    @Test
    void when_a_reader_queued_behind_a_writer_holds_already_then_its_reentrant_acquire_is_granted() {
        log.shared("L", "r");
        log.acquire("L", "w", LOCK_MODE_EXCLUSIVE, 10_000, "w");

        // Queueing the holder behind a writer that waits for that very holder would deadlock it.
        assertThat(log.shared("L", "r").getGrant().getHoldCount()).isEqualTo(2);
    }

    @Test
    void when_the_only_shared_holder_upgrades_then_it_gets_exclusive_with_a_new_token() {
        long sharedToken = log.shared("L", "a").getGrant().getFencingToken();

        LockResult upgraded = log.exclusive("L", "a");

        assertThat(upgraded.getOutcome()).isEqualTo(LOCK_OUTCOME_GRANTED);
        assertThat(upgraded.getGrant().getMode()).isEqualTo(LOCK_MODE_EXCLUSIVE);
        assertThat(upgraded.getGrant().getFencingToken()).isGreaterThan(sharedToken);
        assertThat(upgraded.getGrant().getHoldCount()).isEqualTo(2);
        assertThat(log.valid("L", sharedToken)).isFalse();
        assertThat(log.valid("L", upgraded.getGrant().getFencingToken())).isTrue();
    }

    @Test
    void when_other_readers_hold_then_an_upgrade_waits_ahead_of_queued_writers() {
        log.shared("L", "a");
        log.shared("L", "b");
        log.acquire("L", "w", LOCK_MODE_EXCLUSIVE, 10_000, "w");

        assertThat(log.acquire("L", "a", LOCK_MODE_EXCLUSIVE, 10_000, "up").getOutcome())
                .isEqualTo(LOCK_OUTCOME_WAITING);
        assertThat(log.state("L").getWaitersList())
                .extracting(LockWaiter::getRequestId)
                .containsExactly("up", "w");

        log.release("L", "b");
        LockEvent granted = log.drainEvents().getFirst();
        assertThat(granted.getGranted().getRequestId()).isEqualTo("up");
        assertThat(granted.getGranted().getMode()).isEqualTo(LOCK_MODE_EXCLUSIVE);
        assertThat(granted.getGranted().getFencingToken()).isEqualTo(log.index);
    }

    @Test
    void when_the_holder_releases_then_the_waiter_gets_the_lock_with_the_release_index_as_token() {
        log.exclusive("L", "a");
        log.acquire("L", "b", LOCK_MODE_EXCLUSIVE, 10_000, "b1");

        log.release("L", "a");

        LockEvent event = log.drainEvents().getFirst();
        assertThat(event.getGranted().getOwner()).isEqualTo("b");
        assertThat(event.getGranted().getFencingToken()).isEqualTo(log.index);
        assertThat(log.status("b1").getOutcome()).isEqualTo(LOCK_OUTCOME_GRANTED);
    }

    @Test
    void when_someone_else_releases_then_not_owner() {
        log.exclusive("L", "a");

        assertThat(log.release("L", "b").getOutcome()).isEqualTo(LOCK_OUTCOME_NOT_OWNER);
        assertThat(log.release("nothing", "b").getOutcome()).isEqualTo(LOCK_OUTCOME_NOT_OWNER);
    }

    @Test
    void when_a_lease_expires_in_log_time_then_the_lock_passes_on_and_the_late_release_is_told() {
        log.apply(LockLog.command(LockAcquire.newBuilder()
                .setLockId("L")
                .setOwner("a")
                .setMode(LOCK_MODE_EXCLUSIVE)
                .setTtlMs(5_000)
                .build()));
        log.acquire("L", "b", LOCK_MODE_EXCLUSIVE, 60_000, "b1");

        log.tick(4_999);
        assertThat(log.drainEvents()).isEmpty();
        log.tick(1);

        assertThat(log.drainEvents()).extracting(e -> e.getGranted().getOwner()).containsExactly("b");
        assertThat(log.release("L", "a").getOutcome()).isEqualTo(LOCK_OUTCOME_LEASE_EXPIRED);
        assertThat(log.keepAlive("L", "a").getOutcome()).isEqualTo(LOCK_OUTCOME_LEASE_EXPIRED);
        assertThat(log.stats().getLeaseExpiries()).isEqualTo(1);
    }

    @Test
    void when_kept_alive_then_the_lease_is_extended_from_the_keepalive() {
        log.apply(LockLog.command(LockAcquire.newBuilder()
                .setLockId("L")
                .setOwner("a")
                .setMode(LOCK_MODE_EXCLUSIVE)
                .setTtlMs(5_000)
                .build()));
        log.tick(4_000);

        LockResult kept = log.keepAlive("L", "a");
        log.tick(4_000);

        assertThat(kept.getOutcome()).isEqualTo(LOCK_OUTCOME_OK);
        assertThat(kept.getGrant().getExpiresAtMillis()).isEqualTo(log.nowMillis - 4_000 + 5_000);
        assertThat(log.state("L").getHoldersList()).hasSize(1);
        log.tick(1_000);
        assertThat(log.state("L").getHoldersList()).isEmpty();
    }

    @Test
    void when_a_wait_reaches_its_deadline_in_log_time_then_it_ends_with_a_timeout_event() {
        log.exclusive("L", "a");
        log.acquire("L", "b", LOCK_MODE_EXCLUSIVE, 2_000, "b1");

        log.tick(2_000);

        LockEvent event = log.drainEvents().getFirst();
        assertThat(event.getAborted().getRequestId()).isEqualTo("b1");
        assertThat(event.getAborted().getOutcome()).isEqualTo(LOCK_OUTCOME_TIMEOUT);
        assertThat(log.state("L").getWaitersList()).isEmpty();
        assertThat(log.status("b1").getOutcome()).isEqualTo(LOCK_OUTCOME_TIMEOUT);
    }

    @Test
    void when_a_waiting_request_is_cancelled_then_it_leaves_the_queue_and_unblocks_those_behind() {
        log.shared("L", "r1");
        log.acquire("L", "w", LOCK_MODE_EXCLUSIVE, 10_000, "w1");
        log.acquire("L", "r2", LOCK_MODE_SHARED, 10_000, "r2");

        assertThat(log.cancel("w1", false).getOutcome()).isEqualTo(LOCK_OUTCOME_CANCELLED);

        // The canceller learns the ending from the result; only the unblocked reader hears an event.
        assertThat(log.drainEvents())
                .extracting(e -> e.getGranted().getRequestId())
                .containsExactly("r2");
        assertThat(log.status("w1").getOutcome()).isEqualTo(LOCK_OUTCOME_CANCELLED);
        assertThat(log.cancel("nope", false).getOutcome()).isEqualTo(LOCK_OUTCOME_UNKNOWN_REQUEST);
    }

    @Test
    void when_a_granted_request_is_cancelled_with_release_then_the_grant_is_given_back() {
        log.exclusive("L", "a");
        log.acquire("L", "b", LOCK_MODE_EXCLUSIVE, 10_000, "b1");
        log.release("L", "a");

        assertThat(log.cancel("b1", false).getOutcome()).isEqualTo(LOCK_OUTCOME_GRANTED);
        assertThat(log.cancel("b1", true).getOutcome()).isEqualTo(LOCK_OUTCOME_CANCELLED);
        assertThat(log.state("L").getHoldersList()).isEmpty();
    }

    @Test
    void when_a_session_is_closed_then_its_locks_are_released_and_its_waits_cancelled() {
        String session = log.openSession("a", 10_000).getSession().getSessionId();
        log.apply(LockLog.command(LockAcquire.newBuilder()
                .setLockId("L1")
                .setOwner("a")
                .setMode(LOCK_MODE_EXCLUSIVE)
                .setSessionId(session)
                .build()));
        log.exclusive("L2", "b");
        log.apply(LockLog.command(LockAcquire.newBuilder()
                .setLockId("L2")
                .setOwner("a")
                .setMode(LOCK_MODE_EXCLUSIVE)
                .setSessionId(session)
                .setWaitTimeoutMs(60_000)
                .setRequestId("a-L2")
                .build()));
        log.acquire("L1", "c", LOCK_MODE_EXCLUSIVE, 60_000, "c1");

        LockResult closed = log.closeSession(session);

        assertThat(closed.getCount()).isEqualTo(1);
        assertThat(log.drainEvents())
                .extracting(e -> e.hasAborted()
                        ? e.getAborted().getRequestId()
                        : e.getGranted().getRequestId())
                .containsExactly("a-L2", "c1");
        assertThat(log.keepAliveSession(session).getOutcome()).isEqualTo(LOCK_OUTCOME_SESSION_NOT_FOUND);
        assertThat(log.release("L1", "a").getOutcome()).isEqualTo(LOCK_OUTCOME_NOT_OWNER);
    }

    @Test
    void when_a_session_expires_then_its_locks_pass_on_and_are_reported_expired() {
        String session = log.openSession("a", 3_000).getSession().getSessionId();
        LockResult grant = log.apply(LockLog.command(LockAcquire.newBuilder()
                .setLockId("L")
                .setOwner("a")
                .setMode(LOCK_MODE_EXCLUSIVE)
                .setSessionId(session)
                .build()));
        assertThat(grant.getGrant().getExpiresAtMillis()).isEqualTo(log.nowMillis + 3_000);
        log.acquire("L", "b", LOCK_MODE_EXCLUSIVE, 60_000, "b1");
        log.tick(2_000);
        log.keepAliveSession(session);
        log.tick(2_000);
        assertThat(log.state("L").getHoldersList())
                .extracting(LockHolder::getOwner)
                .containsExactly("a");

        log.tick(1_000);

        assertThat(log.state("L").getHoldersList())
                .extracting(LockHolder::getOwner)
                .containsExactly("b");
        assertThat(log.release("L", "a").getOutcome()).isEqualTo(LOCK_OUTCOME_LEASE_EXPIRED);
        assertThat(log.keepAliveSession(session).getOutcome()).isEqualTo(LOCK_OUTCOME_LEASE_EXPIRED);
        assertThat(log.stats().getSessions()).isZero();
    }

    @Test
    void when_a_session_belongs_to_another_owner_then_acquiring_with_it_is_refused() {
        String session = log.openSession("a", 3_000).getSession().getSessionId();

        LockResult result = log.apply(LockLog.command(LockAcquire.newBuilder()
                .setLockId("L")
                .setOwner("b")
                .setMode(LOCK_MODE_EXCLUSIVE)
                .setSessionId(session)
                .build()));

        assertThat(result.getOutcome()).isEqualTo(LOCK_OUTCOME_NOT_OWNER);
    }

    @Test
    void when_a_grant_is_released_then_its_token_is_no_longer_valid() {
        long token = log.exclusive("L", "a").getGrant().getFencingToken();
        assertThat(log.valid("L", token)).isTrue();

        log.release("L", "a");

        assertThat(log.valid("L", token)).isFalse();
        long next = log.exclusive("L", "b").getGrant().getFencingToken();
        assertThat(next).isGreaterThan(token);
        assertThat(log.valid("L", token)).isFalse();
    }

    @Test
    void when_commands_are_malformed_then_they_are_refused_without_changing_state() {
        assertThat(log.acquire("", "a", LOCK_MODE_EXCLUSIVE, 0, "").getOutcome())
                .isEqualTo(LOCK_OUTCOME_INVALID);
        assertThat(log.acquire("L", "a", io.sinkron.proto.LockMode.LOCK_MODE_UNSPECIFIED, 0, "")
                        .getOutcome())
                .isEqualTo(LOCK_OUTCOME_INVALID);
        assertThat(log.acquire("L", "a", LOCK_MODE_EXCLUSIVE, 1_000, "").getOutcome())
                .isEqualTo(LOCK_OUTCOME_INVALID);
        assertThat(log.acquire("L", "a", LOCK_MODE_EXCLUSIVE, LockTable.MAX_WAIT_MILLIS + 1, "x")
                        .getOutcome())
                .isEqualTo(LOCK_OUTCOME_INVALID);
        assertThat(log.openSession("a", 0).getOutcome()).isEqualTo(LOCK_OUTCOME_INVALID);
        assertThat(log.apply(LockCommand.getDefaultInstance()).getOutcome()).isEqualTo(LOCK_OUTCOME_INVALID);
        assertThat(log.stats().getGrants()).isZero();
    }

    @Test
    void when_a_request_id_is_reused_then_the_second_request_is_refused() {
        log.exclusive("L", "a");
        log.acquire("L", "b", LOCK_MODE_EXCLUSIVE, 10_000, "dup");

        assertThat(log.acquire("L", "c", LOCK_MODE_EXCLUSIVE, 10_000, "dup").getOutcome())
                .isEqualTo(LOCK_OUTCOME_INVALID);
    }

    @Test
    void when_a_session_expires_in_the_entry_that_granted_to_it_then_the_next_grant_waits_for_a_later_index() {
        String session = log.openSession("b", 1_000).getSession().getSessionId();
        log.apply(LockLog.command(LockAcquire.newBuilder()
                .setLockId("L")
                .setOwner("a")
                .setMode(LOCK_MODE_EXCLUSIVE)
                .setTtlMs(1_000)
                .build()));
        log.apply(LockLog.command(LockAcquire.newBuilder()
                .setLockId("L")
                .setOwner("b")
                .setMode(LOCK_MODE_EXCLUSIVE)
                .setSessionId(session)
                .setWaitTimeoutMs(60_000)
                .setRequestId("b1")
                .build()));
        log.acquire("L", "c", LOCK_MODE_EXCLUSIVE, 60_000, "c1");

        // One clock entry ends a's lease (granting b under its session) and b's session.
        log.tick(1_000);
        long tickIndex = log.index;
        var events = log.drainEvents();
        assertThat(events).extracting(e -> e.getGranted().getRequestId()).containsExactly("b1");
        assertThat(events.getFirst().getGranted().getFencingToken()).isEqualTo(tickIndex);
        assertThat(log.state("L").getWaitersList())
                .extracting(LockWaiter::getRequestId)
                .containsExactly("c1");

        log.tick(1);

        LockEvent granted = log.drainEvents().getFirst();
        assertThat(granted.getGranted().getRequestId()).isEqualTo("c1");
        assertThat(granted.getGranted().getFencingToken()).isEqualTo(tickIndex + 1);
    }

    @Test
    void when_commands_come_in_a_batch_then_each_is_applied_in_order_and_answered_on_its_own() {
        log.exclusive("held", "x");

        LockResult batch = log.apply(batch(
                tryExclusive("A", "a"),
                tryExclusive("held", "b"),
                release("held", "x"),
                release("C", "c"),
                tryExclusive("B", "b")));

        assertThat(batch.getOutcome()).isEqualTo(LOCK_OUTCOME_OK);
        assertThat(batch.getBatchList())
                .extracting(LockResult::getOutcome)
                .containsExactly(
                        LOCK_OUTCOME_GRANTED,
                        LOCK_OUTCOME_TIMEOUT,
                        LOCK_OUTCOME_RELEASED,
                        LOCK_OUTCOME_NOT_OWNER,
                        LOCK_OUTCOME_GRANTED);
        assertThat(batch.getBatch(0).getGrant().getFencingToken()).isEqualTo(log.index);
        assertThat(batch.getBatch(4).getGrant().getFencingToken()).isEqualTo(log.index);
        assertThat(log.state("held").getHoldersList()).isEmpty();
        assertThat(log.state("A").getHoldersList())
                .extracting(LockHolder::getOwner)
                .containsExactly("a");
    }

    @Test
    void when_a_lock_is_granted_exclusively_in_a_batch_then_no_later_command_of_the_entry_is_granted_it_again() {
        LockResult batch = log.apply(batch(tryExclusive("L", "a"), release("L", "a"), tryExclusive("L", "b")));

        assertThat(batch.getBatchList())
                .extracting(LockResult::getOutcome)
                .containsExactly(LOCK_OUTCOME_GRANTED, LOCK_OUTCOME_RELEASED, LOCK_OUTCOME_TIMEOUT);
        long firstToken = batch.getBatch(0).getGrant().getFencingToken();

        LockResult next = log.exclusive("L", "b");
        assertThat(next.getOutcome()).isEqualTo(LOCK_OUTCOME_GRANTED);
        assertThat(next.getGrant().getFencingToken()).isGreaterThan(firstToken);
    }

    @Test
    void when_a_release_in_a_batch_hands_the_lock_to_a_waiter_then_the_waiter_has_the_batch_entry_as_token() {
        log.exclusive("L", "a");
        log.acquire("L", "w", LOCK_MODE_EXCLUSIVE, 10_000, "w1");
        log.drainEvents();

        LockResult batch = log.apply(batch(tryExclusive("M", "m"), release("L", "a")));

        assertThat(batch.getBatchList())
                .extracting(LockResult::getOutcome)
                .containsExactly(LOCK_OUTCOME_GRANTED, LOCK_OUTCOME_RELEASED);
        assertThat(log.drainEvents())
                .extracting(e -> e.getGranted().getFencingToken())
                .containsExactly(log.index);
    }

    @Test
    void when_a_batch_holds_a_batch_or_nothing_then_those_commands_are_invalid_and_the_rest_applies() {
        LockResult batch = log.apply(
                batch(batch(tryExclusive("A", "a")), LockCommand.getDefaultInstance(), tryExclusive("B", "b")));

        assertThat(batch.getBatchList())
                .extracting(LockResult::getOutcome)
                .containsExactly(LOCK_OUTCOME_INVALID, LOCK_OUTCOME_INVALID, LOCK_OUTCOME_GRANTED);
        assertThat(log.state("A").getHoldersList()).isEmpty();
        assertThat(log.apply(batch()).getBatchList()).isEmpty();
    }

    private static LockCommand batch(LockCommand... commands) {
        return LockCommand.newBuilder()
                .setBatch(LockBatch.newBuilder().addAllCommands(List.of(commands)))
                .build();
    }

    private static LockCommand tryExclusive(String lock, String owner) {
        return LockLog.command(LockAcquire.newBuilder()
                .setLockId(lock)
                .setOwner(owner)
                .setMode(LOCK_MODE_EXCLUSIVE)
                .build());
    }

    private static LockCommand release(String lock, String owner) {
        return LockCommand.newBuilder()
                .setRelease(LockRelease.newBuilder().setLockId(lock).setOwner(owner))
                .build();
    }

    @Test
    void when_registered_in_every_group_then_lock_commands_reach_it() {
        assertThat(StateMachines.create(60_000).get(LockStateMachine.NAME)).isInstanceOf(LockStateMachine.class);
    }
}
