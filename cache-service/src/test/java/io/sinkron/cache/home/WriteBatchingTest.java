package io.sinkron.cache.home;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.sinkron.client.ConsensusException;
import io.sinkron.client.KeyedBatching;
import io.sinkron.proto.CacheCommand;
import io.sinkron.proto.CacheResult;
import io.sinkron.proto.CacheWrite;
import io.sinkron.proto.CacheWriteBatchResult;
import io.sinkron.proto.CacheWriteOutcome;
import io.sinkron.proto.CacheWriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The cache's write batching: {@link KeyedBatching} in the form {@link CacheHome} gives it. */
class WriteBatchingTest {

    /** A home whose answers the test gives by hand, command by command. */
    private static final class ManualHome {
        final List<CacheCommand> commands = new ArrayList<>();
        final List<CompletableFuture<CacheResult>> answers = new ArrayList<>();

        synchronized CompletableFuture<CacheResult> submit(CacheCommand command) {
            commands.add(command);
            var answer = new CompletableFuture<CacheResult>();
            answers.add(answer);
            return answer;
        }

        /** The keys command {@code i} writes, in its order. */
        List<String> keys(int i) {
            CacheCommand command = commands.get(i);
            return command.hasWrite()
                    ? List.of(command.getWrite().getKey())
                    : command.getWriteBatch().getWritesList().stream()
                            .map(CacheWrite::getKey)
                            .toList();
        }

        /** Answers command {@code i} as the home would if every write applied, version 100 + i. */
        void applyAll(int i) {
            CacheCommand command = commands.get(i);
            if (command.hasWrite()) {
                answers.get(i).complete(applied(100 + i));
                return;
            }
            var results = CacheWriteBatchResult.newBuilder();
            command.getWriteBatch().getWritesList().forEach(write -> results.addResults(applied(100 + i)));
            answers.get(i)
                    .complete(CacheResult.newBuilder().setWriteBatch(results).build());
        }
    }

    private final ManualHome home = new ManualHome();

    private KeyedBatching<CacheWrite, CacheResult> coalescing(int inFlight, int maxItems, long maxBytes) {
        return CacheHome.writeBatching(home::submit, inFlight, maxItems, maxBytes);
    }

    @Test
    void when_a_write_finds_a_free_slot_then_it_goes_at_once_as_a_plain_write() throws Exception {
        var writes = coalescing(2, 100, 1 << 20);

        var result = writes.submit(put("k", "v"));

        assertThat(home.commands).hasSize(1);
        assertThat(home.commands.getFirst().hasWrite()).isTrue();
        assertThat(home.commands.getFirst().getWrite()).isEqualTo(put("k", "v"));
        home.applyAll(0);
        assertThat(result.get().getWrite().getVersion()).isEqualTo(100);
        assertThat(writes.pending()).isZero();
    }

    @Test
    void when_writes_arrive_while_every_slot_is_taken_then_they_go_together_and_each_gets_its_own_result()
            throws Exception {
        var writes = coalescing(1, 100, 1 << 20);
        var first = writes.submit(put("a", "1"));
        var second = writes.submit(put("b", "2"));
        var third = writes.submit(put("c", "3"));
        assertThat(home.commands).as("the later writes wait for the slot").hasSize(1);

        home.applyAll(0);

        assertThat(first.get().getWrite().getVersion()).isEqualTo(100);
        assertThat(home.commands).hasSize(2);
        assertThat(home.commands.get(1).hasWriteBatch()).isTrue();
        assertThat(home.keys(1)).containsExactly("b", "c");
        var results = CacheWriteBatchResult.newBuilder()
                .addResults(applied(201))
                .addResults(CacheResult.newBuilder()
                        .setWrite(CacheWriteResult.newBuilder()
                                .setOutcome(CacheWriteOutcome.CACHE_WRITE_OUTCOME_VERSION_MISMATCH)
                                .setVersion(7)))
                .build();
        home.answers
                .get(1)
                .complete(CacheResult.newBuilder().setWriteBatch(results).build());
        assertThat(second.get().getWrite().getVersion()).isEqualTo(201);
        assertThat(third.get().getWrite().getOutcome())
                .isEqualTo(CacheWriteOutcome.CACHE_WRITE_OUTCOME_VERSION_MISMATCH);
        assertThat(third.get().getWrite().getVersion()).isEqualTo(7);
        assertThat(writes.pending()).isZero();
    }

    @Test
    void when_a_key_is_written_twice_meanwhile_then_its_second_write_waits_for_the_next_command() throws Exception {
        var writes = coalescing(1, 100, 1 << 20);
        writes.submit(put("x", "0"));
        var k1 = writes.submit(put("k", "1"));
        var k2 = writes.submit(put("k", "2"));
        var other = writes.submit(put("j", "3"));

        home.applyAll(0);

        assertThat(home.keys(1))
                .as("one write per key; later keys do not wait behind it")
                .containsExactly("k", "j");
        assertThat(home.commands.get(1).getWriteBatch().getWrites(0).getValue().toStringUtf8())
                .isEqualTo("1");
        home.applyAll(1);
        assertThat(k1.get().getWrite().getVersion()).isEqualTo(101);
        assertThat(other.get().getWrite().getVersion()).isEqualTo(101);
        assertThat(k2).isNotDone();
        assertThat(home.keys(2)).containsExactly("k");
        assertThat(home.commands.get(2).getWrite().getValue().toStringUtf8()).isEqualTo("2");
        home.applyAll(2);
        assertThat(k2.get().getWrite().getVersion()).isEqualTo(102);
    }

    @Test
    void when_many_writes_wait_then_a_command_carries_at_most_the_item_and_byte_limits() {
        var writes = coalescing(1, 3, 30);
        writes.submit(put("first", "0"));
        for (int i = 0; i < 5; i++) {
            writes.submit(put("k" + i, "1234567"));
        }
        writes.submit(put("big", "x".repeat(100)));

        home.applyAll(0);
        assertThat(home.keys(1)).as("three items").containsExactly("k0", "k1", "k2");
        home.applyAll(1);
        assertThat(home.keys(2))
                .as("the byte limit leaves the big value for later")
                .containsExactly("k3", "k4");
        home.applyAll(2);
        assertThat(home.keys(3))
                .as("a single write over the byte limit still goes")
                .containsExactly("big");
        home.applyAll(3);
        assertThat(writes.pending()).isZero();
    }

    @Test
    void when_the_home_refuses_a_batch_whole_then_each_write_is_sent_again_alone() throws Exception {
        var writes = coalescing(1, 100, 1 << 20);
        writes.submit(put("x", "0"));
        var a = writes.submit(put("a", "1"));
        var b = writes.submit(put("b", "2"));
        home.applyAll(0);

        home.answers
                .get(1)
                .complete(CacheResult.newBuilder().setError("refused").build());

        assertThat(home.commands).hasSize(4);
        assertThat(home.commands.get(2).getWrite().getKey()).isEqualTo("a");
        assertThat(home.commands.get(3).getWrite().getKey()).isEqualTo("b");
        home.answers.get(2).complete(CacheResult.newBuilder().setError("bad a").build());
        home.applyAll(3);
        assertThat(a.get().getError()).isEqualTo("bad a");
        assertThat(b.get().getWrite().getVersion()).isEqualTo(103);
    }

    @Test
    void when_the_cluster_cannot_be_reached_then_every_write_of_the_command_fails_alike_and_the_next_goes()
            throws Exception {
        var writes = coalescing(1, 100, 1 << 20);
        writes.submit(put("x", "0"));
        var a = writes.submit(put("a", "1"));
        var b = writes.submit(put("b", "2"));
        var later = writes.submit(put("a", "3"));
        home.applyAll(0);
        var failure = new ConsensusException(ConsensusException.Reason.UNAVAILABLE, "no leader");

        home.answers.get(1).completeExceptionally(failure);

        assertThatThrownBy(a::get).isInstanceOf(ExecutionException.class).hasCause(failure);
        assertThatThrownBy(b::get).isInstanceOf(ExecutionException.class).hasCause(failure);
        assertThat(home.keys(2)).containsExactly("a");
        home.applyAll(2);
        assertThat(later.get().getWrite().getVersion()).isEqualTo(102);
    }

    @Test
    void when_the_home_answers_a_batch_with_the_wrong_number_of_results_then_its_writes_fail() {
        var writes = coalescing(1, 100, 1 << 20);
        writes.submit(put("x", "0"));
        var a = writes.submit(put("a", "1"));
        var b = writes.submit(put("b", "2"));
        home.applyAll(0);

        home.answers
                .get(1)
                .complete(CacheResult.newBuilder()
                        .setWriteBatch(CacheWriteBatchResult.newBuilder().addResults(applied(1)))
                        .build());

        assertThatThrownBy(a::get).hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(b::get).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(writes.pending()).isZero();
    }

    @Test
    void when_limits_are_not_positive_then_they_are_refused() {
        assertThatThrownBy(() -> coalescing(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> coalescing(1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> coalescing(1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static CacheWrite put(String key, String value) {
        return CacheWrite.newBuilder()
                .setSession(1)
                .setKey(key)
                .setValue(ByteString.copyFromUtf8(value))
                .build();
    }

    private static CacheResult applied(long version) {
        return CacheResult.newBuilder()
                .setWrite(CacheWriteResult.newBuilder()
                        .setOutcome(CacheWriteOutcome.CACHE_WRITE_OUTCOME_APPLIED)
                        .setVersion(version))
                .build();
    }
}
