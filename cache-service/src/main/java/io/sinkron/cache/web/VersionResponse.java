package io.sinkron.cache.web;

import io.swagger.v3.oas.annotations.media.Schema;

/** What a successful {@code PUT /cache/{key}} returns. */
public record VersionResponse(
        String key,

        @Schema(description = "The new version; also the ETag")
        long version) {}
