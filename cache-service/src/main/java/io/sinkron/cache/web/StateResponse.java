package io.sinkron.cache.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** The directory's entry for a key: what {@code GET /cache/{key}/state} returns. */
public record StateResponse(
        String key,

        @Schema(description = "The committed version, as GET returns it in ETag")
        long version,

        List<Holder> holders) {

    /** An instance holding a line of the key. */
    public record Holder(
            @JsonProperty("instance_id") String instanceId,

            @Schema(allowableValues = {"MODIFIED", "EXCLUSIVE", "SHARED"})
            String state) {}
}
