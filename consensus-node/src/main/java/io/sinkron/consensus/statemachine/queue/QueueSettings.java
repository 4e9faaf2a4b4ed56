package io.sinkron.consensus.statemachine.queue;

import io.sinkron.proto.QueueConfig;
import io.sinkron.proto.QueueConfigRequest;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.regex.Pattern;

/**
 * The configuration of one queue, with every default resolved.
 *
 * <p>Defaults (a queue created by its first enqueue gets all of them):
 *
 * <ul>
 *   <li>{@code partitions} {@value #DEFAULT_PARTITIONS};
 *   <li>{@code delivery_limit} {@value #DEFAULT_DELIVERY_LIMIT} deliveries, then the message moves
 *       to the dead-letter queue;
 *   <li>{@code visibility_timeout} 30 s;
 *   <li>{@code dead_letter_queue} {@code <queue>.dlq};
 *   <li>{@code max_length} 0, unlimited;
 *   <li>{@code retention} 4 days: a visible message older than that moves to the dead-letter
 *       queue (it is never dropped);
 *   <li>{@code dedup_window} 5 minutes.
 * </ul>
 *
 * A dead-letter queue created by the first message moved into it gets {@link #forDeadLetters}:
 * the source's partition count, and no delivery limit and no retention, so dead letters stay until
 * someone acknowledges them.
 */
record QueueSettings(
        int partitions,
        int deliveryLimit,
        long visibilityTimeoutMs,
        String deadLetterQueue,
        long maxLength,
        long retentionMs,
        long dedupWindowMs) {

    static final int DEFAULT_PARTITIONS = 4;
    static final int DEFAULT_DELIVERY_LIMIT = 10;
    static final long DEFAULT_VISIBILITY_TIMEOUT_MS = 30_000;
    static final long DEFAULT_RETENTION_MS = 4L * 24 * 3600 * 1000;
    static final long DEFAULT_DEDUP_WINDOW_MS = 5L * 60 * 1000;
    static final String DEAD_LETTER_SUFFIX = ".dlq";

    static final int MAX_PARTITIONS = 1024;
    static final int MAX_DELIVERY_LIMIT = 1000;
    /** Longest lease, delay and visibility timeout: 12 hours, as in SQS. */
    static final long MAX_TIMEOUT_MS = 12L * 3600 * 1000;

    static final long MAX_RETENTION_MS = 365L * 24 * 3600 * 1000;
    static final long MAX_DEDUP_WINDOW_MS = 24L * 3600 * 1000;
    static final int MAX_NAME_LENGTH = 255;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    static QueueSettings defaults(String queue) {
        return new QueueSettings(
                        DEFAULT_PARTITIONS,
                        DEFAULT_DELIVERY_LIMIT,
                        DEFAULT_VISIBILITY_TIMEOUT_MS,
                        queue + DEAD_LETTER_SUFFIX,
                        0,
                        DEFAULT_RETENTION_MS,
                        DEFAULT_DEDUP_WINDOW_MS)
                .validated(queue);
    }

    static QueueSettings forDeadLetters(int partitions) {
        return new QueueSettings(partitions, 0, DEFAULT_VISIBILITY_TIMEOUT_MS, "", 0, 0, DEFAULT_DEDUP_WINDOW_MS);
    }

    /** The configuration {@code request} asks for, absent fields defaulted. */
    static QueueSettings of(String queue, QueueConfigRequest request) {
        return new QueueSettings(
                        request.hasPartitions() ? request.getPartitions() : DEFAULT_PARTITIONS,
                        request.hasDeliveryLimit() ? request.getDeliveryLimit() : DEFAULT_DELIVERY_LIMIT,
                        request.hasVisibilityTimeoutMs()
                                ? request.getVisibilityTimeoutMs()
                                : DEFAULT_VISIBILITY_TIMEOUT_MS,
                        request.hasDeadLetterQueue() ? request.getDeadLetterQueue() : queue + DEAD_LETTER_SUFFIX,
                        request.hasMaxLength() ? request.getMaxLength() : 0,
                        request.hasRetentionMs() ? request.getRetentionMs() : DEFAULT_RETENTION_MS,
                        request.hasDedupWindowMs() ? request.getDedupWindowMs() : DEFAULT_DEDUP_WINDOW_MS)
                .validated(queue);
    }

    static void checkName(String queue, String what) {
        if (queue.isEmpty()
                || queue.length() > MAX_NAME_LENGTH
                || !NAME.matcher(queue).matches()) {
            throw Rejection.invalid(what + " '" + queue + "' must be 1.." + MAX_NAME_LENGTH
                    + " characters of letters, digits, '.', '_' and '-'");
        }
    }

    /** Whether messages can ever leave this queue for the dead-letter queue. */
    boolean deadLetters() {
        return deliveryLimit > 0 || retentionMs > 0;
    }

    private QueueSettings validated(String queue) {
        // Unsigned protobuf fields arrive as Java ints and longs; negative means "too large".
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw Rejection.invalid("partitions must be in 1.." + MAX_PARTITIONS);
        }
        if (deliveryLimit < 0 || deliveryLimit > MAX_DELIVERY_LIMIT) {
            throw Rejection.invalid("delivery_limit must be in 0.." + MAX_DELIVERY_LIMIT + " (0 = unlimited)");
        }
        if (visibilityTimeoutMs < 0 || visibilityTimeoutMs > MAX_TIMEOUT_MS) {
            throw Rejection.invalid("visibility_timeout must be in 0.." + MAX_TIMEOUT_MS + " ms");
        }
        if (maxLength < 0) {
            throw Rejection.invalid("max_length must not be negative");
        }
        if (retentionMs < 0 || retentionMs > MAX_RETENTION_MS) {
            throw Rejection.invalid("retention must be in 0.." + MAX_RETENTION_MS + " ms (0 = forever)");
        }
        if (dedupWindowMs < 0 || dedupWindowMs > MAX_DEDUP_WINDOW_MS) {
            throw Rejection.invalid("dedup_window must be in 0.." + MAX_DEDUP_WINDOW_MS + " ms");
        }
        if (deadLetterQueue.isEmpty()) {
            if (deadLetters()) {
                throw Rejection.invalid(
                        "a dead_letter_queue is required unless delivery_limit and retention are both 0");
            }
        } else {
            checkName(deadLetterQueue, "dead_letter_queue");
            if (deadLetterQueue.equals(queue)) {
                throw Rejection.invalid("a queue cannot be its own dead_letter_queue");
            }
        }
        return this;
    }

    QueueConfig toProto() {
        return QueueConfig.newBuilder()
                .setPartitions(partitions)
                .setDeliveryLimit(deliveryLimit)
                .setVisibilityTimeoutMs(visibilityTimeoutMs)
                .setDeadLetterQueue(deadLetterQueue)
                .setMaxLength(maxLength)
                .setRetentionMs(retentionMs)
                .setDedupWindowMs(dedupWindowMs)
                .build();
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(partitions);
        out.writeInt(deliveryLimit);
        out.writeLong(visibilityTimeoutMs);
        out.writeUTF(deadLetterQueue);
        out.writeLong(maxLength);
        out.writeLong(retentionMs);
        out.writeLong(dedupWindowMs);
    }

    static QueueSettings read(DataInputStream in) throws IOException {
        return new QueueSettings(
                in.readInt(), in.readInt(), in.readLong(), in.readUTF(), in.readLong(), in.readLong(), in.readLong());
    }
}
