package io.sinkron.queue.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.sinkron.proto.QueueInfo;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** A queue: its counts, per partition too when asked for one queue, and its configuration. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QueueView(
        @JsonProperty("queue_id") String queueId,

        @Schema(description = "Visible messages, ready to be delivered")
        long depth,

        @JsonProperty("in_flight") long inFlight,
        @Schema(description = "Waiting for a delay to pass") long delayed,

        @JsonProperty("dead_letter_depth") @Schema(description = "Messages held by the dead-letter queue")
        long deadLetterDepth,

        @JsonProperty("dead_lettered_total")
        @Schema(description = "Messages this queue has moved to its dead-letter queue")
        long deadLetteredTotal,

        @JsonProperty("active_consumers") @Schema(description = "Consumer ids that dequeued within the last 5 minutes")
        int activeConsumers,

        @Schema(description = "Only when one queue is asked for")
        List<Partition> partitions,

        QueueConfigBody config) {

    @Schema(name = "PartitionView")
    public record Partition(
            int partition,
            long depth,
            @JsonProperty("in_flight") long inFlight,
            long delayed,

            @Schema(description = "The Raft group the partition is placed on")
            String group) {}

    /** What {@code GET /queue} answers. */
    @Schema(name = "QueueList")
    public record All(List<QueueView> queues) {}

    static QueueView of(QueueInfo q) {
        List<Partition> partitions = q.getPartitionsCount() == 0
                ? null
                : q.getPartitionsList().stream()
                        .map(p -> new Partition(
                                p.getPartition(), p.getDepth(), p.getInFlight(), p.getDelayed(), p.getGroup()))
                        .toList();
        return new QueueView(
                q.getQueue(),
                q.getDepth(),
                q.getInFlight(),
                q.getDelayed(),
                q.getDeadLetterDepth(),
                q.getDeadLetteredTotal(),
                q.getActiveConsumers(),
                partitions,
                QueueConfigBody.of(q.getConfig()));
    }
}
