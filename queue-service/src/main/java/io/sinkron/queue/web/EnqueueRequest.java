package io.sinkron.queue.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.sinkron.proto.QueueNewMessage;
import io.sinkron.queue.service.QueueProblem;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Body of {@code POST /queue/{queue_id}/enqueue}: either one message (the fields of {@link
 * NewMessage} at the top level) or a batch in {@code messages}.
 */
@Schema(description = "One message, or a batch of them in `messages` (then no other field may be set)")
public record EnqueueRequest(
        @Schema(
                types = {"string", "number", "integer", "boolean", "object", "array"},
                description = "The message: a string or any JSON value")
        JsonNode message,

        @JsonProperty("partition_key")
        @Schema(description = "Messages with the same key go to the same partition, in order")
        String partitionKey,

        @JsonProperty("dedup_id")
        @Schema(description = "A repeat within the queue's dedup window enqueues nothing and returns the original")
        String dedupId,

        @JsonProperty("delay_ms") @PositiveOrZero @Schema(description = "Invisible for this long after enqueueing")
        Long delayMs,

        @Size(min = 1, max = 100) @Valid List<NewMessage> messages) {

    /** One message of a batch. */
    @Schema(name = "BatchMessage")
    public record NewMessage(
            @Schema(
                    types = {"string", "number", "integer", "boolean", "object", "array"},
                    description = "The message: a string or any JSON value",
                    requiredMode = Schema.RequiredMode.REQUIRED)
            JsonNode message,

            @JsonProperty("partition_key") String partitionKey,
            @JsonProperty("dedup_id") String dedupId,
            @JsonProperty("delay_ms") @PositiveOrZero Long delayMs) {}

    boolean isBatch() {
        return messages != null;
    }

    /** The enqueue commands for the message or the batch, refused if they break the size limits. */
    List<QueueNewMessage> toCommands(MessageCodec codec) {
        if (isBatch() && (message != null || partitionKey != null || dedupId != null || delayMs != null)) {
            throw new QueueProblem(QueueProblem.Kind.VALIDATION, "give either one message or 'messages', not both");
        }
        List<NewMessage> batch =
                isBatch() ? messages : List.of(new NewMessage(message, partitionKey, dedupId, delayMs));
        List<QueueNewMessage> commands = new ArrayList<>(batch.size());
        long total = 0;
        for (NewMessage m : batch) {
            QueueNewMessage.Builder command = QueueNewMessage.newBuilder().setBody(codec.encode(m.message()));
            if (m.partitionKey() != null) {
                command.setPartitionKey(m.partitionKey());
            }
            if (m.dedupId() != null) {
                command.setDedupId(m.dedupId());
            }
            if (m.delayMs() != null) {
                command.setDelayMs(m.delayMs());
            }
            total += command.getBody().size();
            commands.add(command.build());
        }
        codec.checkBatch(total);
        return commands;
    }
}
