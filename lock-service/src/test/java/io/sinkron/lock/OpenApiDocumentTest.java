package io.sinkron.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI document committed under {@code docs/openapi} is the one the service serves. When the
 * API changes on purpose, run this test with {@code -Dopenapi.update=true} to rewrite it.
 */
class OpenApiDocumentTest extends LockServiceTest {

    private static final Path COMMITTED = Path.of("..", "docs", "openapi", "lock-service.json");

    @Test
    void the_committed_openapi_document_matches_what_the_service_serves() throws IOException {
        Reply served = get("/v3/api-docs");
        assertThat(served.status()).isEqualTo(200);
        ObjectNode document = (ObjectNode) served.body();
        // The generated server URL carries this run's random port.
        document.remove("servers");
        String pretty = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document) + "\n";
        Path latest = Path.of("target", "openapi", "lock-service.json");
        Files.createDirectories(latest.getParent());
        Files.writeString(latest, pretty);
        if (Boolean.getBoolean("openapi.update")) {
            Files.createDirectories(COMMITTED.getParent());
            Files.writeString(COMMITTED, pretty);
        }

        assertThat(COMMITTED).as("the committed OpenAPI document").exists();
        JsonNode committed = JSON.readTree(Files.readString(COMMITTED));
        assertThat(committed)
                .as(
                        "docs/openapi/lock-service.json differs from the served document (see %s);"
                                + " rerun with -Dopenapi.update=true if the change is intended",
                        latest.toAbsolutePath())
                .isEqualTo(document);
    }

    @Test
    void the_document_describes_every_endpoint_and_error_kind() {
        JsonNode paths = get("/v3/api-docs").body().path("paths");

        assertThat(paths.propertyNames())
                .contains(
                        "/locks/{lock_id}",
                        "/locks/{lock_id}/validate",
                        "/locks/{lock_id}/keepalive",
                        "/sessions",
                        "/sessions/{session_id}/keepalive",
                        "/sessions/{session_id}",
                        "/deadlocks");
        JsonNode acquire = paths.path("/locks/{lock_id}").path("post").path("responses");
        assertThat(acquire.propertyNames()).contains("200", "400", "404", "409", "503");
        assertThat(acquire.path("409")
                        .path("content")
                        .path("application/problem+json")
                        .path("examples")
                        .propertyNames())
                .contains("lock-timeout", "deadlock");
    }

    @Test
    void every_post_documents_the_413_of_an_oversized_body() {
        JsonNode paths = get("/v3/api-docs").body().path("paths");
        int posts = 0;
        for (String path : paths.propertyNames()) {
            JsonNode post = paths.path(path).path("post");
            if (post.isMissingNode()) {
                continue;
            }
            posts++;
            assertThat(post.path("responses")
                            .path("413")
                            .path("content")
                            .path("application/problem+json")
                            .path("example")
                            .path("type")
                            .asString(""))
                    .as("413 of POST %s", path)
                    .isEqualTo("https://sinkron.io/problems/payload-too-large");
        }
        assertThat(posts).isEqualTo(5);
    }

    @Test
    void swagger_ui_is_served() {
        Reply redirect = get("/swagger-ui.html");
        assertThat(redirect.status()).isEqualTo(302);
        assertThat(get("/swagger-ui/index.html").status()).isEqualTo(200);
    }
}
