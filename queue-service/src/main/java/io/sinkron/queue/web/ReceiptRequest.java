package io.sinkron.queue.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;

/** A delivered message and the receipt of that delivery: the body of an ack, or one of a list. */
public record ReceiptRequest(
        @JsonProperty("message_id") @NotBlank String messageId,
        @NotBlank String receipt) {}
