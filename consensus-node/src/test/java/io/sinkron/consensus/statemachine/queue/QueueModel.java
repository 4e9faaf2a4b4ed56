package io.sinkron.consensus.statemachine.queue;

import io.sinkron.proto.QueueDelivery;
import io.sinkron.proto.QueueEnqueued;
import io.sinkron.proto.QueueStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The queue semantics written as plainly as possible, to check {@link QueueStateMachine} against:
 * lists scanned on every step instead of rings, heaps and indexes. It shares only the spec's fixed
 * functions with the real thing (the partition hash and the receipt format).
 */
final class QueueModel {

    static final int VISIBLE = 0;
    static final int IN_FLIGHT = 1;
    static final int DELAYED = 2;

    static final class Message {
        final long id;
        final String body;
        int partition;
        long sequence;
        long enqueuedAt;
        int state = VISIBLE;
        long due;
        long deliveredAt;
        int deliveries;

        Message(long id, String body) {
            this.id = id;
            this.body = body;
        }
    }

    record Dedup(long id, int partition, long sequence, long expiresAt) {}

    static final class Queue {
        final String name;
        final QueueSettings settings;
        final List<Message> messages = new ArrayList<>();
        final long[] lastSequence;
        final Map<String, Dedup> dedup = new HashMap<>();
        int cursor;
        long deadLettered;

        Queue(String name, QueueSettings settings) {
            this.name = name;
            this.settings = settings;
            this.lastSequence = new long[settings.partitions()];
        }

        long count(int partition, int state) {
            return messages.stream()
                    .filter(m -> (partition < 0 || m.partition == partition) && m.state == state)
                    .count();
        }

        Message oldestVisible(int partition) {
            return messages.stream()
                    .filter(m -> m.partition == partition && m.state == VISIBLE)
                    .min(Comparator.comparingLong(m -> m.sequence))
                    .orElse(null);
        }

        Message find(long id) {
            return messages.stream().filter(m -> m.id == id).findFirst().orElse(null);
        }
    }

    record NewMessage(String body, String partitionKey, String dedupId, long delayMs) {}

    final TreeMap<String, Queue> queues = new TreeMap<>();
    long now;

    void configure(String name, QueueSettings settings) {
        queues.put(name, new Queue(name, settings));
    }

    /** What happens before every command and on clock entries. */
    void advance(long time) {
        now = Math.max(now, time);
        for (Queue q : List.copyOf(queues.values())) {
            List<Message> due = q.messages.stream()
                    .filter(m -> m.state != VISIBLE && m.due <= now)
                    .sorted(Comparator.<Message>comparingLong(m -> m.due).thenComparingLong(m -> m.id))
                    .toList();
            for (Message m : due) {
                if (m.state == IN_FLIGHT && (exhausted(q, m) || pastRetention(q, m))) {
                    deadLetter(q, m);
                } else {
                    m.state = VISIBLE;
                }
            }
            if (q.settings.retentionMs() > 0) {
                for (int p = 0; p < q.settings.partitions(); p++) {
                    Message oldest;
                    while ((oldest = q.oldestVisible(p)) != null && pastRetention(q, oldest)) {
                        deadLetter(q, oldest);
                    }
                }
            }
        }
    }

    /** The expected result of an enqueue at log index {@code index}, or null if the queue is full. */
    List<QueueEnqueued> enqueue(String name, List<NewMessage> messages, long index) {
        Queue q = queues.get(name);
        // A queue without a dedup window ignores dedup ids.
        List<NewMessage> batch = q.settings.dedupWindowMs() > 0
                ? messages
                : messages.stream()
                        .map(m -> new NewMessage(m.body(), m.partitionKey(), null, m.delayMs()))
                        .toList();
        List<QueueEnqueued> results = new ArrayList<>();
        Map<String, Integer> inBatch = new HashMap<>();
        int fresh = 0;
        for (int i = 0; i < batch.size(); i++) {
            NewMessage m = batch.get(i);
            if (m.dedupId() == null || (live(q, m.dedupId()) == null && inBatch.putIfAbsent(m.dedupId(), i) == null)) {
                fresh++;
            }
        }
        if (q.settings.maxLength() > 0 && q.messages.size() + fresh > q.settings.maxLength()) {
            return null;
        }
        inBatch.clear();
        for (int i = 0; i < batch.size(); i++) {
            NewMessage n = batch.get(i);
            Dedup original = n.dedupId() == null ? null : live(q, n.dedupId());
            if (original != null) {
                results.add(enqueued(original.id(), original.partition(), original.sequence(), true));
                continue;
            }
            if (n.dedupId() != null && inBatch.containsKey(n.dedupId())) {
                results.add(results.get(inBatch.get(n.dedupId())).toBuilder()
                        .setDuplicate(true)
                        .build());
                continue;
            }
            if (n.dedupId() != null) {
                inBatch.put(n.dedupId(), i);
            }
            long id = MessageId.of(index, i);
            Message m = new Message(id, n.body());
            m.partition = StableHash.bucket(
                    n.partitionKey() != null ? n.partitionKey() : MessageId.format(id), q.settings.partitions());
            m.sequence = ++q.lastSequence[m.partition];
            m.enqueuedAt = now;
            if (n.delayMs() > 0) {
                m.state = DELAYED;
                m.due = now + n.delayMs();
            }
            q.messages.add(m);
            if (n.dedupId() != null) {
                q.dedup.put(n.dedupId(), new Dedup(id, m.partition, m.sequence, now + q.settings.dedupWindowMs()));
            }
            results.add(enqueued(id, m.partition, m.sequence, false));
        }
        return results;
    }

    List<QueueDelivery> dequeue(String name, int max, long lease, long index) {
        Queue q = queues.get(name);
        List<QueueDelivery> out = new ArrayList<>();
        if (q == null) {
            return out;
        }
        int partitions = q.settings.partitions();
        int emptyInARow = 0;
        while (out.size() < max && emptyInARow < partitions) {
            Message m = q.oldestVisible(q.cursor);
            if (m == null) {
                emptyInARow++;
            } else {
                emptyInARow = 0;
                m.state = IN_FLIGHT;
                m.deliveries++;
                m.deliveredAt = index;
                m.due = now + lease;
                out.add(QueueDelivery.newBuilder()
                        .setMessageId(MessageId.format(m.id))
                        .setBody(QueueHarness.bytes(m.body))
                        .setPartition(m.partition)
                        .setSequence(m.sequence)
                        .setReceipt(new Receipt(m.id, index, m.deliveries).format())
                        .setDeliveryCount(m.deliveries)
                        .setEnqueuedAtMillis(m.enqueuedAt)
                        .setDeliveredAtMillis(now)
                        .build());
            }
            q.cursor = (q.cursor + 1) % partitions;
        }
        return out;
    }

    QueueStatus ack(String name, QueueDelivery d) {
        Queue q = queues.get(name);
        QueueStatus status = check(q, d);
        if (status == QueueStatus.QUEUE_STATUS_OK) {
            q.messages.remove(q.find(MessageId.parse(d.getMessageId())));
        }
        return status;
    }

    QueueStatus nack(String name, QueueDelivery d, long delayMs) {
        Queue q = queues.get(name);
        QueueStatus status = check(q, d);
        if (status == QueueStatus.QUEUE_STATUS_OK) {
            Message m = q.find(MessageId.parse(d.getMessageId()));
            if (exhausted(q, m)) {
                deadLetter(q, m);
            } else if (delayMs > 0) {
                m.state = DELAYED;
                m.due = now + delayMs;
            } else {
                m.state = VISIBLE;
            }
        }
        return status;
    }

    QueueStatus extend(String name, QueueDelivery d, long lease) {
        Queue q = queues.get(name);
        QueueStatus status = check(q, d);
        if (status == QueueStatus.QUEUE_STATUS_OK) {
            q.find(MessageId.parse(d.getMessageId())).due = now + lease;
        }
        return status;
    }

    private QueueStatus check(Queue q, QueueDelivery d) {
        if (q == null) {
            return QueueStatus.QUEUE_STATUS_QUEUE_NOT_FOUND;
        }
        Message m = q.find(MessageId.parse(d.getMessageId()));
        if (m == null) {
            return QueueStatus.QUEUE_STATUS_MESSAGE_NOT_FOUND;
        }
        Receipt r = Receipt.parse(d.getReceipt());
        if (r.deliveredAt() != m.deliveredAt || m.state != IN_FLIGHT) {
            return QueueStatus.QUEUE_STATUS_STALE_RECEIPT;
        }
        return QueueStatus.QUEUE_STATUS_OK;
    }

    private Dedup live(Queue q, String dedupId) {
        Dedup d = q.dedup.get(dedupId);
        return d != null && d.expiresAt() > now ? d : null;
    }

    private boolean exhausted(Queue q, Message m) {
        return q.settings.deliveryLimit() > 0 && m.deliveries >= q.settings.deliveryLimit();
    }

    private boolean pastRetention(Queue q, Message m) {
        return q.settings.retentionMs() > 0 && m.enqueuedAt + q.settings.retentionMs() <= now;
    }

    private void deadLetter(Queue q, Message m) {
        q.messages.remove(m);
        q.deadLettered++;
        Queue target = queues.computeIfAbsent(
                q.settings.deadLetterQueue(), n -> new Queue(n, QueueSettings.forDeadLetters(q.settings.partitions())));
        Message moved = new Message(m.id, m.body);
        moved.partition = m.partition % target.settings.partitions();
        moved.sequence = ++target.lastSequence[moved.partition];
        moved.enqueuedAt = now;
        target.messages.add(moved);
    }

    private static QueueEnqueued enqueued(long id, int partition, long sequence, boolean duplicate) {
        return QueueEnqueued.newBuilder()
                .setMessageId(MessageId.format(id))
                .setPartition(partition)
                .setSequence(sequence)
                .setDuplicate(duplicate)
                .build();
    }
}
