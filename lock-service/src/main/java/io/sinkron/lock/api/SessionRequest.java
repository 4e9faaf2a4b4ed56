package io.sinkron.lock.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

@Schema(description = "A request to open a lock-user session")
public record SessionRequest(
        @Schema(example = "worker-17")
        @NotBlank
        @Size(max = Limits.MAX_ID_LENGTH)
        @Pattern(regexp = Limits.ID_PATTERN, message = Limits.ID_MESSAGE)
        @JsonProperty("client_id")
        String clientId,

        @Schema(
                description = "Milliseconds the session lives without a keepalive",
                minimum = "100",
                maximum = "86400000",
                example = "10000")
        @NotNull
        @Min(Limits.MIN_TTL_MILLIS)
        @Max(Limits.MAX_TTL_MILLIS)
        Long ttl) {}
