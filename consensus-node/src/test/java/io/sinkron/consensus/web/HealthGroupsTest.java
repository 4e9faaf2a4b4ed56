package io.sinkron.consensus.web;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sinkron.consensus.ConsensusNodeApplication;
import io.sinkron.fuzz.RawHttp;
import io.sinkron.fuzz.RawRequest;
import io.sinkron.fuzz.RawResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.json.JsonMapper;

/** The actuator health groups Kubernetes probes: what each one is made of. */
@SpringBootTest(classes = ConsensusNodeApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(AdminApiFuzzTest.SingleNode.class)
class HealthGroupsTest {

    @LocalServerPort
    int port;

    @Test
    void liveness_includes_the_raft_group_and_readiness_the_raft_state() throws Exception {
        var http = new RawHttp(port, Duration.ofSeconds(15));
        await().atMost(30, SECONDS)
                .until(() -> http.send(RawRequest.of("GET", "/health")).status() == 200);

        RawResponse liveness = http.send(RawRequest.of("GET", "/actuator/health/liveness"));
        assertThat(liveness.status()).isEqualTo(200);
        var live = JsonMapper.builder().build().readTree(liveness.body());
        assertThat(live.path("components").path("raftGroup").path("status").asString())
                .isEqualTo("UP");
        assertThat(live.path("components").path("raftGroup").has("details"))
                .as("liveness shows components, not details")
                .isFalse();

        RawResponse readiness = http.send(RawRequest.of("GET", "/actuator/health/readiness"));
        assertThat(readiness.status()).isEqualTo(200);
        var ready = JsonMapper.builder().build().readTree(readiness.body());
        assertThat(ready.path("components").has("raft")).isTrue();
        assertThat(ready.path("components").has("raftGroup")).isFalse();
    }
}
