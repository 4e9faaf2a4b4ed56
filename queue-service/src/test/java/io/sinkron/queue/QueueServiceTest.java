package io.sinkron.queue;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import io.sinkron.client.ConsensusClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.convention.TestBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/**
 * The whole service against {@link FakeConsensusNode}: the real ConsensusClient, talking gRPC in
 * process to the real queue state machine. Size limits are small so the tests can cross them.
 * Subclasses share one application context (and one node), so each test uses queues of its own.
 */
@SpringBootTest(
        properties = {
            "sinkron.queue.max-message-size=1KB",
            "sinkron.queue.max-batch-size=4KB",
            "sinkron.queue.max-request-size=16KB",
            "sinkron.queue.max-wait=20s",
            "sinkron.queue.metrics-refresh=200ms",
            // Concurrent requests of a test then share commands as often as they can.
            "sinkron.queue.commands-in-flight-per-queue=1"
        })
@AutoConfigureMockMvc
abstract class QueueServiceTest {

    static final FakeConsensusNode NODE = new FakeConsensusNode().start();

    @TestBean
    ConsensusClient consensusClient;

    @Autowired
    MockMvc mvc;

    static ConsensusClient consensusClient() {
        return FakeConsensusNode.client();
    }

    ResultActions postJson(String path, String json) throws Exception {
        return mvc.perform(post(path).contentType(MediaType.APPLICATION_JSON).content(json));
    }

    static <T> T read(ResultActions result, String path) throws Exception {
        return JsonPath.read(result.andReturn().getResponse().getContentAsString(), path);
    }
}
