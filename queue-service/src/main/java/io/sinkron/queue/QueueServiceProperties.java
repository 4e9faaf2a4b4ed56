package io.sinkron.queue;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of queue-service, under {@code sinkron.queue}.
 *
 * @param consensusNodes the consensus nodes, {@code host:port,host:port}; environment variable
 *     {@code CONSENSUS_NODES}
 * @param maxMessageSize largest message, measured as the bytes of its JSON text; larger ones are
 *     refused with 413
 * @param maxBatchSize largest total of the messages in one enqueue, and most message bytes one
 *     dequeue returns: a command and its answer must fit in a gRPC message (4 MiB by default)
 * @param maxRequestSize largest request body read at all
 * @param maxWait longest long-poll a dequeue may ask for
 * @param metricsRefresh how often queue depths are read from the cluster for the gauges
 * @param commandsInFlightPerQueue enqueue (and, separately, ack) commands of one queue that may be
 *     on their way to the cluster at once; requests that arrive meanwhile are coalesced into the
 *     next command, each still answered on its own
 */
@ConfigurationProperties("sinkron.queue")
public record QueueServiceProperties(
        String consensusNodes,
        @DefaultValue("1MB") DataSize maxMessageSize,
        @DefaultValue("3MB") DataSize maxBatchSize,
        @DefaultValue("8MB") DataSize maxRequestSize,
        @DefaultValue("20s") Duration maxWait,
        @DefaultValue("5s") Duration metricsRefresh,
        @DefaultValue("4") int commandsInFlightPerQueue) {

    public QueueServiceProperties {
        if (consensusNodes == null || consensusNodes.isBlank()) {
            throw new IllegalArgumentException(
                    "sinkron.queue.consensus-nodes (CONSENSUS_NODES) must name the consensus nodes");
        }
        if (maxMessageSize.compareTo(maxBatchSize) > 0) {
            throw new IllegalArgumentException(
                    "max-message-size " + maxMessageSize + " exceeds max-batch-size " + maxBatchSize);
        }
        if (commandsInFlightPerQueue < 1) {
            throw new IllegalArgumentException(
                    "commands-in-flight-per-queue must be at least 1, got " + commandsInFlightPerQueue);
        }
        if (maxBatchSize.compareTo(maxRequestSize) > 0) {
            throw new IllegalArgumentException(
                    "max-batch-size " + maxBatchSize + " exceeds max-request-size " + maxRequestSize);
        }
    }
}
