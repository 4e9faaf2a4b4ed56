package io.sinkron.queue.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.sinkron.proto.QueueReceiptOutcome;
import io.swagger.v3.oas.annotations.media.Schema;

/** What ack, nack and visibility answer about one message. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReceiptResponse(
        @JsonProperty("message_id") String messageId,

        @Schema(allowableValues = {"acked", "nacked", "extended", "not_found", "stale_receipt", "invalid"})
        String result,

        @Schema(description = "Why a receipt of a list was refused")
        String detail) {

    /** The result of acking one receipt. */
    static ReceiptResponse of(QueueReceiptOutcome o) {
        return switch (o.getStatus()) {
            case QUEUE_STATUS_OK -> new ReceiptResponse(o.getMessageId(), "acked", null);
            case QUEUE_STATUS_MESSAGE_NOT_FOUND -> new ReceiptResponse(o.getMessageId(), "not_found", o.getDetail());
            case QUEUE_STATUS_STALE_RECEIPT -> new ReceiptResponse(o.getMessageId(), "stale_receipt", o.getDetail());
            default -> new ReceiptResponse(o.getMessageId(), "invalid", o.getDetail());
        };
    }
}
