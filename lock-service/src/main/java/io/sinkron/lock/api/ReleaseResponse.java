package io.sinkron.lock.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

@Schema(description = "A release")
public record ReleaseResponse(
        @JsonProperty("lock_id") String lockId,
        @JsonProperty("client_id") String clientId,

        @Schema(description = "True when the owner no longer holds the lock; false while reentrant holds remain")
        boolean released,

        @Schema(description = "Holds the owner still has", example = "0") @JsonProperty("hold_count")
        int holdCount) {}
