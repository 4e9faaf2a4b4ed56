package io.sinkron.lock.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

@Schema(description = "A fencing token to check")
public record ValidateRequest(
        @Schema(example = "1042", minimum = "0") @NotNull @Min(0) @JsonProperty("fencing_token")
        Long fencingToken) {}
