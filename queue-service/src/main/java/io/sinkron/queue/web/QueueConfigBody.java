package io.sinkron.queue.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.sinkron.proto.QueueConfig;
import io.sinkron.proto.QueueConfigRequest;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * Body of {@code PUT /queue/{queue_id}}, and the {@code config} of a queue. In a PUT every field is
 * optional and an absent one takes its default: the configuration is replaced as a whole.
 */
public record QueueConfigBody(
        @PositiveOrZero @Schema(description = "Default 4; may only grow while the queue holds messages")
        Integer partitions,

        @JsonProperty("delivery_limit")
        @PositiveOrZero
        @Schema(description = "Deliveries before a message moves to the dead-letter queue; 0 = unlimited; default 10")
        Integer deliveryLimit,

        @JsonProperty("visibility_timeout") @PositiveOrZero @Schema(description = "ms; default 30000")
        Long visibilityTimeout,

        @JsonProperty("dead_letter_queue") @Schema(description = "Default `<queue_id>.dlq`")
        String deadLetterQueue,

        @JsonProperty("max_length")
        @PositiveOrZero
        @Schema(description = "Most messages held; enqueues beyond are refused, never dropped; 0 = unlimited (default)")
        Long maxLength,

        @PositiveOrZero
        @Schema(
                description =
                        "ms a visible message may wait before it moves to the dead-letter queue; 0 = forever; default 4 days")
        Long retention,

        @JsonProperty("dedup_window")
        @PositiveOrZero
        @Schema(description = "ms a dedup id is remembered; default 300000")
        Long dedupWindow) {

    QueueConfigRequest toCommand() {
        QueueConfigRequest.Builder command = QueueConfigRequest.newBuilder();
        if (partitions != null) {
            command.setPartitions(partitions);
        }
        if (deliveryLimit != null) {
            command.setDeliveryLimit(deliveryLimit);
        }
        if (visibilityTimeout != null) {
            command.setVisibilityTimeoutMs(visibilityTimeout);
        }
        if (deadLetterQueue != null) {
            command.setDeadLetterQueue(deadLetterQueue);
        }
        if (maxLength != null) {
            command.setMaxLength(maxLength);
        }
        if (retention != null) {
            command.setRetentionMs(retention);
        }
        if (dedupWindow != null) {
            command.setDedupWindowMs(dedupWindow);
        }
        return command.build();
    }

    static QueueConfigBody of(QueueConfig c) {
        return new QueueConfigBody(
                c.getPartitions(),
                c.getDeliveryLimit(),
                c.getVisibilityTimeoutMs(),
                c.getDeadLetterQueue(),
                c.getMaxLength(),
                c.getRetentionMs(),
                c.getDedupWindowMs());
    }
}
