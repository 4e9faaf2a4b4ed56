package io.sinkron.queue.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.sinkron.proto.QueueDelivery;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** What a dequeue answers: the delivered messages, empty if none arrived within {@code wait}. */
public record DequeueResponse(List<Message> messages) {

    /** One delivery of a message, acknowledged with its {@code receipt}. */
    @Schema(name = "DeliveredMessage")
    public record Message(
            @JsonProperty("message_id") String messageId,

            @Schema(
                    types = {"string", "number", "integer", "boolean", "object", "array"},
                    description = "The message as it was enqueued")
            JsonNode message,

            int partition,
            long sequence,

            @Schema(description = "Proof of this delivery, for ack, nack and visibility")
            String receipt,

            @JsonProperty("delivery_count") @Schema(description = "1 on the first delivery")
            int deliveryCount,

            @JsonProperty("enqueued_at") Instant enqueuedAt) {

        static Message of(QueueDelivery d, MessageCodec codec) {
            return new Message(
                    d.getMessageId(),
                    codec.decode(d.getBody()),
                    d.getPartition(),
                    d.getSequence(),
                    d.getReceipt(),
                    d.getDeliveryCount(),
                    Instant.ofEpochMilli(d.getEnqueuedAtMillis()));
        }
    }
}
