package io.sinkron.cache.web;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.swagger.v3.oas.annotations.media.Schema;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.io.JsonStringEncoder;

/** A key's value: what {@code GET /cache/{key}} returns. */
public record ValueResponse(
        String key,

        @JsonRawValue
        @Schema(
                description = "The JSON value as it was written",
                types = {"object", "array", "string", "number", "boolean", "null"})
        String value,

        @Schema(description = "Log index of the write that produced the value; also the ETag")
        long version) {

    /**
     * This record as JSON, byte for byte what Jackson writes for it, but built directly: the value
     * is JSON text already, and on a near-cache hit serializing the answer would otherwise be a
     * large part of what a GET costs.
     */
    byte[] json() {
        var json = new StringBuilder(key.length() + value.length() + 48).append("{\"key\":\"");
        JsonStringEncoder.getInstance().quoteAsString(key, json);
        return json.append("\",\"value\":")
                .append(value)
                .append(",\"version\":")
                .append(version)
                .append('}')
                .toString()
                .getBytes(StandardCharsets.UTF_8);
    }
}
