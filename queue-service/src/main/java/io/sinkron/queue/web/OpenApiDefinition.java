package io.sinkron.queue.web;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import java.util.List;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI description at {@code /v3/api-docs} (Swagger UI at {@code /swagger-ui.html}): its
 * title, and the problem responses of each operation, which springdoc cannot see in the
 * exception handler.
 */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(
        info =
                @Info(
                        title = "Sinkron queue-service",
                        version = "v1",
                        description =
                                "Partitioned, durable queues with at-least-once delivery, replicated by Raft. Errors are"
                                        + " RFC 9457 problem details whose type is https://sinkron.io/problems/<kind>."))
class OpenApiDefinition {

    static {
        // A message is any JSON value; left alone, springdoc would describe JsonNode's getters.
        SpringDocUtils.getConfig().replaceWithSchema(JsonNode.class, new Schema<>());
    }

    private static final String PROBLEM = "Problem";
    private static final String APPLICATION_PROBLEM_JSON = "application/problem+json";

    /** The problems an operation may answer besides 400 validation and 503 consensus-unavailable. */
    private static final Map<String, List<String>> PROBLEMS_BY_OPERATION = Map.of(
            "enqueue", List.of("413 payload-too-large", "429 queue-full"),
            "ack", List.of("404 not-found", "409 stale-receipt"),
            "nack", List.of("404 not-found", "409 stale-receipt"),
            "visibility", List.of("404 not-found", "409 stale-receipt"),
            "configure", List.of("409 conflict"),
            "describe", List.of("404 not-found"),
            "delete", List.of("404 not-found"));

    @Bean
    OpenApiCustomizer problemResponses() {
        return openApi -> {
            openApi.getComponents()
                    .addSchemas(
                            PROBLEM,
                            new ObjectSchema()
                                    .description("RFC 9457 problem detail")
                                    .addProperty("type", new StringSchema().description(ProblemTypes.BASE + "<kind>"))
                                    .addProperty("title", new StringSchema())
                                    .addProperty("status", new IntegerSchema())
                                    .addProperty("detail", new StringSchema())
                                    .addProperty("instance", new StringSchema()));
            openApi.getPaths()
                    .values()
                    .forEach(path -> path.readOperations().forEach(operation -> {
                        addProblem(operation, "400 validation");
                        PROBLEMS_BY_OPERATION
                                .getOrDefault(operation.getOperationId(), List.of())
                                .forEach(problem -> addProblem(operation, problem));
                        addProblem(operation, "503 consensus-unavailable");
                    }));
        };
    }

    private static void addProblem(Operation operation, String codeAndKind) {
        String[] parts = codeAndKind.split(" ", 2);
        operation
                .getResponses()
                .addApiResponse(
                        parts[0],
                        new ApiResponse()
                                .description("Problem of type " + ProblemTypes.BASE + parts[1])
                                .content(new Content()
                                        .addMediaType(
                                                APPLICATION_PROBLEM_JSON,
                                                new MediaType().schema(new Schema<>().$ref(PROBLEM)))));
    }
}
