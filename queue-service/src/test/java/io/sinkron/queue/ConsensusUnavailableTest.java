package io.sinkron.queue;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.Answers;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/** A cluster that cannot be reached: 503 problems that say the outcome is unknown, and not ready. */
@SpringBootTest
@AutoConfigureMockMvc
class ConsensusUnavailableTest {

    // Deep stubs, so the event subscription made at start-up is a (mock) subscription too.
    @MockitoBean(answers = Answers.RETURNS_MOCKS)
    ConsensusClient client;

    @Autowired
    MockMvc mvc;

    @BeforeEach
    void clusterIsGone() {
        ConsensusException gone = new ConsensusException(ConsensusException.Reason.UNAVAILABLE, "no node answered");
        when(client.submit(anyString(), any())).thenThrow(gone);
        when(client.submitAsync(anyString(), any())).thenReturn(CompletableFuture.failedFuture(gone));
        when(client.read(anyString(), any())).thenThrow(gone);
        when(client.status()).thenThrow(gone);
    }

    @Test
    void commands_and_reads_answer_503_consensus_unavailable() throws Exception {
        mvc.perform(post("/queue/q/enqueue")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"message\": \"a\"}"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.type").value("https://sinkron.io/problems/consensus-unavailable"))
                .andExpect(jsonPath("$.reason").value("UNAVAILABLE"));
        mvc.perform(get("/queue/q"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.type").value("https://sinkron.io/problems/consensus-unavailable"));
    }

    @Test
    void the_instance_is_not_ready() throws Exception {
        mvc.perform(get("/actuator/health/readiness"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.components.consensus.status").value("DOWN"))
                .andExpect(jsonPath("$.components.consensus.details.reason").value("UNAVAILABLE"));
        mvc.perform(get("/actuator/health/liveness")).andExpect(status().isOk());
    }
}
