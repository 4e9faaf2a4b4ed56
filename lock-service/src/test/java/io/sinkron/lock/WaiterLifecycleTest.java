package io.sinkron.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockAsyncContext;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.test.web.servlet.result.MockMvcResultMatchers;

/** Waiters never linger, and the service reports on itself. */
class WaiterLifecycleTest extends LockServiceTest {

    @Autowired
    MeterRegistry meters;

    @Autowired
    MockMvc mvc;

    @Test
    void when_the_container_reports_the_caller_gone_then_its_queued_request_is_withdrawn() throws Exception {
        String lock = unique("orders");
        acquire(lock, "worker-1", "exclusive", 0);
        MvcResult pending = mvc.perform(MockMvcRequestBuilders.post("/locks/" + lock)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"lock_type": "exclusive", "client_id": "worker-2", "timeout": 600000}"""))
                .andExpect(MockMvcResultMatchers.request().asyncStarted())
                .andReturn();
        await().until(() -> waiters(lock) == 1);

        // What Tomcat does when it finds the connection gone (a reset HTTP/2 stream, a failed write).
        var context = (MockAsyncContext) pending.getRequest().getAsyncContext();
        for (AsyncListener listener : context.getListeners()) {
            listener.onError(new AsyncEvent(context, new IOException("Connection reset by peer")));
        }

        await().until(() -> waiters(lock) == 0);
        // The holder's release finds nobody waiting: the lock is free, not granted to a ghost.
        delete("/locks/" + lock + "?client_id=worker-1");
        assertThat(get("/locks/" + lock).body().path("mode").asString()).isEqualTo("unlocked");
    }

    @Test
    void when_the_cluster_is_reachable_then_readiness_is_up_and_when_not_it_is_down() {
        Reply ready = get("/actuator/health/readiness");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body()
                        .path("components")
                        .path("consensus")
                        .path("status")
                        .asString())
                .isEqualTo("UP");

        node.serving(false);
        try {
            Reply down = get("/actuator/health/readiness");
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.body()
                            .path("components")
                            .path("consensus")
                            .path("status")
                            .asString())
                    .isEqualTo("DOWN");
            assertThat(get("/actuator/health/liveness").status()).isEqualTo(200);
        } finally {
            node.serving(true);
        }
    }

    @Test
    void when_the_cluster_is_unreachable_then_commands_answer_503_unavailable() {
        node.serving(false);
        try {
            Reply reply = acquire(unique("orders"), "worker-1", "exclusive", 0);
            assertThat(reply.status()).isEqualTo(503);
            assertThat(reply.type()).isEqualTo("https://sinkron.io/problems/unavailable");
        } finally {
            node.serving(true);
        }
    }

    @Test
    void when_acquisitions_end_then_latency_is_recorded_by_outcome_and_table_gauges_follow_the_cluster() {
        String lock = unique("orders");
        double granted = count("granted");
        double timeouts = count("timeout");

        acquire(lock, "worker-1", "exclusive", 0);
        acquire(lock, "worker-2", "exclusive", 0);

        assertThat(count("granted")).isEqualTo(granted + 1);
        assertThat(count("timeout")).isEqualTo(timeouts + 1);
        await().untilAsserted(() ->
                assertThat(meters.get("sinkron.lock.held").gauge().value()).isGreaterThanOrEqualTo(1));
        assertThat(meters.get("sinkron.lock.deadlocks").functionCounter()).isNotNull();
        assertThat(meters.get("sinkron.lock.lease.expiries").functionCounter()).isNotNull();
        assertThat(meters.get("sinkron.lock.sessions").gauge()).isNotNull();
        assertThat(meters.get("sinkron.lock.waiters").gauge()).isNotNull();
    }

    private double count(String outcome) {
        return meters.get("sinkron.lock.acquire")
                .tag("outcome", outcome)
                .timer()
                .count();
    }
}
