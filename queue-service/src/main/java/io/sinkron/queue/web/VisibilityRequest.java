package io.sinkron.queue.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

/** Body of {@code POST /queue/{queue_id}/visibility}. */
public record VisibilityRequest(
        @JsonProperty("message_id") @NotBlank String messageId,
        @NotBlank String receipt,

        @JsonProperty("visibility_timeout")
        @NotNull
        @PositiveOrZero
        @Schema(description = "The lease now ends this many ms from now")
        Long visibilityTimeout) {}
