package io.sinkron.lock.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

@Schema(description = "A request to acquire a lock")
public record AcquireRequest(
        @Schema(description = "Shared holders coexist; an exclusive holder is alone", example = "exclusive")
        @NotNull
        @JsonProperty("lock_type")
        LockType lockType,

        @Schema(
                description = "Milliseconds to wait for the lock; 0 tries once",
                defaultValue = "0",
                minimum = "0",
                maximum = "600000",
                example = "5000")
        @Min(0)
        @Max(Limits.MAX_TIMEOUT_MILLIS)
        Long timeout,

        @Schema(description = "The lock's owner", example = "worker-17", maxLength = Limits.MAX_ID_LENGTH)
        @NotBlank
        @Size(max = Limits.MAX_ID_LENGTH)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_MESSAGE)
        @JsonProperty("client_id")
        String clientId,

        @Schema(
                description = "Lease in milliseconds, renewed by keepalive; without ttl or session_id the"
                        + " lease is 30000 ms",
                minimum = "100",
                maximum = "86400000",
                example = "30000")
        @Min(Limits.MIN_TTL_MILLIS)
        @Max(Limits.MAX_TTL_MILLIS)
        Long ttl,

        @Schema(
                description = "Bind the lock to this session of the owner: it lives as long as the session",
                example = "session-42")
        @Size(max = Limits.MAX_ID_LENGTH)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_MESSAGE)
        @JsonProperty("session_id")
        String sessionId) {}
