package io.sinkron.consensus.statemachine.cache;

import static io.sinkron.proto.CacheLineState.CACHE_LINE_STATE_EXCLUSIVE;
import static io.sinkron.proto.CacheLineState.CACHE_LINE_STATE_INVALID;
import static io.sinkron.proto.CacheLineState.CACHE_LINE_STATE_MODIFIED;
import static io.sinkron.proto.CacheLineState.CACHE_LINE_STATE_SHARED;
import static io.sinkron.proto.CacheWriteOutcome.CACHE_WRITE_OUTCOME_APPLIED;
import static io.sinkron.proto.CacheWriteOutcome.CACHE_WRITE_OUTCOME_BUSY;
import static io.sinkron.proto.CacheWriteOutcome.CACHE_WRITE_OUTCOME_NOT_FOUND;
import static io.sinkron.proto.CacheWriteOutcome.CACHE_WRITE_OUTCOME_PENDING;
import static io.sinkron.proto.CacheWriteOutcome.CACHE_WRITE_OUTCOME_VERSION_MISMATCH;
import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.proto.CacheEvent;
import io.sinkron.proto.CacheHolder;
import io.sinkron.proto.CacheInvalidate;
import io.sinkron.proto.CacheKeyVersion;
import io.sinkron.proto.CacheQuery;
import io.sinkron.proto.CacheWrite;
import io.sinkron.proto.CacheWriteApplied;
import java.util.List;
import org.junit.jupiter.api.Test;

class CacheStateMachineTest {

    private static final long LEASE = 10_000;

    private final HomeLog home = new HomeLog();

    @Test
    void when_the_first_session_fills_a_key_then_it_holds_it_exclusive() {
        long a = home.register("a", LEASE);
        home.put(0, 0, "k", "v1");

        var fill = home.fill(a, 1, "k");

        assertThat(fill.getFound()).isTrue();
        assertThat(fill.getValue().toStringUtf8()).isEqualTo("v1");
        assertThat(fill.getCacheable()).isTrue();
        assertThat(fill.getState()).isEqualTo(CACHE_LINE_STATE_EXCLUSIVE);
        assertThat(holders("k")).containsExactly(holder(a, "a", CACHE_LINE_STATE_EXCLUSIVE));
    }

    @Test
    void when_a_second_session_fills_then_both_share_and_the_exclusive_holder_is_told() {
        long a = home.register("a", LEASE);
        long b = home.register("b", LEASE);
        long version = home.put(0, 0, "k", "v1").getVersion();
        home.fill(a, 1, "k");

        var fill = home.fill(b, 1, "k");

        assertThat(fill.getState()).isEqualTo(CACHE_LINE_STATE_SHARED);
        assertThat(holders("k"))
                .containsExactly(holder(a, "a", CACHE_LINE_STATE_SHARED), holder(b, "b", CACHE_LINE_STATE_SHARED));
        assertThat(home.events).last().satisfies(event -> {
            assertThat(event.getLineStates().getKey()).isEqualTo("k");
            assertThat(event.getLineStates().getVersion()).isEqualTo(version);
            assertThat(event.getLineStates().getHoldersList()).containsExactly(holder(a, "a", CACHE_LINE_STATE_SHARED));
        });
    }

    @Test
    void when_nobody_else_holds_the_key_then_a_write_applies_at_once_and_the_writer_holds_it_modified() {
        long a = home.register("a", LEASE);

        var write = home.put(a, 5, "k", "v1");

        assertThat(write.getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_APPLIED);
        assertThat(write.getVersion()).isEqualTo(home.index);
        assertThat(home.value("k")).isEqualTo("v1");
        assertThat(home.get("k").getVersion()).isEqualTo(write.getVersion());
        assertThat(holders("k")).containsExactly(holder(a, "a", CACHE_LINE_STATE_MODIFIED));
        // The write was never pending, so no writer can be waiting for it: nothing to announce.
        assertThat(home.events).isEmpty();
    }

    @Test
    void when_the_modified_holder_writes_again_then_its_own_line_needs_no_invalidation() {
        long a = home.register("a", LEASE);
        home.put(a, 1, "k", "v1");

        var second = home.put(a, 2, "k", "v2");

        assertThat(second.getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_APPLIED);
        assertThat(holders("k")).containsExactly(holder(a, "a", CACHE_LINE_STATE_MODIFIED));
    }

    @Test
    void when_another_session_reads_a_modified_line_then_the_writer_is_downgraded_to_shared() {
        long a = home.register("a", LEASE);
        long b = home.register("b", LEASE);
        home.put(a, 1, "k", "v1");

        home.fill(b, 1, "k");

        assertThat(holders("k"))
                .containsExactly(holder(a, "a", CACHE_LINE_STATE_SHARED), holder(b, "b", CACHE_LINE_STATE_SHARED));
    }

    @Test
    void when_other_sessions_hold_the_key_then_a_write_waits_and_the_old_value_stays_committed() {
        long a = home.register("a", LEASE);
        long b = home.register("b", LEASE);
        long c = home.register("c", LEASE);
        home.put(0, 0, "k", "v1");
        home.fill(a, 1, "k");
        home.fill(b, 1, "k");

        var write = home.put(c, 1, "k", "v2");

        assertThat(write.getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_PENDING);
        assertThat(write.getAwaitingList()).containsExactly(a, b);
        assertThat(home.events).last().isEqualTo(invalidate("k", write.getVersion(), a, b));
        assertThat(home.value("k"))
                .as("not in effect before the holders dropped it")
                .isEqualTo("v1");
        assertThat(home.get("k").getPendingVersion()).isEqualTo(write.getVersion());
        assertThat(home.writeApplied("k", write.getVersion())).isFalse();
        assertThat(home.directory("k").getHoldersList()).isEmpty();
        assertThat(home.directory("k").getAwaitingList()).containsExactly(a, b);
    }

    @Test
    void when_a_write_is_pending_then_fills_are_not_cacheable_and_other_writes_are_busy() {
        long a = home.register("a", LEASE);
        long b = home.register("b", LEASE);
        home.put(0, 0, "k", "v1");
        home.fill(a, 1, "k");
        long pending = home.put(b, 1, "k", "v2").getVersion();

        var fill = home.fill(b, 2, "k");
        var other = home.put(b, 3, "k", "v3");

        assertThat(fill.getValue().toStringUtf8()).isEqualTo("v1");
        assertThat(fill.getCacheable()).isFalse();
        assertThat(fill.getState()).isEqualTo(CACHE_LINE_STATE_INVALID);
        assertThat(other.getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_BUSY);
        assertThat(other.getVersion()).isEqualTo(pending);
        assertThat(home.directory("k").getHoldersList()).isEmpty();
    }

    @Test
    void when_every_holder_acknowledged_then_the_write_takes_effect_and_the_writer_holds_it_modified() {
        long a = home.register("a", LEASE);
        long b = home.register("b", LEASE);
        long c = home.register("c", LEASE);
        home.put(0, 0, "k", "v1");
        home.fill(a, 1, "k");
        home.fill(b, 1, "k");
        long version = home.put(c, 7, "k", "v2").getVersion();

        home.ack(a, "k", version);
        assertThat(home.value("k")).isEqualTo("v1");
        home.ack(b, "k", version);

        assertThat(home.value("k")).isEqualTo("v2");
        assertThat(home.get("k").getVersion()).isEqualTo(version);
        assertThat(home.writeApplied("k", version)).isTrue();
        assertThat(home.events).last().isEqualTo(applied("k", version, false));
        assertThat(holders("k")).containsExactly(holder(c, "c", CACHE_LINE_STATE_MODIFIED));
    }

    @Test
    void when_an_acknowledgement_names_another_version_or_repeats_then_it_changes_nothing() {
        long a = home.register("a", LEASE);
        long b = home.register("b", LEASE);
        home.put(0, 0, "k", "v1");
        home.fill(a, 1, "k");
        home.fill(b, 1, "k");
        long version = home.put(0, 0, "k", "v2").getVersion();

        home.ack(a, "k", version - 1);
        home.ack(a, "k", version);
        home.ack(a, "k", version);

        assertThat(home.value("k")).isEqualTo("v1");
        assertThat(home.directory("k").getAwaitingList()).containsExactly(b);
    }

    @Test
    void when_a_holder_never_acknowledges_then_the_write_takes_effect_when_its_lease_expires() {
        long a = home.register("a", LEASE);
        home.put(0, 0, "k", "v1");
        home.fill(a, 1, "k");
        long version = home.put(0, 0, "k", "v2").getVersion();

        home.advance(LEASE - 1);
        assertThat(home.value("k")).isEqualTo("v1");
        home.advance(1);

        assertThat(home.value("k")).isEqualTo("v2");
        assertThat(home.keepAlive(a).getAlive()).isFalse();
        assertThat(home.events).last().isEqualTo(applied("k", version, false));
    }

    @Test
    void when_a_session_keeps_alive_then_its_lease_is_extended_from_the_keepalive() {
        long a = home.register("a", LEASE);
        home.advance(LEASE - 1);
        assertThat(home.keepAlive(a).getAlive()).isTrue();

        home.advance(LEASE - 1);
        assertThat(home.machine.sessionCount()).isEqualTo(1);
        home.advance(1);
        assertThat(home.machine.sessionCount()).isZero();
    }

    @Test
    void when_a_keepalive_arrives_then_it_lists_the_invalidations_the_session_owes() {
        long a = home.register("a", LEASE);
        home.put(0, 0, "k", "v1");
        home.put(0, 0, "j", "w1");
        home.fill(a, 1, "k");
        home.fill(a, 2, "j");
        long version = home.put(0, 0, "k", "v2").getVersion();

        var keepAlive = home.keepAlive(a);

        assertThat(keepAlive.getOwedList())
                .containsExactly(CacheKeyVersion.newBuilder()
                        .setKey("k")
                        .setVersion(version)
                        .build());
    }

    @Test
    void when_a_holder_evicts_its_line_then_it_leaves_the_directory_and_the_last_holder_is_exclusive() {
        long a = home.register("a", LEASE);
        long b = home.register("b", LEASE);
        home.put(0, 0, "k", "v1");
        home.fill(a, 3, "k");
        home.fill(b, 1, "k");

        home.evict(a, "k", 3);

        assertThat(holders("k")).containsExactly(holder(b, "b", CACHE_LINE_STATE_EXCLUSIVE));
        assertThat(home.put(0, 0, "k", "v2").getAwaitingList()).containsExactly(b);
    }

    @Test
    void when_an_eviction_is_older_than_the_registration_then_the_registration_stays() {
        long a = home.register("a", LEASE);
        home.put(0, 0, "k", "v1");
        home.fill(a, 4, "k");

        home.evict(a, "k", 3);

        assertThat(holders("k")).containsExactly(holder(a, "a", CACHE_LINE_STATE_EXCLUSIVE));
    }

    @Test
    void when_the_writer_holds_a_registration_newer_than_its_write_then_the_write_waits_for_it_too() {
        // The writer's fill of epoch 9 started after the write of epoch 8: the writer may install
        // that fill's line, so the write must not take effect before the writer drops it.
        long a = home.register("a", LEASE);
        home.put(0, 0, "k", "v1");
        home.fill(a, 9, "k");

        var write = home.put(a, 8, "k", "v2");

        assertThat(write.getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_PENDING);
        assertThat(write.getAwaitingList()).containsExactly(a);
    }

    @Test
    void when_the_expected_version_differs_then_the_write_is_refused_with_the_current_version() {
        long version = home.put(0, 0, "k", "v1").getVersion();

        var stale = home.write(0, 0, "k", "v2", 0, version + 1);
        var absent = home.write(0, 0, "nope", "v2", 0, version);
        var matching = home.write(0, 0, "k", "v2", 0, version);

        assertThat(stale.getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_VERSION_MISMATCH);
        assertThat(stale.getVersion()).isEqualTo(version);
        assertThat(absent.getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_VERSION_MISMATCH);
        assertThat(absent.getVersion()).isZero();
        assertThat(matching.getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_APPLIED);
        assertThat(home.value("k")).isEqualTo("v2");
        assertThat(home.value("nope")).isNull();
    }

    @Test
    void when_a_write_requires_the_key_to_exist_then_it_is_refused_for_an_absent_key() {
        var write = home.write(CacheWrite.newBuilder()
                .setKey("k")
                .setRequireExists(true)
                .setValue(com.google.protobuf.ByteString.copyFromUtf8("v"))
                .build());

        assertThat(write.getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_VERSION_MISMATCH);
        assertThat(home.value("k")).isNull();
    }

    @Test
    void when_an_absent_key_is_deleted_then_it_is_not_found() {
        assertThat(home.delete(0, 0, "k").getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_NOT_FOUND);
        assertThat(home.events).isEmpty();
    }

    @Test
    void when_a_held_key_is_deleted_then_it_disappears_once_the_holder_acknowledged() {
        long a = home.register("a", LEASE);
        home.put(0, 0, "k", "v1");
        home.fill(a, 1, "k");

        long version = home.delete(0, 0, "k").getVersion();
        assertThat(home.value("k")).isEqualTo("v1");
        home.ack(a, "k", version);

        assertThat(home.value("k")).isNull();
        assertThat(home.events).last().isEqualTo(applied("k", version, true));
        assertThat(home.directory("k").getFound()).isFalse();
    }

    @Test
    void when_a_ttl_runs_out_and_nobody_holds_the_key_then_it_is_gone() {
        home.write(0, 0, "k", "v1", 500, null);

        home.advance(499);
        assertThat(home.value("k")).isEqualTo("v1");
        home.advance(1);

        assertThat(home.value("k")).isNull();
    }

    @Test
    void when_a_ttl_runs_out_on_a_held_key_then_the_holders_are_invalidated_before_it_disappears() {
        long a = home.register("a", LEASE);
        home.write(0, 0, "k", "v1", 500, null);
        home.fill(a, 1, "k");

        home.advance(500);

        var invalidation = home.events.getLast().getInvalidate();
        assertThat(invalidation.getSessionsList()).containsExactly(a);
        assertThat(home.value("k"))
                .as("still in effect until the holder dropped it")
                .isEqualTo("v1");
        home.ack(a, "k", invalidation.getVersion());
        assertThat(home.value("k")).isNull();
    }

    @Test
    void when_a_value_is_rewritten_then_only_the_new_ttl_counts() {
        home.write(0, 0, "k", "v1", 500, null);
        home.advance(400);
        home.write(0, 0, "k", "v2", 500, null);

        home.advance(400);
        assertThat(home.value("k")).isEqualTo("v2");
        home.advance(100);
        assertThat(home.value("k")).isNull();
    }

    @Test
    void when_an_instance_registers_again_replacing_its_session_then_the_old_one_ends_at_once() {
        long old = home.register("a", LEASE);
        home.put(0, 0, "k", "v1");
        home.fill(old, 1, "k");
        long version = home.put(0, 0, "k", "v2").getVersion();

        long replacement = home.register("a", LEASE, old).getSession();

        assertThat(replacement).isNotEqualTo(old);
        assertThat(home.keepAlive(old).getAlive()).isFalse();
        assertThat(home.value("k")).isEqualTo("v2");
        assertThat(home.writeApplied("k", version)).isTrue();
    }

    @Test
    void when_another_instance_names_a_session_to_replace_then_that_session_survives() {
        long a = home.register("a", LEASE);

        home.register("b", LEASE, a);

        assertThat(home.keepAlive(a).getAlive()).isTrue();
    }

    @Test
    void when_a_session_deregisters_then_it_leaves_the_directory_and_no_write_waits_for_it() {
        long a = home.register("a", LEASE);
        long b = home.register("b", LEASE);
        home.put(0, 0, "k", "v1");
        home.fill(a, 1, "k");
        home.fill(b, 1, "k");
        long version = home.put(0, 0, "k", "v2").getVersion();
        home.ack(b, "k", version);

        home.deregister(a);

        assertThat(home.value("k")).isEqualTo("v2");
        assertThat(home.machine.sessionCount()).isEqualTo(1);
    }

    @Test
    void when_a_session_is_unknown_then_fills_are_not_cacheable() {
        home.put(0, 0, "k", "v1");

        var fill = home.fill(42, 1, "k");

        assertThat(fill.getFound()).isTrue();
        assertThat(fill.getCacheable()).isFalse();
        assertThat(home.directory("k").getHoldersList()).isEmpty();
    }

    @Test
    void when_writes_of_different_keys_travel_as_one_batch_then_each_has_the_result_it_would_have_alone() {
        long a = home.register("a", LEASE);
        long b = home.register("b", LEASE);
        home.put(0, 0, "held", "h1");
        home.fill(b, 1, "held");
        home.put(0, 0, "busy", "b1");
        home.fill(b, 2, "busy");
        long busyVersion = home.put(0, 0, "busy", "b2").getVersion();
        long casVersion = home.put(0, 0, "cas", "c1").getVersion();
        home.events.clear();

        var results = home.writeBatch(
                        HomeLog.putOf(a, 3, "new", "n1"),
                        HomeLog.putOf(a, 4, "held", "h2"),
                        HomeLog.putOf(a, 5, "busy", "b3"),
                        HomeLog.putOf(a, 6, "cas", "c2").toBuilder()
                                .setExpectedVersion(casVersion + 1)
                                .build(),
                        CacheWrite.newBuilder()
                                .setSession(a)
                                .setEpoch(7)
                                .setKey("absent")
                                .setDelete(true)
                                .build(),
                        HomeLog.putOf(a, 8, "", "no key"),
                        HomeLog.putOf(a, 9, "cas2", "d1"))
                .getWriteBatch()
                .getResultsList();
        long batch = home.index;

        assertThat(results).hasSize(7);
        assertThat(results.get(0).getWrite().getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_APPLIED);
        assertThat(results.get(0).getWrite().getVersion()).isEqualTo(batch);
        assertThat(results.get(1).getWrite().getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_PENDING);
        assertThat(results.get(1).getWrite().getVersion()).isEqualTo(batch);
        assertThat(results.get(1).getWrite().getAwaitingList()).containsExactly(b);
        assertThat(results.get(2).getWrite().getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_BUSY);
        assertThat(results.get(2).getWrite().getVersion()).isEqualTo(busyVersion);
        assertThat(results.get(3).getWrite().getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_VERSION_MISMATCH);
        assertThat(results.get(3).getWrite().getVersion()).isEqualTo(casVersion);
        assertThat(results.get(4).getWrite().getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_NOT_FOUND);
        assertThat(results.get(5).hasError()).isTrue();
        assertThat(results.get(6).getWrite().getOutcome()).isEqualTo(CACHE_WRITE_OUTCOME_APPLIED);

        assertThat(home.value("new")).isEqualTo("n1");
        assertThat(home.value("cas2")).isEqualTo("d1");
        assertThat(holders("new")).containsExactly(holder(a, "a", CACHE_LINE_STATE_MODIFIED));
        assertThat(home.value("held")).as("pending until b acknowledges").isEqualTo("h1");
        assertThat(home.value("busy")).isEqualTo("b1");
        assertThat(home.value("cas")).isEqualTo("c1");
        assertThat(home.events).containsExactly(invalidate("held", batch, b));

        home.ack(b, "held", batch);
        assertThat(home.value("held")).isEqualTo("h2");
        assertThat(home.get("held").getVersion()).isEqualTo(batch);
        assertThat(home.events).last().isEqualTo(applied("held", batch, false));
        assertThat(holders("held")).containsExactly(holder(a, "a", CACHE_LINE_STATE_MODIFIED));
    }

    @Test
    void when_a_batch_writes_a_key_twice_then_it_is_refused_whole_without_changing_anything() {
        long a = home.register("a", LEASE);
        byte[] before = home.snapshot();

        var result = home.writeBatch(
                HomeLog.putOf(a, 1, "k", "v1"), HomeLog.putOf(a, 2, "j", "w1"), HomeLog.putOf(a, 3, "k", "v2"));

        assertThat(result.hasError()).isTrue();
        assertThat(result.getError()).contains("twice");
        assertThat(home.snapshot()).isEqualTo(before);
        assertThat(home.value("k")).isNull();
        assertThat(home.value("j")).isNull();
        assertThat(home.events).isEmpty();
        assertThat(home.writeBatch().hasError()).as("an empty batch").isTrue();
    }

    @Test
    void when_a_batch_was_applied_then_a_restored_copy_carries_on_identically() {
        long a = home.register("a", LEASE);
        long b = home.register("b", LEASE);
        home.put(0, 0, "held", "h1");
        home.fill(b, 1, "held");
        home.writeBatch(HomeLog.putOf(a, 2, "held", "h2"), HomeLog.putOf(a, 3, "free", "f1"));
        long batch = home.index;

        HomeLog copy = home.restoredCopy();

        assertThat(copy.snapshot()).isEqualTo(home.snapshot());
        assertThat(copy.keepAlive(b).getOwedList()).hasSize(1);
        copy.ack(b, "held", batch);
        assertThat(copy.value("held")).isEqualTo("h2");
        assertThat(copy.value("free")).isEqualTo("f1");
    }

    @Test
    void when_a_writer_rewrites_and_deletes_its_own_lines_then_its_session_still_ends_cleanly() {
        long a = home.register("a", LEASE);
        long b = home.register("b", LEASE);
        home.put(a, 1, "k", "v1");
        home.put(a, 2, "k", "v2");
        home.put(a, 3, "gone", "g1");
        home.delete(a, 4, "gone");
        home.put(a, 5, "shared", "s1");
        home.fill(b, 1, "shared");
        long pending = home.put(a, 6, "shared", "s2").getVersion();
        assertThat(holders("k")).containsExactly(holder(a, "a", CACHE_LINE_STATE_MODIFIED));

        home.deregister(a);

        assertThat(holders("k")).isEmpty();
        assertThat(home.value("k")).isEqualTo("v2");
        assertThat(home.value("gone")).isNull();
        home.ack(b, "shared", pending);
        assertThat(home.value("shared")).isEqualTo("s2");
        assertThat(holders("shared")).as("the writer's session has ended").isEmpty();
        assertThat(home.restoredCopy().snapshot()).isEqualTo(home.snapshot());
    }

    @Test
    void when_commands_are_malformed_then_they_are_refused_without_changing_anything() {
        assertThat(home.submit(new byte[] {(byte) 0xff, 0x01}).hasError()).isTrue();
        assertThat(home.submit(io.sinkron.proto.CacheCommand.getDefaultInstance())
                        .hasError())
                .isTrue();
        assertThat(home.register("", LEASE)).isZero();
        assertThat(home.register("a", 0)).isZero();
        assertThat(home.register("a", CacheStateMachine.MAX_LEASE_MILLIS + 1)).isZero();
        assertThat(home.fill(0, 0, "").getFound()).isFalse();
        assertThat(home.query(CacheQuery.getDefaultInstance()).hasError()).isTrue();
        assertThat(home.machine.sessionCount()).isZero();
    }

    @Test
    void when_restored_from_a_snapshot_then_pending_writes_sessions_and_ttls_carry_on() {
        long a = home.register("a", LEASE);
        long b = home.register("b", LEASE);
        home.write(0, 0, "ttl", "t", 5_000, null);
        home.put(0, 0, "k", "v1");
        home.fill(a, 1, "k");
        home.fill(b, 1, "k");
        long version = home.put(a, 2, "k", "v2").getVersion();

        HomeLog copy = home.restoredCopy();

        assertThat(copy.snapshot()).isEqualTo(home.snapshot());
        assertThat(copy.keepAlive(a).getOwedList()).isEmpty();
        assertThat(copy.keepAlive(b).getOwedList()).hasSize(1);
        copy.ack(b, "k", version);
        assertThat(copy.value("k")).isEqualTo("v2");
        assertThat(holders(copy, "k")).containsExactly(holder(a, "a", CACHE_LINE_STATE_MODIFIED));
        copy.advance(5_000);
        assertThat(copy.value("ttl")).isNull();
    }

    private List<CacheHolder> holders(String key) {
        return holders(home, key);
    }

    private static List<CacheHolder> holders(HomeLog log, String key) {
        return log.directory(key).getHoldersList();
    }

    private static CacheHolder holder(long session, String instance, io.sinkron.proto.CacheLineState state) {
        return CacheHolder.newBuilder()
                .setSession(session)
                .setInstanceId(instance)
                .setState(state)
                .build();
    }

    private static CacheEvent applied(String key, long version, boolean deleted) {
        return CacheEvent.newBuilder()
                .setApplied(CacheWriteApplied.newBuilder()
                        .setKey(key)
                        .setVersion(version)
                        .setDeleted(deleted))
                .build();
    }

    private static CacheEvent invalidate(String key, long version, Long... sessions) {
        return CacheEvent.newBuilder()
                .setInvalidate(CacheInvalidate.newBuilder()
                        .setKey(key)
                        .setVersion(version)
                        .addAllSessions(List.of(sessions)))
                .build();
    }
}
