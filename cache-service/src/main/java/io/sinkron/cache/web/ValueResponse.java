package io.sinkron.cache.web;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.swagger.v3.oas.annotations.media.Schema;

/** A key's value: what {@code GET /cache/{key}} returns. */
public record ValueResponse(
        String key,

        @JsonRawValue
        @Schema(
                description = "The JSON value as it was written",
                types = {"object", "array", "string", "number", "boolean", "null"})
        String value,

        @Schema(description = "Log index of the write that produced the value; also the ETag")
        long version) {}
