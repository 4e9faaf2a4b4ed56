package io.sinkron.queue.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.sinkron.proto.QueueDequeue;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.Duration;

/** Body of {@code POST /queue/{queue_id}/dequeue}; every field is optional. */
public record DequeueRequest(
        @JsonProperty("max_messages") @Min(1) @Max(100) @Schema(description = "1..100, default 1")
        Integer maxMessages,

        @JsonProperty("visibility_timeout")
        @PositiveOrZero
        @Max(43_200_000)
        @Schema(description = "Lease in ms; default: the queue's visibility timeout")
        Long visibilityTimeout,

        @JsonProperty("wait")
        @PositiveOrZero
        @Max(20_000)
        @Schema(description = "Long poll: wait up to this many ms for messages; default 0")
        Long waitMs,

        @JsonProperty("consumer_id") @Size(max = 128) String consumerId) {

    static final DequeueRequest DEFAULTS = new DequeueRequest(null, null, null, null);

    QueueDequeue toCommand(String queue) {
        QueueDequeue.Builder command =
                QueueDequeue.newBuilder().setQueue(queue).setMaxMessages(maxMessages == null ? 1 : maxMessages);
        if (visibilityTimeout != null) {
            command.setVisibilityTimeoutMs(visibilityTimeout);
        }
        if (consumerId != null) {
            command.setConsumerId(consumerId);
        }
        return command.build();
    }

    Duration waitOrZero() {
        return waitMs == null ? Duration.ZERO : Duration.ofMillis(waitMs);
    }
}
