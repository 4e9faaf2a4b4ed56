package io.sinkron.cache.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

/** This instance's near-cache statistics: what {@code GET /cache/stats} returns. */
public record StatsResponse(
        @JsonProperty("instance_id") String instanceId,
        @Schema(description = "Lines in the near cache") int size,

        @Schema(description = "Capacity in lines (CACHE_MAX_ENTRIES)")
        int capacity,

        long hits,
        long misses,
        @JsonProperty("hit_ratio") double hitRatio,
        long evictions,
        @JsonProperty("invalidations_received") long invalidationsReceived,
        States states) {

    /** Lines per MESI state. */
    public record States(
            @JsonProperty("MODIFIED") int modified,
            @JsonProperty("EXCLUSIVE") int exclusive,
            @JsonProperty("SHARED") int shared) {}
}
