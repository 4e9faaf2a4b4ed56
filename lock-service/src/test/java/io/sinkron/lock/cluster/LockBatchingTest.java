package io.sinkron.lock.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.client.ConsensusException;
import io.sinkron.client.KeyedBatching;
import io.sinkron.proto.LockAcquire;
import io.sinkron.proto.LockCommand;
import io.sinkron.proto.LockGrant;
import io.sinkron.proto.LockOutcome;
import io.sinkron.proto.LockRelease;
import io.sinkron.proto.LockResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Lock commands batched: {@link KeyedBatching} in the form {@link LockCluster} gives it. */
class LockBatchingTest {

    /** A cluster whose answers the test gives by hand, command by command. */
    private static final class ManualCluster {
        final List<LockCommand> commands = new ArrayList<>();
        final List<CompletableFuture<LockResult>> answers = new ArrayList<>();

        synchronized CompletableFuture<LockResult> submit(LockCommand command) {
            commands.add(command);
            var answer = new CompletableFuture<LockResult>();
            answers.add(answer);
            return answer;
        }

        /** The lock ids command {@code i} carries, in order. */
        List<String> locks(int i) {
            LockCommand command = commands.get(i);
            List<LockCommand> carried = command.hasBatch() ? command.getBatch().getCommandsList() : List.of(command);
            return carried.stream().map(LockCluster::lockOf).toList();
        }

        /** Answers command {@code i} as the state machine would if every acquire were granted. */
        void grantAll(int i) {
            LockCommand command = commands.get(i);
            if (!command.hasBatch()) {
                answers.get(i).complete(answer(command));
                return;
            }
            var result = LockResult.newBuilder().setOutcome(LockOutcome.LOCK_OUTCOME_OK);
            command.getBatch().getCommandsList().forEach(c -> result.addBatch(answer(c)));
            answers.get(i).complete(result.build());
        }

        private LockResult answer(LockCommand command) {
            if (command.hasRelease()) {
                return LockResult.newBuilder()
                        .setOutcome(LockOutcome.LOCK_OUTCOME_RELEASED)
                        .build();
            }
            return LockResult.newBuilder()
                    .setOutcome(LockOutcome.LOCK_OUTCOME_GRANTED)
                    .setGrant(LockGrant.newBuilder()
                            .setLockId(command.getAcquire().getLockId())
                            .setOwner(command.getAcquire().getOwner())
                            .setFencingToken(100 + commands.indexOf(command)))
                    .build();
        }
    }

    private final ManualCluster cluster = new ManualCluster();

    private KeyedBatching<LockCommand, LockResult> batching(int inFlight, int maxCommands) {
        return LockCluster.batching(cluster::submit, inFlight, maxCommands);
    }

    private static LockCommand acquire(String lock, String owner) {
        return LockCommand.newBuilder()
                .setAcquire(LockAcquire.newBuilder().setLockId(lock).setOwner(owner))
                .build();
    }

    private static LockCommand release(String lock, String owner) {
        return LockCommand.newBuilder()
                .setRelease(LockRelease.newBuilder().setLockId(lock).setOwner(owner))
                .build();
    }

    private CompletableFuture<LockResult> submit(KeyedBatching<LockCommand, LockResult> batching, LockCommand command) {
        return batching.submit(command);
    }

    @Test
    void when_a_command_comes_alone_then_it_goes_at_once_as_itself() throws Exception {
        var batching = batching(4, 256);

        var result = submit(batching, acquire("L", "a"));

        assertThat(cluster.commands).containsExactly(acquire("L", "a"));
        cluster.grantAll(0);
        assertThat(result.get().getGrant().getOwner()).isEqualTo("a");
        assertThat(batching.pending()).isZero();
    }

    @Test
    void when_every_slot_is_out_then_later_commands_wait_and_go_together_each_answered_on_its_own() throws Exception {
        var batching = batching(1, 256);
        var first = submit(batching, acquire("A", "a"));
        var second = submit(batching, acquire("B", "b"));
        var third = submit(batching, release("C", "c"));
        var fourth = submit(batching, acquire("D", "d"));
        assertThat(cluster.commands).hasSize(1);
        assertThat(batching.pending()).isEqualTo(4);

        cluster.grantAll(0);

        assertThat(first.get().getGrant().getOwner()).isEqualTo("a");
        assertThat(cluster.commands).hasSize(2);
        assertThat(cluster.locks(1)).containsExactly("B", "C", "D");
        assertThat(second).isNotDone();
        cluster.grantAll(1);
        assertThat(second.get().getGrant().getOwner()).isEqualTo("b");
        assertThat(third.get().getOutcome()).isEqualTo(LockOutcome.LOCK_OUTCOME_RELEASED);
        assertThat(fourth.get().getGrant().getOwner()).isEqualTo("d");
        assertThat(batching.pending()).isZero();
    }

    @Test
    void when_two_commands_of_one_lock_wait_then_they_go_in_different_batches_in_their_order() throws Exception {
        var batching = batching(1, 256);
        submit(batching, acquire("X", "x"));
        var acquireL = submit(batching, acquire("L", "a"));
        var releaseL = submit(batching, release("L", "a"));
        var acquireM = submit(batching, acquire("M", "m"));

        cluster.grantAll(0);
        assertThat(cluster.locks(1)).containsExactly("L", "M");
        cluster.grantAll(1);
        assertThat(cluster.locks(2)).containsExactly("L");
        assertThat(cluster.commands.get(2)).isEqualTo(release("L", "a"));
        cluster.grantAll(2);

        assertThat(acquireL.get().getOutcome()).isEqualTo(LockOutcome.LOCK_OUTCOME_GRANTED);
        assertThat(acquireM.get().getOutcome()).isEqualTo(LockOutcome.LOCK_OUTCOME_GRANTED);
        assertThat(releaseL.get().getOutcome()).isEqualTo(LockOutcome.LOCK_OUTCOME_RELEASED);
    }

    @Test
    void when_more_commands_wait_than_a_batch_carries_then_the_oldest_go_first() {
        var batching = batching(1, 2);
        submit(batching, acquire("X", "x"));
        for (String lock : List.of("A", "B", "C", "D", "E")) {
            submit(batching, acquire(lock, "o"));
        }

        cluster.grantAll(0);
        cluster.grantAll(1);
        cluster.grantAll(2);

        assertThat(cluster.locks(1)).containsExactly("A", "B");
        assertThat(cluster.locks(2)).containsExactly("C", "D");
        assertThat(cluster.locks(3)).containsExactly("E");
    }

    @Test
    void when_the_cluster_cannot_be_reached_then_every_command_of_the_batch_fails_with_that_error() {
        var batching = batching(1, 256);
        submit(batching, acquire("X", "x"));
        var a = submit(batching, acquire("A", "a"));
        var b = submit(batching, acquire("B", "b"));
        cluster.grantAll(0);

        var unreachable = new ConsensusException(ConsensusException.Reason.DEADLINE_EXCEEDED, "no leader answered");
        cluster.answers.get(1).completeExceptionally(unreachable);

        for (var result : List.of(a, b)) {
            assertThatThrownBy(result::get)
                    .isInstanceOf(ExecutionException.class)
                    .hasCause(unreachable);
        }
        assertThat(batching.pending()).isZero();
    }

    @Test
    void when_the_answer_does_not_match_the_batch_then_every_command_fails_rather_than_get_another_result() {
        var batching = batching(1, 256);
        submit(batching, acquire("X", "x"));
        var a = submit(batching, acquire("A", "a"));
        var b = submit(batching, acquire("B", "b"));
        cluster.grantAll(0);

        cluster.answers
                .get(1)
                .complete(LockResult.newBuilder()
                        .setOutcome(LockOutcome.LOCK_OUTCOME_INVALID)
                        .setMessage("malformed lock command")
                        .build());

        for (var result : List.of(a, b)) {
            assertThatThrownBy(result::get)
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("0 results for a batch of 2");
        }
    }

    @Test
    void when_limits_are_not_positive_then_construction_is_refused() {
        assertThatThrownBy(() -> batching(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> batching(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
