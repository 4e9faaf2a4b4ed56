package io.sinkron.cache.web;

import io.swagger.v3.oas.annotations.media.Schema;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.io.JsonStringEncoder;

/** What a successful {@code PUT /cache/{key}} returns. */
public record VersionResponse(
        String key,

        @Schema(description = "The new version; also the ETag")
        long version) {

    /** This record as JSON, byte for byte what Jackson writes for it (see {@link ValueResponse#json}). */
    byte[] json() {
        var json = new StringBuilder(key.length() + 40).append("{\"key\":\"");
        JsonStringEncoder.getInstance().quoteAsString(key, json);
        return json.append("\",\"version\":")
                .append(version)
                .append('}')
                .toString()
                .getBytes(StandardCharsets.UTF_8);
    }
}
