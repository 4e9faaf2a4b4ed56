package io.sinkron.queue.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.sinkron.proto.QueueEnqueued;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** What an enqueue answers: one {@link Enqueued}, or a {@link Batch} for a batch request. */
@Schema(oneOf = {EnqueueResponse.Enqueued.class, EnqueueResponse.Batch.class})
public sealed interface EnqueueResponse {

    /** A message committed on a majority of the cluster. */
    record Enqueued(
            @JsonProperty("message_id") String messageId,
            int partition,

            @Schema(description = "Position in the partition: 1, 2, 3, ...")
            long sequence,

            @Schema(
                    description =
                            "The dedup id was seen within the window: this is the original message, nothing was enqueued")
            boolean duplicate)
            implements EnqueueResponse {

        static Enqueued of(QueueEnqueued e) {
            return new Enqueued(e.getMessageId(), e.getPartition(), e.getSequence(), e.getDuplicate());
        }
    }

    /** The messages of a batch, in request order. */
    @Schema(name = "EnqueuedBatch")
    record Batch(List<Enqueued> messages) implements EnqueueResponse {}
}
