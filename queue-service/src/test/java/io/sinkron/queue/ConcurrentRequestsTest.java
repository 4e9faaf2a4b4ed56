package io.sinkron.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * Many requests to one queue at once, so that they share replicated commands (the tests run with
 * one command per queue in flight): each must still get exactly the answer it would get alone.
 */
class ConcurrentRequestsTest extends QueueServiceTest {

    private static final int PRODUCERS = 16;
    private static final int PER_PRODUCER = 25;

    /** Runs every task at once on its own virtual thread and returns their results in task order. */
    private static <T> List<T> together(List<Callable<T>> tasks) throws Exception {
        var start = new CountDownLatch(1);
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(threads.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        }
    }

    @Test
    void every_concurrent_enqueue_gets_its_own_message_delivered_once_in_its_producers_order() throws Exception {
        String queue = "/queue/concurrent-enqueue";
        List<Callable<List<String>>> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            int producer = p;
            producers.add(() -> {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < PER_PRODUCER; i++) {
                    var answer = postJson(
                            queue + "/enqueue",
                            "{\"message\": \"p" + producer + "-" + i + "\", \"partition_key\": \"p" + producer + "\"}");
                    assertThat(answer.andReturn().getResponse().getStatus()).isEqualTo(201);
                    ids.add(read(answer, "$.message_id"));
                }
                return ids;
            });
        }
        List<List<String>> answered = together(producers);

        Map<String, String> bodyById = new HashMap<>();
        for (int p = 0; p < PRODUCERS; p++) {
            for (int i = 0; i < PER_PRODUCER; i++) {
                assertThat(bodyById.put(answered.get(p).get(i), "p" + p + "-" + i))
                        .as("message ids are unique")
                        .isNull();
            }
        }
        Map<String, List<String>> deliveredByProducer = new HashMap<>();
        int delivered = 0;
        while (delivered < PRODUCERS * PER_PRODUCER) {
            var batch = postJson(queue + "/dequeue", "{\"max_messages\": 100}");
            List<String> ids = read(batch, "$.messages[*].message_id");
            List<String> bodies = read(batch, "$.messages[*].message");
            assertThat(ids).as("messages remain after %d deliveries", delivered).isNotEmpty();
            for (int m = 0; m < ids.size(); m++) {
                assertThat(bodyById.remove(ids.get(m)))
                        .as("delivered once, with the body its enqueue sent")
                        .isEqualTo(bodies.get(m));
                String body = bodies.get(m);
                deliveredByProducer
                        .computeIfAbsent(body.substring(0, body.indexOf('-')), k -> new ArrayList<>())
                        .add(body);
            }
            delivered += ids.size();
        }
        assertThat(bodyById).isEmpty();
        for (int p = 0; p < PRODUCERS; p++) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < PER_PRODUCER; i++) {
                expected.add("p" + p + "-" + i);
            }
            assertThat(deliveredByProducer.get("p" + p))
                    .as("FIFO per partition key")
                    .isEqualTo(expected);
        }
    }

    @Test
    void concurrent_enqueues_to_a_nearly_full_queue_are_refused_one_by_one_not_together() throws Exception {
        mvc.perform(put("/queue/concurrent-full")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"max_length\": 10}"))
                .andReturn();
        List<Callable<Integer>> producers = new ArrayList<>();
        for (int p = 0; p < 24; p++) {
            int producer = p;
            producers.add(() -> postJson("/queue/concurrent-full/enqueue", "{\"message\": \"m" + producer + "\"}")
                    .andReturn()
                    .getResponse()
                    .getStatus());
        }
        List<Integer> statuses = together(producers);

        assertThat(statuses).filteredOn(s -> s == 201).hasSize(10);
        assertThat(statuses).filteredOn(s -> s == 429).hasSize(14);
        assertThat(read(mvc.perform(get("/queue/concurrent-full")), "$.depth").toString())
                .isEqualTo("10");
    }

    @Test
    void a_bad_message_among_concurrent_enqueues_is_refused_alone() throws Exception {
        List<Callable<Integer>> producers = new ArrayList<>();
        for (int p = 0; p < 20; p++) {
            // The state machine, not the service, limits partition keys to 256 characters.
            String key = p == 7 ? "k".repeat(300) : "k" + p;
            producers.add(() -> postJson(
                            "/queue/concurrent-bad/enqueue", "{\"message\": \"m\", \"partition_key\": \"" + key + "\"}")
                    .andReturn()
                    .getResponse()
                    .getStatus());
        }
        List<Integer> statuses = together(producers);

        for (int p = 0; p < 20; p++) {
            assertThat(statuses.get(p)).as("producer %d", p).isEqualTo(p == 7 ? 400 : 201);
        }
        assertThat(read(mvc.perform(get("/queue/concurrent-bad")), "$.depth").toString())
                .isEqualTo("19");
    }

    @Test
    void concurrent_acks_each_get_their_own_outcome() throws Exception {
        String queue = "/queue/concurrent-ack";
        StringBuilder batch = new StringBuilder("{\"messages\": [");
        for (int i = 0; i < 30; i++) {
            batch.append(i == 0 ? "" : ",")
                    .append("{\"message\": \"m")
                    .append(i)
                    .append("\"}");
        }
        postJson(queue + "/enqueue", batch.append("]}").toString());
        var delivered = postJson(queue + "/dequeue", "{\"max_messages\": 30}");
        List<String> ids = read(delivered, "$.messages[*].message_id");
        List<String> receipts = read(delivered, "$.messages[*].receipt");
        assertThat(ids).hasSize(30);

        List<Callable<Integer>> consumers = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            // Every third ack names a message this queue never held.
            String id = i % 3 == 0 ? "999999-0" : ids.get(i);
            String receipt = receipts.get(i);
            consumers.add(
                    () -> postJson(queue + "/ack", "{\"message_id\": \"" + id + "\", \"receipt\": \"" + receipt + "\"}")
                            .andReturn()
                            .getResponse()
                            .getStatus());
        }
        List<Integer> statuses = together(consumers);

        for (int i = 0; i < 30; i++) {
            assertThat(statuses.get(i)).as("ack %d", i).isEqualTo(i % 3 == 0 ? 404 : 200);
        }
        var left = mvc.perform(get(queue));
        assertThat(read(left, "$.in_flight").toString()).isEqualTo("10");
        assertThat(read(left, "$.depth").toString()).isEqualTo("0");
    }
}
