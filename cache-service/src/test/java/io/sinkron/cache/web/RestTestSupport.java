package io.sinkron.cache.web;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;

import io.sinkron.cache.CoherentCache;
import io.sinkron.cache.FakeClusterAccess;
import io.sinkron.client.ChannelFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.bean.override.convention.TestBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole cache-service application over MockMvc, its {@code ConsensusClient} dialling an
 * in-process fake cluster that runs the real cache state machine (node {@code rest:7001}).
 */
@SpringBootTest(
        properties = {
            "cache.consensus-nodes=rest:7001",
            "cache.instance-id=rest-instance",
            "cache.max-value-bytes=64",
            "cache.max-key-length=16",
            "cache.keep-alive-interval=100ms",
            "cache.request-timeout=500ms",
            "management.prometheus.metrics.export.enabled=true"
        })
@AutoConfigureMockMvc
abstract class RestTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TestBean
    ChannelFactory consensusChannels;

    @Autowired
    MockMvcTester mvc;

    @Autowired
    CoherentCache cache;

    static ChannelFactory consensusChannels() {
        return FakeClusterAccess.channelsTo("rest");
    }

    @BeforeEach
    void leaseHeld() {
        await().atMost(10, SECONDS).until(() -> cache.leaseValid() && cache.eventsConnected());
    }

    static JsonNode json(MvcTestResult result) {
        return JSON.readTree(body(result));
    }

    static String body(MvcTestResult result) {
        return new String(result.getResponse().getContentAsByteArray(), StandardCharsets.UTF_8);
    }
}
