package io.sinkron.cache.web;

import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code PUT /cache/{key}}. Both fields are taken as raw JSON so that the checks (and
 * their problem details) are the service's own rather than the JSON binder's.
 */
public record PutRequest(
        @Schema(
                description = "Any JSON value",
                requiredMode = Schema.RequiredMode.REQUIRED,
                types = {"object", "array", "string", "number", "boolean", "null"})
        JsonNode value,

        @Schema(
                description = "Time to live in milliseconds, in log time of the consensus cluster",
                types = {"integer"},
                format = "int64",
                minimum = "1",
                maximum = "315360000000")
        JsonNode ttl) {}
