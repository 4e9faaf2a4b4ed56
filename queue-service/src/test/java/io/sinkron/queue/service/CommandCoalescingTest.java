package io.sinkron.queue.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.sinkron.client.ConsensusException;
import io.sinkron.proto.QueueCommand;
import io.sinkron.proto.QueueEnqueue;
import io.sinkron.proto.QueueEnqueued;
import io.sinkron.proto.QueueNewMessage;
import io.sinkron.proto.QueueResult;
import io.sinkron.proto.QueueStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class CommandCoalescingTest {

    /** A cluster whose answers the test gives by hand, command by command. */
    private static final class ManualCluster {
        final List<QueueCommand> commands = new ArrayList<>();
        final List<CompletableFuture<QueueResult>> answers = new ArrayList<>();

        synchronized CompletableFuture<QueueResult> submit(QueueCommand command) {
            commands.add(command);
            var answer = new CompletableFuture<QueueResult>();
            answers.add(answer);
            return answer;
        }

        List<String> bodies(int command) {
            return commands.get(command).getEnqueue().getMessagesList().stream()
                    .map(m -> m.getBody().toStringUtf8())
                    .toList();
        }

        /** Applies command {@code i} as the state machine would: every message enqueued, ids "i-position". */
        void applyAll(int i) {
            var result = QueueResult.newBuilder();
            var messages = commands.get(i).getEnqueue().getMessagesList();
            for (int p = 0; p < messages.size(); p++) {
                result.addEnqueued(
                        QueueEnqueued.newBuilder().setMessageId(i + "-" + p).setSequence(p + 1L));
            }
            answers.get(i).complete(result.build());
        }

        void refuse(int i, QueueStatus status, String detail) {
            answers.get(i)
                    .complete(QueueResult.newBuilder()
                            .setStatus(status)
                            .setDetail(detail)
                            .build());
        }
    }

    private static final CommandCoalescing.Form<QueueNewMessage, QueueEnqueued> ENQUEUE =
            new CommandCoalescing.Form<>() {
                @Override
                public QueueCommand command(String queue, List<QueueNewMessage> items) {
                    return QueueCommand.newBuilder()
                            .setEnqueue(
                                    QueueEnqueue.newBuilder().setQueue(queue).addAllMessages(items))
                            .build();
                }

                @Override
                public List<QueueEnqueued> outcomes(QueueResult result) {
                    return result.getEnqueuedList();
                }
            };

    private final ManualCluster cluster = new ManualCluster();

    private CommandCoalescing<QueueNewMessage, QueueEnqueued> coalescing(int inFlight, int maxItems, long maxBytes) {
        return new CommandCoalescing<>(ENQUEUE, cluster::submit, inFlight, maxItems, maxBytes);
    }

    private static List<QueueNewMessage> messages(String... bodies) {
        return java.util.Arrays.stream(bodies)
                .map(b -> QueueNewMessage.newBuilder()
                        .setBody(ByteString.copyFromUtf8(b))
                        .build())
                .toList();
    }

    private static List<String> ids(CompletableFuture<List<QueueEnqueued>> outcome) throws Exception {
        return outcome.get().stream().map(QueueEnqueued::getMessageId).toList();
    }

    @Test
    void when_a_request_finds_the_lane_free_then_it_goes_at_once_as_its_own_command() throws Exception {
        var coalescing = coalescing(1, 100, 1 << 20);

        var a = coalescing.submit("q", messages("a"), 1);

        assertThat(cluster.commands).hasSize(1);
        assertThat(cluster.bodies(0)).containsExactly("a");
        assertThat(a).isNotDone();
        cluster.applyAll(0);
        assertThat(ids(a)).containsExactly("0-0");
        assertThat(coalescing.activeQueues()).isZero();
    }

    @Test
    void
            when_requests_arrive_while_the_lane_is_full_then_the_next_command_carries_them_all_and_each_gets_its_own_outcomes()
                    throws Exception {
        var coalescing = coalescing(1, 100, 1 << 20);
        var first = coalescing.submit("q", messages("a"), 1);
        var second = coalescing.submit("q", messages("b", "c"), 2);
        var third = coalescing.submit("q", messages("d"), 1);

        assertThat(cluster.commands).as("the lane holds one command at a time").hasSize(1);
        cluster.applyAll(0);

        assertThat(ids(first)).containsExactly("0-0");
        assertThat(cluster.commands).hasSize(2);
        assertThat(cluster.bodies(1)).containsExactly("b", "c", "d");
        assertThat(second).isNotDone();
        cluster.applyAll(1);
        assertThat(ids(second)).containsExactly("1-0", "1-1");
        assertThat(ids(third)).containsExactly("1-2");
        assertThat(coalescing.activeQueues()).isZero();
    }

    @Test
    void when_queues_differ_then_their_requests_never_share_a_command() {
        var coalescing = coalescing(1, 100, 1 << 20);
        coalescing.submit("q1", messages("a"), 1);
        coalescing.submit("q2", messages("b"), 1);

        assertThat(cluster.commands).hasSize(2);
        assertThat(cluster.commands.get(0).getEnqueue().getQueue()).isEqualTo("q1");
        assertThat(cluster.commands.get(1).getEnqueue().getQueue()).isEqualTo("q2");
    }

    @Test
    void when_the_waiting_requests_exceed_the_item_or_byte_limit_then_they_go_in_several_commands() throws Exception {
        var coalescing = coalescing(1, 3, 100);
        coalescing.submit("q", messages("first"), 5);
        var b = coalescing.submit("q", messages("b1", "b2"), 2);
        var c = coalescing.submit("q", messages("c1", "c2"), 2);
        var d = coalescing.submit("q", messages("d"), 99);

        cluster.applyAll(0);
        assertThat(cluster.bodies(1))
                .as("b and c together are 4 items, over the limit of 3")
                .containsExactly("b1", "b2");
        cluster.applyAll(1);
        assertThat(cluster.bodies(2))
                .as("c and d together are 101 bytes, over 100")
                .containsExactly("c1", "c2");
        cluster.applyAll(2);
        assertThat(cluster.bodies(3)).containsExactly("d");
        cluster.applyAll(3);
        assertThat(ids(b)).containsExactly("1-0", "1-1");
        assertThat(ids(c)).containsExactly("2-0", "2-1");
        assertThat(ids(d)).containsExactly("3-0");
    }

    @Test
    void when_a_request_alone_exceeds_the_limits_then_it_still_goes_whole() throws Exception {
        var coalescing = coalescing(1, 1, 1);
        var big = coalescing.submit("q", messages("a", "b", "c"), 300);

        assertThat(cluster.bodies(0)).containsExactly("a", "b", "c");
        cluster.applyAll(0);
        assertThat(ids(big)).hasSize(3);
    }

    @Test
    void when_a_command_of_one_request_is_refused_then_that_request_gets_the_refusal() {
        var coalescing = coalescing(1, 100, 1 << 20);
        var a = coalescing.submit("q", messages("a", "b"), 2);

        cluster.refuse(0, QueueStatus.QUEUE_STATUS_QUEUE_FULL, "no room");

        assertThatThrownBy(a::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        QueueProblem.class, p -> assertThat(p.kind()).isEqualTo(QueueProblem.Kind.QUEUE_FULL))
                .hasMessage("no room");
        assertThat(cluster.commands).hasSize(1);
    }

    @Test
    void when_a_coalesced_command_is_refused_then_each_request_is_tried_alone_and_answered_for_itself()
            throws Exception {
        var coalescing = coalescing(1, 100, 1 << 20);
        coalescing.submit("q", messages("first"), 5);
        var fits = coalescing.submit("q", messages("b"), 1);
        var tooMany = coalescing.submit("q", messages("c1", "c2"), 2);
        cluster.applyAll(0);
        assertThat(cluster.bodies(1)).containsExactly("b", "c1", "c2");

        // Say the queue has room for two more messages: the three together do not fit.
        cluster.refuse(1, QueueStatus.QUEUE_STATUS_QUEUE_FULL, "3 more do not fit");

        assertThat(cluster.commands).as("one command per request").hasSize(4);
        assertThat(cluster.bodies(2)).containsExactly("b");
        assertThat(cluster.bodies(3)).containsExactly("c1", "c2");
        cluster.applyAll(2);
        cluster.refuse(3, QueueStatus.QUEUE_STATUS_QUEUE_FULL, "2 more do not fit");
        assertThat(ids(fits)).containsExactly("2-0");
        assertThatThrownBy(tooMany::get)
                .cause()
                .isInstanceOf(QueueProblem.class)
                .hasMessage("2 more do not fit");
    }

    @Test
    void when_the_cluster_cannot_be_reached_then_every_request_of_the_command_fails_with_that_error() {
        var coalescing = coalescing(1, 100, 1 << 20);
        coalescing.submit("q", messages("first"), 5);
        var b = coalescing.submit("q", messages("b"), 1);
        var c = coalescing.submit("q", messages("c"), 1);
        cluster.applyAll(0);

        var unavailable = new ConsensusException(ConsensusException.Reason.UNAVAILABLE, "no leader");
        cluster.answers.get(1).completeExceptionally(unavailable);

        assertThatThrownBy(b::get).cause().isSameAs(unavailable);
        assertThatThrownBy(c::get).cause().isSameAs(unavailable);
        assertThat(cluster.commands)
                .as("an unknown outcome is never resubmitted")
                .hasSize(2);
        assertThat(coalescing.activeQueues()).isZero();
    }

    @Test
    void when_several_commands_may_be_in_flight_then_requests_go_at_once_until_the_lane_is_full() throws Exception {
        var coalescing = coalescing(2, 100, 1 << 20);
        var a = coalescing.submit("q", messages("a"), 1);
        var b = coalescing.submit("q", messages("b"), 1);
        var c = coalescing.submit("q", messages("c"), 1);
        var d = coalescing.submit("q", messages("d"), 1);

        assertThat(cluster.commands).hasSize(2);
        cluster.applyAll(1);
        assertThat(ids(b)).containsExactly("1-0");
        assertThat(cluster.bodies(2)).containsExactly("c", "d");
        cluster.applyAll(0);
        cluster.applyAll(2);
        assertThat(ids(a)).containsExactly("0-0");
        assertThat(ids(c)).containsExactly("2-0");
        assertThat(ids(d)).containsExactly("2-1");
        assertThat(coalescing.activeQueues()).isZero();
    }

    @Test
    void when_the_answer_has_the_wrong_number_of_outcomes_then_every_request_fails_instead_of_getting_another_ones()
            throws Exception {
        var coalescing = coalescing(1, 100, 1 << 20);
        coalescing.submit("q", messages("first"), 5);
        var b = coalescing.submit("q", messages("b"), 1);
        var c = coalescing.submit("q", messages("c"), 1);
        cluster.applyAll(0);

        cluster.answers
                .get(1)
                .complete(QueueResult.newBuilder()
                        .addEnqueued(QueueEnqueued.newBuilder().setMessageId("1-0"))
                        .build());

        assertThatThrownBy(b::get).cause().isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(c::get).cause().isInstanceOf(IllegalStateException.class);
    }
}
