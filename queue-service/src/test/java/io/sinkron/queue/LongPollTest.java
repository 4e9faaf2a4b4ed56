package io.sinkron.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.jayway.jsonpath.JsonPath;
import io.sinkron.proto.QueueCommand;
import io.sinkron.proto.QueueEnqueue;
import io.sinkron.proto.QueueNewMessage;
import io.sinkron.queue.service.MessageArrivals;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Dequeues with {@code wait} block until an event announces messages, not by polling the cluster. */
class LongPollTest extends QueueServiceTest {

    private static final Duration LONG_WAIT = Duration.ofSeconds(15);

    @Autowired
    MessageArrivals arrivals;

    @Test
    void a_waiting_dequeue_returns_as_soon_as_a_message_arrives() throws Exception {
        long start = System.nanoTime();
        CompletableFuture<String> poll = waitingDequeue("lp-wake", 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> arrivals.waiting("lp-wake") == 1);

        postJson("/queue/lp-wake/enqueue", "{\"message\": \"wake up\"}");

        String body = poll.get(5, TimeUnit.SECONDS);
        assertThat(JsonPath.<String>read(body, "$.messages[0].message")).isEqualTo("wake up");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LONG_WAIT.dividedBy(2));
        assertThat(arrivals.waiting("lp-wake")).as("the waiter is gone").isZero();
    }

    @Test
    void a_dequeue_that_waits_in_vain_returns_an_empty_list_after_the_wait() throws Exception {
        long start = System.nanoTime();

        String body = postJson("/queue/lp-empty/dequeue", "{\"wait\": 300}")
                .andReturn()
                .getResponse()
                .getContentAsString();

        assertThat(JsonPath.<List<?>>read(body, "$.messages")).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(arrivals.waiting("lp-empty")).isZero();
    }

    @Test
    void waiting_consumers_share_a_batch_and_none_gets_a_message_twice() throws Exception {
        List<CompletableFuture<String>> polls = IntStream.range(0, 3)
                .mapToObj(i -> waitingDequeue("lp-share", 1))
                .toList();
        await().atMost(Duration.ofSeconds(5)).until(() -> arrivals.waiting("lp-share") == 3);

        postJson("/queue/lp-share/enqueue", "{\"messages\": [{\"message\": 1}, {\"message\": 2}, {\"message\": 3}]}");

        Set<Integer> got = new HashSet<>();
        for (CompletableFuture<String> poll : polls) {
            List<Integer> messages = JsonPath.read(poll.get(5, TimeUnit.SECONDS), "$.messages[*].message");
            assertThat(messages).hasSize(1);
            got.addAll(messages);
        }
        assertThat(got).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void when_the_event_stream_breaks_waiting_dequeues_look_again_after_reconnecting() throws Exception {
        CompletableFuture<String> poll = waitingDequeue("lp-reconnect", 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> arrivals.waiting("lp-reconnect") == 1);
        byte[] enqueue = QueueCommand.newBuilder()
                .setEnqueue(QueueEnqueue.newBuilder()
                        .setQueue("lp-reconnect")
                        .addMessages(QueueNewMessage.newBuilder()
                                .setBody(ByteString.copyFrom("\"sent while disconnected\"", StandardCharsets.UTF_8))))
                .build()
                .toByteArray();

        // The arrival's event goes out while no stream is open, so only the reconnection can wake the poll.
        NODE.breakEventStreamsThenSubmitAsAnotherClient("queue", enqueue);

        String body = poll.get(LONG_WAIT.dividedBy(2).toSeconds(), TimeUnit.SECONDS);
        assertThat(JsonPath.<String>read(body, "$.messages[0].message")).isEqualTo("sent while disconnected");
    }

    private CompletableFuture<String> waitingDequeue(String queue, int max) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return postJson(
                                "/queue/" + queue + "/dequeue",
                                "{\"max_messages\": " + max + ", \"wait\": " + LONG_WAIT.toMillis() + "}")
                        .andReturn()
                        .getResponse()
                        .getContentAsString();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
