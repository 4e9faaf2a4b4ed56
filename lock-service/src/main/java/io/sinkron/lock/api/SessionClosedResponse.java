package io.sinkron.lock.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

@Schema(description = "A closed session")
public record SessionClosedResponse(
        @JsonProperty("session_id") String sessionId,

        @Schema(description = "Locks the session held, now released", example = "2") @JsonProperty("released_locks")
        int releasedLocks) {}
