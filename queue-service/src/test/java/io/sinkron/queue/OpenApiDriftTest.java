package io.sinkron.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI description committed in {@code docs/openapi/queue-service.json} is the one the
 * service serves. After changing the API, regenerate it on purpose with {@code
 * -Dsinkron.openapi.write=true} and review the diff.
 */
class OpenApiDriftTest extends QueueServiceTest {

    private static final Path COMMITTED = Path.of("..", "docs", "openapi", "queue-service.json");

    @Autowired
    JsonMapper json;

    @Test
    void the_committed_openapi_description_matches_the_served_one() throws Exception {
        String served = mvc.perform(get("/v3/api-docs"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        ObjectNode live = (ObjectNode) json.readTree(served);
        // The server URL is whatever host the request came to, not part of the contract.
        live.remove("servers");

        if (Boolean.getBoolean("sinkron.openapi.write")) {
            Files.createDirectories(COMMITTED.getParent());
            Files.writeString(COMMITTED, json.writerWithDefaultPrettyPrinter().writeValueAsString(live) + "\n");
        }
        JsonNode committed = json.readTree(Files.readString(COMMITTED));
        assertThat(committed)
                .as("%s is out of date; regenerate with -Dsinkron.openapi.write=true", COMMITTED)
                .isEqualTo(live);
    }

    @Test
    void swagger_ui_is_served() throws Exception {
        mvc.perform(get("/swagger-ui.html")).andExpect(status().is3xxRedirection());
        mvc.perform(get("/swagger-ui/index.html"))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_HTML));
    }
}
