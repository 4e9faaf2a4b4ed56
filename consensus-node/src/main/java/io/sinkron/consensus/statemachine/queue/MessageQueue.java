package io.sinkron.consensus.statemachine.queue;

import com.google.protobuf.ByteString;
import io.sinkron.proto.QueueConfigRequest;
import io.sinkron.proto.QueueDelivery;
import io.sinkron.proto.QueueDequeue;
import io.sinkron.proto.QueueEnqueued;
import io.sinkron.proto.QueueInfo;
import io.sinkron.proto.QueueNewMessage;
import io.sinkron.proto.QueuePartitionInfo;
import io.sinkron.proto.QueueReceipt;
import io.sinkron.proto.QueueStatus;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * One queue: its partitions, resident messages, timers and dedup window.
 *
 * <p>A message is in one of three states: visible (waiting in its partition), in flight (delivered
 * under a receipt until its lease ends) or delayed (invisible until a given log time). Its life:
 *
 * <ul>
 *   <li>enqueue puts it into {@code hash(partition_key or message_id) mod partitions}, visible or,
 *       with a delay, delayed;
 *   <li>dequeue takes visible messages from the partitions in turn (a round-robin cursor that is
 *       part of the replicated state), the lowest sequence of each partition first;
 *   <li>ack removes an in-flight message; nack, or the end of its lease, makes it visible again
 *       unless it has had {@code delivery_limit} deliveries, in which case it moves to the
 *       dead-letter queue;
 *   <li>a visible message older than {@code retention} moves to the dead-letter queue too. Nothing
 *       is ever dropped except by ack or by deleting the queue.
 * </ul>
 *
 * Methods that check their input throw {@link Rejection} before they change anything.
 */
final class MessageQueue {

    /** What a queue needs from the other queues of its state machine. */
    interface Neighbours {

        /** The dead-letter queue of {@code source}, created if it does not exist yet. */
        MessageQueue deadLetterQueueOf(MessageQueue source);

        /** Messages of {@code queue} became visible during the command being applied. */
        void madeVisible(MessageQueue queue);

        /** The queue has something to do at log time {@code millis}: a timer or a retention check. */
        void wakeAt(long millis);
    }

    static final int MAX_PARTITION_KEY_LENGTH = 256;
    static final int MAX_DEDUP_ID_LENGTH = 128;
    static final int MAX_CONSUMER_ID_LENGTH = 128;

    private final String name;
    private final Neighbours neighbours;
    private final MessageStore store = new MessageStore();
    private final TimerQueue timers = new TimerQueue();
    private final DedupWindow dedup = new DedupWindow();
    private final ActiveConsumers consumers = new ActiveConsumers();
    private QueueSettings settings;
    private Partition[] partitions;
    private int cursor;
    private long deadLetteredTotal;
    private int visible;
    private int inFlight;
    private int delayed;
    // Log time at which the oldest visible message outlives retention; derived, never snapshotted.
    private long retentionDue = Long.MAX_VALUE;

    MessageQueue(String name, QueueSettings settings, Neighbours neighbours) {
        this.name = name;
        this.settings = settings;
        this.neighbours = neighbours;
        this.partitions = IntStream.range(0, settings.partitions())
                .mapToObj(i -> new Partition(store))
                .toArray(Partition[]::new);
    }

    String name() {
        return name;
    }

    QueueSettings settings() {
        return settings;
    }

    /** Messages the queue holds in any state. */
    int resident() {
        return store.size();
    }

    int visible() {
        return visible;
    }

    /** The earliest log time at which {@link #processDue} has work, or {@link Long#MAX_VALUE}. */
    long nextDue() {
        return Math.min(timers.peekTime(), retentionDue);
    }

    List<QueueEnqueued> enqueue(List<QueueNewMessage> messages, long index, long now) {
        if (messages.isEmpty() || messages.size() > MessageId.MAX_PER_COMMAND) {
            throw Rejection.invalid("an enqueue carries 1.." + MessageId.MAX_PER_COMMAND + " messages");
        }
        for (QueueNewMessage m : messages) {
            check(m);
        }
        dedup.prune(now);
        // First decide which messages are duplicates (of earlier enqueues or of earlier messages in
        // this batch), so that a batch that does not fit is refused before anything is stored.
        DedupWindow.Entry[] originals = new DedupWindow.Entry[messages.size()];
        int[] inBatchOriginal = new int[messages.size()];
        Map<String, Integer> batchDedupIds = new HashMap<>();
        int fresh = 0;
        for (int i = 0; i < messages.size(); i++) {
            inBatchOriginal[i] = -1;
            QueueNewMessage m = messages.get(i);
            if (deduplicates(m)) {
                originals[i] = dedup.find(m.getDedupId(), now);
                Integer earlier = batchDedupIds.putIfAbsent(m.getDedupId(), i);
                if (originals[i] == null && earlier != null) {
                    inBatchOriginal[i] = earlier;
                }
            }
            if (originals[i] == null && inBatchOriginal[i] < 0) {
                fresh++;
            }
        }
        if (settings.maxLength() > 0 && store.size() + (long) fresh > settings.maxLength()) {
            throw new Rejection(
                    QueueStatus.QUEUE_STATUS_QUEUE_FULL,
                    "queue '" + name + "' holds " + store.size() + " of at most " + settings.maxLength() + " messages; "
                            + fresh + " more do not fit");
        }
        List<QueueEnqueued> results = new ArrayList<>(messages.size());
        boolean madeVisible = false;
        for (int i = 0; i < messages.size(); i++) {
            QueueNewMessage m = messages.get(i);
            if (originals[i] != null) {
                DedupWindow.Entry e = originals[i];
                results.add(enqueued(e.messageId(), e.partition(), e.sequence(), true));
                continue;
            }
            if (inBatchOriginal[i] >= 0) {
                results.add(results.get(inBatchOriginal[i]).toBuilder()
                        .setDuplicate(true)
                        .build());
                continue;
            }
            long id = MessageId.of(index, i);
            String key = m.hasPartitionKey() ? m.getPartitionKey() : MessageId.format(id);
            int p = StableHash.bucket(key, partitions.length);
            Partition partition = partitions[p];
            long sequence = partition.nextSequence();
            int slot = store.add(id, p, sequence, now, m.getBody().toByteArray());
            if (m.getDelayMs() > 0) {
                delay(slot, partition, now + m.getDelayMs());
            } else {
                partition.addFresh(slot);
                becameVisible(slot);
                madeVisible = true;
            }
            if (deduplicates(m)) {
                dedup.record(m.getDedupId(), new DedupWindow.Entry(id, p, sequence, now + settings.dedupWindowMs()));
            }
            results.add(enqueued(id, p, sequence, false));
        }
        if (madeVisible) {
            neighbours.madeVisible(this);
        }
        return results;
    }

    /**
     * Delivers up to {@code request.max_messages} visible messages, taking one from each partition
     * in turn, each under a lease of the requested or the queue's visibility timeout.
     */
    List<QueueDelivery> dequeue(QueueDequeue request, long index, long now) {
        check(request);
        int max = request.getMaxMessages();
        long lease =
                request.hasVisibilityTimeoutMs() ? request.getVisibilityTimeoutMs() : settings.visibilityTimeoutMs();
        String consumerId = request.getConsumerId();
        long maxBytes = request.getMaxBytes();
        if (!consumerId.isEmpty()) {
            consumers.seen(consumerId, now);
        }
        List<QueueDelivery> deliveries = new ArrayList<>();
        long bytes = 0;
        int emptyInARow = 0;
        while (deliveries.size() < max && emptyInARow < partitions.length) {
            Partition partition = partitions[cursor];
            int slot = partition.peekVisible();
            if (slot < 0) {
                emptyInARow++;
            } else {
                int length = store.body(slot).length;
                if (maxBytes > 0 && !deliveries.isEmpty() && bytes + length > maxBytes) {
                    // This partition keeps its turn for the next dequeue.
                    break;
                }
                emptyInARow = 0;
                partition.pollVisible();
                visible--;
                store.deliver(slot, index, now + lease);
                partition.inFlight++;
                inFlight++;
                addTimer(now + lease, store.id(slot));
                bytes += length;
                deliveries.add(delivery(slot, now));
            }
            cursor = (cursor + 1) % partitions.length;
        }
        return deliveries;
    }

    /** Removes the in-flight message the receipt was issued for. */
    void ack(QueueReceipt receipt) {
        int slot = inFlightSlot(receipt);
        leaveFlight(slot);
        store.remove(slot);
    }

    /** Gives an in-flight message back, visible again after {@code delayMs}. */
    void nack(QueueReceipt receipt, long delayMs, long now) {
        if (delayMs < 0 || delayMs > QueueSettings.MAX_TIMEOUT_MS) {
            throw Rejection.invalid("delay_ms must be in 0.." + QueueSettings.MAX_TIMEOUT_MS);
        }
        int slot = inFlightSlot(receipt);
        leaveFlight(slot);
        if (exhausted(slot)) {
            deadLetter(slot, now);
        } else if (delayMs > 0) {
            delay(slot, partitions[store.partition(slot)], now + delayMs);
        } else {
            returnToPartition(slot);
        }
    }

    /** Sets the lease of an in-flight message to end {@code visibilityTimeoutMs} from now. */
    void changeVisibility(QueueReceipt receipt, long visibilityTimeoutMs, long now) {
        if (visibilityTimeoutMs < 0 || visibilityTimeoutMs > QueueSettings.MAX_TIMEOUT_MS) {
            throw Rejection.invalid("visibility_timeout must be in 0.." + QueueSettings.MAX_TIMEOUT_MS + " ms");
        }
        int slot = inFlightSlot(receipt);
        store.extendLease(slot, now + visibilityTimeoutMs);
        addTimer(now + visibilityTimeoutMs, store.id(slot));
    }

    /** Replaces the configuration; partitions may only shrink while the queue is empty. */
    void configure(QueueConfigRequest request) {
        QueueSettings next = QueueSettings.of(name, request);
        if (next.partitions() < partitions.length && store.size() > 0) {
            throw new Rejection(
                    QueueStatus.QUEUE_STATUS_CONFLICT,
                    "queue '" + name + "' holds messages, so its partitions can grow but not shrink");
        }
        if (next.partitions() != partitions.length) {
            Partition[] resized = Arrays.copyOf(partitions, next.partitions());
            for (int i = partitions.length; i < resized.length; i++) {
                resized[i] = new Partition(store);
            }
            partitions = resized;
            cursor %= partitions.length;
        }
        settings = next;
        // Retention may have shortened: look at every partition's oldest message at the next tick.
        retentionDue = Long.MIN_VALUE;
        neighbours.wakeAt(retentionDue);
    }

    /** Leases that ended, delays that passed and messages past retention, up to log time {@code now}. */
    void processDue(long now) {
        while (timers.peekTime() <= now) {
            long time = timers.peekTime();
            long id = timers.peekId();
            timers.poll();
            int slot = store.slotOf(id);
            // Acked, extended or re-delivered since this entry was added: nothing to do.
            if (slot < 0 || store.dueAt(slot) != time || store.state(slot) == MessageStore.VISIBLE) {
                continue;
            }
            if (store.state(slot) == MessageStore.IN_FLIGHT) {
                leaveFlight(slot);
                if (exhausted(slot) || pastRetention(slot, now)) {
                    deadLetter(slot, now);
                } else {
                    returnToPartition(slot);
                }
            } else {
                Partition partition = partitions[store.partition(slot)];
                partition.delayed--;
                delayed--;
                returnToPartition(slot);
            }
        }
        if (retentionDue <= now) {
            sweepRetention(now);
        }
    }

    /** Takes in a message moved here from {@code sourcePartition} of another queue's. */
    void acceptDeadLetter(long id, int sourcePartition, byte[] body, long now) {
        int p = sourcePartition % partitions.length;
        Partition partition = partitions[p];
        int slot = store.add(id, p, partition.nextSequence(), now, body);
        partition.addFresh(slot);
        becameVisible(slot);
        neighbours.madeVisible(this);
    }

    QueueInfo info(ConsistentHashRing placement, long deadLetterDepth, long now, boolean withPartitions) {
        QueueInfo.Builder info = QueueInfo.newBuilder()
                .setQueue(name)
                .setConfig(settings.toProto())
                .setDepth(visible)
                .setInFlight(inFlight)
                .setDelayed(delayed)
                .setDeadLetterDepth(deadLetterDepth)
                .setDeadLetteredTotal(deadLetteredTotal)
                .setActiveConsumers(consumers.count(now));
        if (withPartitions) {
            for (int i = 0; i < partitions.length; i++) {
                Partition p = partitions[i];
                info.addPartitions(QueuePartitionInfo.newBuilder()
                        .setPartition(i)
                        .setDepth(p.visible())
                        .setInFlight(p.inFlight)
                        .setDelayed(p.delayed)
                        .setGroup(placement.groupFor(name, i)));
            }
        }
        return info.build();
    }

    void write(DataOutputStream out) throws IOException {
        out.writeUTF(name);
        settings.write(out);
        out.writeInt(cursor);
        out.writeLong(deadLetteredTotal);
        out.writeInt(partitions.length);
        for (Partition p : partitions) {
            out.writeLong(p.lastSequence());
        }
        // Sequence order within each partition: the canonical order, independent of slot numbers.
        Integer[] slots = IntStream.range(0, store.slotLimit())
                .filter(store::occupied)
                .boxed()
                .sorted(Comparator.<Integer>comparingInt(store::partition).thenComparingLong(store::sequence))
                .toArray(Integer[]::new);
        out.writeInt(slots.length);
        for (int slot : slots) {
            out.writeLong(store.id(slot));
            out.writeInt(store.partition(slot));
            out.writeLong(store.sequence(slot));
            out.writeLong(store.enqueuedAt(slot));
            out.writeByte(store.state(slot));
            out.writeLong(store.dueAt(slot));
            out.writeLong(store.deliveredAt(slot));
            out.writeInt(store.deliveryCount(slot));
            byte[] body = store.body(slot);
            out.writeInt(body.length);
            out.write(body);
        }
        dedup.write(out);
        consumers.write(out);
    }

    static MessageQueue read(DataInputStream in, Neighbours neighbours) throws IOException {
        String name = in.readUTF();
        QueueSettings settings = QueueSettings.read(in);
        MessageQueue q = new MessageQueue(name, settings, neighbours);
        q.cursor = in.readInt();
        q.deadLetteredTotal = in.readLong();
        int partitionCount = in.readInt();
        if (partitionCount != settings.partitions()) {
            throw new IOException("queue '" + name + "' has " + partitionCount + " partitions, its settings "
                    + settings.partitions());
        }
        for (Partition p : q.partitions) {
            p.restoreLastSequence(in.readLong());
        }
        int messages = in.readInt();
        for (int i = 0; i < messages; i++) {
            long id = in.readLong();
            int p = in.readInt();
            long sequence = in.readLong();
            long enqueuedAt = in.readLong();
            byte state = in.readByte();
            long due = in.readLong();
            long deliveredAt = in.readLong();
            int deliveryCount = in.readInt();
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            int slot = q.store.restore(id, p, sequence, enqueuedAt, state, due, deliveredAt, deliveryCount, body);
            Partition partition = q.partitions[p];
            switch (state) {
                // Written in sequence order, so the visible ones enter the FIFO ring sorted.
                case MessageStore.VISIBLE -> {
                    partition.addFresh(slot);
                    q.visible++;
                }
                case MessageStore.IN_FLIGHT -> {
                    partition.inFlight++;
                    q.inFlight++;
                    q.timers.add(due, id);
                }
                case MessageStore.DELAYED -> {
                    partition.delayed++;
                    q.delayed++;
                    q.timers.add(due, id);
                }
                default -> throw new IOException("message " + MessageId.format(id) + " has unknown state " + state);
            }
        }
        q.dedup.read(in);
        q.consumers.read(in);
        q.retentionDue = q.oldestVisibleExpiry();
        return q;
    }

    /** Refuses a malformed dequeue, whether or not its queue exists. */
    static void check(QueueDequeue request) {
        if (request.getMaxMessages() < 1 || request.getMaxMessages() > MessageId.MAX_PER_COMMAND) {
            throw Rejection.invalid("max_messages must be in 1.." + MessageId.MAX_PER_COMMAND);
        }
        if (request.hasVisibilityTimeoutMs()
                && (request.getVisibilityTimeoutMs() < 0
                        || request.getVisibilityTimeoutMs() > QueueSettings.MAX_TIMEOUT_MS)) {
            throw Rejection.invalid("visibility_timeout must be in 0.." + QueueSettings.MAX_TIMEOUT_MS + " ms");
        }
        if (request.getConsumerId().length() > MAX_CONSUMER_ID_LENGTH) {
            throw Rejection.invalid("consumer_id must be at most " + MAX_CONSUMER_ID_LENGTH + " characters");
        }
        if (request.getMaxBytes() < 0) {
            throw Rejection.invalid("max_bytes is too large");
        }
    }

    private void check(QueueNewMessage m) {
        if (m.getBody().isEmpty()) {
            throw Rejection.invalid("a message must not be empty");
        }
        if (m.hasPartitionKey()
                && (m.getPartitionKey().isEmpty() || m.getPartitionKey().length() > MAX_PARTITION_KEY_LENGTH)) {
            throw Rejection.invalid("partition_key must be 1.." + MAX_PARTITION_KEY_LENGTH + " characters");
        }
        if (m.hasDedupId() && (m.getDedupId().isEmpty() || m.getDedupId().length() > MAX_DEDUP_ID_LENGTH)) {
            throw Rejection.invalid("dedup_id must be 1.." + MAX_DEDUP_ID_LENGTH + " characters");
        }
        if (m.getDelayMs() < 0 || m.getDelayMs() > QueueSettings.MAX_TIMEOUT_MS) {
            throw Rejection.invalid("delay_ms must be in 0.." + QueueSettings.MAX_TIMEOUT_MS);
        }
    }

    /** A queue whose dedup window is 0 ignores dedup ids altogether. */
    private boolean deduplicates(QueueNewMessage m) {
        return m.hasDedupId() && settings.dedupWindowMs() > 0;
    }

    /** The slot of the in-flight message {@code receipt} was issued for, or a rejection saying why not. */
    private int inFlightSlot(QueueReceipt receipt) {
        long id = MessageId.parse(receipt.getMessageId());
        if (id < 0) {
            throw Rejection.invalid("'" + receipt.getMessageId() + "' is not a message id");
        }
        Receipt r = Receipt.parse(receipt.getReceipt());
        if (r == null) {
            throw Rejection.invalid("'" + receipt.getReceipt() + "' is not a receipt");
        }
        int slot = store.slotOf(id);
        if (slot < 0) {
            throw new Rejection(
                    QueueStatus.QUEUE_STATUS_MESSAGE_NOT_FOUND,
                    "queue '" + name + "' holds no message " + receipt.getMessageId());
        }
        if (r.messageId() != id) {
            throw new Rejection(QueueStatus.QUEUE_STATUS_STALE_RECEIPT, "the receipt belongs to another message");
        }
        if (store.deliveredAt(slot) != r.deliveredAt()) {
            throw new Rejection(
                    QueueStatus.QUEUE_STATUS_STALE_RECEIPT,
                    "message " + receipt.getMessageId() + " was delivered again since this receipt");
        }
        if (store.state(slot) != MessageStore.IN_FLIGHT) {
            throw new Rejection(
                    QueueStatus.QUEUE_STATUS_STALE_RECEIPT,
                    "message " + receipt.getMessageId()
                            + " is no longer in flight under this receipt (its lease ended or it was nacked)");
        }
        return slot;
    }

    private void leaveFlight(int slot) {
        partitions[store.partition(slot)].inFlight--;
        inFlight--;
    }

    private boolean exhausted(int slot) {
        return settings.deliveryLimit() > 0 && store.deliveryCount(slot) >= settings.deliveryLimit();
    }

    private boolean pastRetention(int slot, long now) {
        return settings.retentionMs() > 0 && store.enqueuedAt(slot) + settings.retentionMs() <= now;
    }

    private void delay(int slot, Partition partition, long visibleAt) {
        store.delay(slot, visibleAt);
        partition.delayed++;
        delayed++;
        addTimer(visibleAt, store.id(slot));
    }

    private void returnToPartition(int slot) {
        partitions[store.partition(slot)].addReturned(slot);
        becameVisible(slot);
        neighbours.madeVisible(this);
    }

    private void becameVisible(int slot) {
        store.makeVisible(slot);
        visible++;
        if (settings.retentionMs() > 0) {
            long expiry = store.enqueuedAt(slot) + settings.retentionMs();
            if (expiry < retentionDue) {
                retentionDue = expiry;
                neighbours.wakeAt(expiry);
            }
        }
    }

    private void addTimer(long time, long id) {
        timers.add(time, id);
        neighbours.wakeAt(time);
    }

    /** Moves a message that is neither visible nor in flight any more to the dead-letter queue. */
    private void deadLetter(int slot, long now) {
        neighbours
                .deadLetterQueueOf(this)
                .acceptDeadLetter(store.id(slot), store.partition(slot), store.body(slot), now);
        store.remove(slot);
        deadLetteredTotal++;
    }

    private void sweepRetention(long now) {
        for (Partition partition : partitions) {
            int slot;
            // Sequence order is enqueue order, so the oldest visible message is the next one out.
            while ((slot = partition.peekVisible()) >= 0 && pastRetention(slot, now)) {
                partition.pollVisible();
                visible--;
                deadLetter(slot, now);
            }
        }
        retentionDue = oldestVisibleExpiry();
    }

    private long oldestVisibleExpiry() {
        if (settings.retentionMs() == 0) {
            return Long.MAX_VALUE;
        }
        long oldest = Long.MAX_VALUE;
        for (Partition partition : partitions) {
            int slot = partition.peekVisible();
            if (slot >= 0) {
                oldest = Math.min(oldest, store.enqueuedAt(slot) + settings.retentionMs());
            }
        }
        return oldest;
    }

    private QueueDelivery delivery(int slot, long now) {
        long id = store.id(slot);
        return QueueDelivery.newBuilder()
                .setMessageId(MessageId.format(id))
                .setBody(ByteString.copyFrom(store.body(slot)))
                .setPartition(store.partition(slot))
                .setSequence(store.sequence(slot))
                .setReceipt(new Receipt(id, store.deliveredAt(slot), store.deliveryCount(slot)).format())
                .setDeliveryCount(store.deliveryCount(slot))
                .setEnqueuedAtMillis(store.enqueuedAt(slot))
                .setDeliveredAtMillis(now)
                .build();
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
