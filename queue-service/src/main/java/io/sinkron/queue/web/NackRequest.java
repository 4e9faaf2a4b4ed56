package io.sinkron.queue.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;

/** Body of {@code POST /queue/{queue_id}/nack}. */
public record NackRequest(
        @JsonProperty("message_id") @NotBlank String messageId,
        @NotBlank String receipt,

        @JsonProperty("delay_ms") @PositiveOrZero @Schema(description = "Visible again after this many ms; default 0")
        Long delayMs) {}
