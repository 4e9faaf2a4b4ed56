package io.sinkron.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.MeterNotFoundException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Metrics and health, as Prometheus and Kubernetes see them. */
class OperationsTest extends QueueServiceTest {

    @Autowired
    MeterRegistry registry;

    @Test
    void operations_are_counted_per_queue_and_first_deliveries_timed() throws Exception {
        postJson("/queue/ops-count/enqueue", "{\"messages\": [{\"message\": \"a\"}, {\"message\": \"b\"}]}");
        postJson("/queue/ops-count/enqueue", "{\"message\": \"c\", \"dedup_id\": \"c\"}");
        postJson("/queue/ops-count/enqueue", "{\"message\": \"c\", \"dedup_id\": \"c\"}");
        NODE.advanceClock(Duration.ofMillis(250));
        var delivered = postJson("/queue/ops-count/dequeue", "{\"max_messages\": 3, \"visibility_timeout\": 1000}");
        String id0 = read(delivered, "$.messages[0].message_id");
        String r0 = read(delivered, "$.messages[0].receipt");
        String id1 = read(delivered, "$.messages[1].message_id");
        String r1 = read(delivered, "$.messages[1].receipt");
        postJson("/queue/ops-count/ack", "{\"message_id\": \"" + id0 + "\", \"receipt\": \"" + r0 + "\"}");
        postJson("/queue/ops-count/nack", "{\"message_id\": \"" + id1 + "\", \"receipt\": \"" + r1 + "\"}");
        postJson("/queue/ops-count/dequeue", "{}");

        assertThat(count("sinkron.queue.enqueued", "ops-count")).isEqualTo(3);
        assertThat(count("sinkron.queue.dequeued", "ops-count")).isEqualTo(4);
        assertThat(count("sinkron.queue.acked", "ops-count")).isEqualTo(1);
        assertThat(count("sinkron.queue.nacked", "ops-count")).isEqualTo(1);
        assertThat(count("sinkron.queue.redelivered", "ops-count")).isEqualTo(1);
        var latency = registry.get("sinkron.queue.delivery.latency")
                .tag("queue", "ops-count")
                .timer();
        assertThat(latency.count()).isEqualTo(3);
        assertThat(latency.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(750);
    }

    @Test
    void the_cluster_counts_of_every_queue_are_published_as_gauges() throws Exception {
        mvc.perform(put("/queue/ops-gauge").contentType("application/json").content("{\"delivery_limit\": 1}"));
        postJson(
                "/queue/ops-gauge/enqueue",
                "{\"messages\": [{\"message\": \"a\"}, {\"message\": \"b\"}, {\"message\": \"c\"}]}");
        var delivered = postJson("/queue/ops-gauge/dequeue", "{\"max_messages\": 2}");
        postJson(
                "/queue/ops-gauge/nack",
                "{\"message_id\": \"" + read(delivered, "$.messages[0].message_id") + "\", \"receipt\": \""
                        + read(delivered, "$.messages[0].receipt") + "\"}");

        await().atMost(Duration.ofSeconds(5))
                .ignoreExceptionsInstanceOf(MeterNotFoundException.class)
                .untilAsserted(() -> {
                    assertThat(gauge("sinkron.queue.depth", "ops-gauge")).isEqualTo(1);
                    assertThat(gauge("sinkron.queue.in.flight", "ops-gauge")).isEqualTo(1);
                    assertThat(gauge("sinkron.queue.delayed", "ops-gauge")).isZero();
                    assertThat(gauge("sinkron.queue.dead.letter.depth", "ops-gauge"))
                            .isEqualTo(1);
                    assertThat(registry.get("sinkron.queue.dead.lettered")
                                    .tag("queue", "ops-gauge")
                                    .functionCounter()
                                    .count())
                            .isEqualTo(1);
                });
        String scrape = mvc.perform(get("/actuator/prometheus"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(scrape)
                .contains("sinkron_queue_depth{application=\"queue-service\",queue=\"ops-gauge\"} 1.0")
                .contains("sinkron_queue_dead_lettered_total{application=\"queue-service\",queue=\"ops-gauge\"} 1.0")
                .contains("sinkron_queue_enqueued_total{application=\"queue-service\",queue=\"ops-gauge\"} 3.0")
                .contains(
                        "sinkron_queue_delivery_latency_seconds_bucket{application=\"queue-service\",queue=\"ops-gauge\"");
    }

    @Test
    void readiness_includes_the_consensus_cluster() throws Exception {
        mvc.perform(get("/actuator/health/readiness"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("UP"))
                .andExpect(jsonPath("$.components.consensus.status").value("UP"))
                .andExpect(jsonPath("$.components.consensus.details.leader").value("fake"));
    }

    private double count(String name, String queue) {
        return registry.get(name).tag("queue", queue).counter().count();
    }

    private double gauge(String name, String queue) {
        return registry.get(name).tag("queue", queue).gauge().value();
    }
}
