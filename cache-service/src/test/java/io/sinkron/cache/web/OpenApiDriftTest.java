package io.sinkron.cache.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI document committed in {@code docs/openapi/cache-service.json} is the one the service
 * serves. After an intended API change, regenerate it with
 * {@code ./mvnw test -pl cache-service -Dtest=OpenApiDriftTest -Dopenapi.write=true} and commit it.
 */
class OpenApiDriftTest extends RestTestSupport {

    private static final Path COMMITTED = Path.of("..", "docs", "openapi", "cache-service.json");

    private static final JsonMapper PRETTY =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Test
    void the_committed_openapi_document_is_the_one_the_service_serves() throws IOException {
        JsonNode served = json(mvc.get().uri("/v3/api-docs").exchange());
        if (Boolean.getBoolean("openapi.write")) {
            Files.createDirectories(COMMITTED.getParent());
            Files.writeString(COMMITTED, PRETTY.writeValueAsString(served) + "\n");
        }

        JsonNode committed = PRETTY.readTree(Files.readString(COMMITTED));

        assertThat(served)
                .as("docs/openapi/cache-service.json is out of date: regenerate it with -Dopenapi.write=true")
                .isEqualTo(committed);
        assertThat(served.at("/paths").propertyNames())
                .containsExactlyInAnyOrder("/cache/{key}", "/cache/{key}/state", "/cache/stats");
    }

    @Test
    void swagger_ui_is_served() {
        assertThat(mvc.get().uri("/swagger-ui.html").exchange()).hasStatus3xxRedirection();
        assertThat(mvc.get().uri("/swagger-ui/index.html").exchange()).hasStatusOk();
    }
}
