package io.sinkron.consensus.statemachine.queue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sinkron.client.ConsensusClientConfig;
import io.sinkron.consensus.statemachine.CommandContext;
import io.sinkron.consensus.statemachine.StateMachine;
import io.sinkron.proto.QueueCommand;
import io.sinkron.proto.QueueEvent;
import io.sinkron.proto.QueueInfo;
import io.sinkron.proto.QueueQuery;
import io.sinkron.proto.QueueQueryResult;
import io.sinkron.proto.QueueReceiptOutcome;
import io.sinkron.proto.QueueResult;
import io.sinkron.proto.QueueStatus;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Replicated partitioned queues with at-least-once delivery (see {@link MessageQueue} for a
 * message's life and {@link QueueSettings} for the defaults). Commands and results are the
 * {@code QueueCommand} / {@code QueueResult} messages of {@code queue.proto}; queries are {@code
 * QueueQuery} / {@code QueueQueryResult}.
 *
 * <p>Time is log time only: leases, delays, retention and dedup windows are measured against {@link
 * CommandContext#timestampMillis()}, and whatever comes due is handled in {@link #advanceTime},
 * which runs before every command and on the leader's clock entries. Every replica therefore
 * redelivers, dead-letters and forgets at the same log index.
 *
 * <p>Whenever messages of a queue become visible, a {@code QueueEvent} is emitted with the queue's
 * visible count, so that long-polling consumers wake without polling.
 */
public final class QueueStateMachine implements StateMachine {

    public static final String NAME = "queue";

    private static final int SNAPSHOT_FORMAT = 1;

    private final ConsistentHashRing placement;
    private final TreeMap<String, MessageQueue> queues = new TreeMap<>();
    // Queues whose messages became visible during the current step; emptied as their events go out.
    private final TreeSet<String> madeVisible = new TreeSet<>();
    private final Neighbours neighbours = new Neighbours();
    private long now;
    // No queue has anything due before this log time; derived, so not part of snapshots.
    private long nextDue = Long.MAX_VALUE;

    /** Queues of the single Raft group every node hosts today. */
    public QueueStateMachine() {
        this(ConsistentHashRing.single(ConsensusClientConfig.DEFAULT_GROUP_ID));
    }

    /** @param placement the ring that says which Raft group each partition belongs to */
    public QueueStateMachine(ConsistentHashRing placement) {
        this.placement = placement;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] apply(CommandContext context, byte[] command) {
        now = Math.max(now, context.timestampMillis());
        QueueResult.Builder result = QueueResult.newBuilder();
        try {
            run(QueueCommand.parseFrom(command), context.index(), result);
        } catch (InvalidProtocolBufferException e) {
            result.clear().setStatus(QueueStatus.QUEUE_STATUS_INVALID).setDetail("malformed queue command");
        } catch (Rejection r) {
            result.clear().setStatus(r.status()).setDetail(r.getMessage());
        }
        emitEvents(context);
        return result.build().toByteArray();
    }

    @Override
    public void advanceTime(CommandContext context) {
        now = Math.max(now, context.timestampMillis());
        if (now < nextDue) {
            return;
        }
        // Name order, so that dead letters from several queues arrive in the same order everywhere.
        List<MessageQueue> due =
                queues.values().stream().filter(q -> q.nextDue() <= now).toList();
        due.forEach(q -> q.processDue(now));
        nextDue =
                queues.values().stream().mapToLong(MessageQueue::nextDue).min().orElse(Long.MAX_VALUE);
        emitEvents(context);
    }

    @Override
    public byte[] query(byte[] query) {
        QueueQueryResult.Builder result = QueueQueryResult.newBuilder();
        try {
            QueueQuery q = QueueQuery.parseFrom(query);
            switch (q.getQueryCase()) {
                case DESCRIBE -> {
                    MessageQueue queue = queues.get(q.getDescribe().getQueue());
                    if (queue == null) {
                        result.setStatus(QueueStatus.QUEUE_STATUS_QUEUE_NOT_FOUND)
                                .setDetail("no queue '" + q.getDescribe().getQueue() + "'");
                    } else {
                        result.addQueues(info(queue, true));
                    }
                }
                case LIST -> queues.values().forEach(queue -> result.addQueues(info(queue, false)));
                case QUERY_NOT_SET ->
                    result.setStatus(QueueStatus.QUEUE_STATUS_INVALID).setDetail("empty query");
            }
        } catch (InvalidProtocolBufferException e) {
            result.setStatus(QueueStatus.QUEUE_STATUS_INVALID).setDetail("malformed queue query");
        }
        return result.build().toByteArray();
    }

    @Override
    public void snapshot(DataOutputStream out) throws IOException {
        out.writeInt(SNAPSHOT_FORMAT);
        out.writeLong(now);
        out.writeInt(queues.size());
        for (MessageQueue q : queues.values()) {
            q.write(out);
        }
    }

    @Override
    public void restore(DataInputStream in) throws IOException {
        int format = in.readInt();
        if (format != SNAPSHOT_FORMAT) {
            throw new IOException("unknown queue snapshot format " + format);
        }
        queues.clear();
        madeVisible.clear();
        now = in.readLong();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            MessageQueue q = MessageQueue.read(in, neighbours);
            queues.put(q.name(), q);
        }
        nextDue =
                queues.values().stream().mapToLong(MessageQueue::nextDue).min().orElse(Long.MAX_VALUE);
    }

    private void run(QueueCommand command, long index, QueueResult.Builder result) {
        switch (command.getOpCase()) {
            case ENQUEUE -> {
                var enqueue = command.getEnqueue();
                MessageQueue q = queues.get(enqueue.getQueue());
                if (q == null) {
                    QueueSettings.checkName(enqueue.getQueue(), "queue");
                    q = new MessageQueue(enqueue.getQueue(), QueueSettings.defaults(enqueue.getQueue()), neighbours);
                }
                // A refused enqueue throws before this, so it creates no queue either.
                result.addAllEnqueued(q.enqueue(enqueue.getMessagesList(), index, now));
                queues.putIfAbsent(q.name(), q);
            }
            case DEQUEUE -> {
                MessageQueue.check(command.getDequeue());
                MessageQueue q = queues.get(command.getDequeue().getQueue());
                // A consumer may start before the producer's first enqueue creates the queue.
                if (q != null) {
                    result.addAllDeliveries(q.dequeue(command.getDequeue(), index, now));
                }
            }
            case ACK -> {
                var ack = command.getAck();
                MessageQueue q = existing(ack.getQueue());
                if (ack.getReceiptsCount() == 0) {
                    throw Rejection.invalid("an ack needs at least one receipt");
                }
                for (var receipt : ack.getReceiptsList()) {
                    var outcome = QueueReceiptOutcome.newBuilder().setMessageId(receipt.getMessageId());
                    try {
                        q.ack(receipt);
                    } catch (Rejection r) {
                        outcome.setStatus(r.status()).setDetail(r.getMessage());
                    }
                    result.addOutcomes(outcome);
                }
            }
            case NACK -> {
                var nack = command.getNack();
                existing(nack.getQueue()).nack(nack.getReceipt(), nack.getDelayMs(), now);
            }
            case CHANGE_VISIBILITY -> {
                var change = command.getChangeVisibility();
                existing(change.getQueue()).changeVisibility(change.getReceipt(), change.getVisibilityTimeoutMs(), now);
            }
            case CONFIGURE -> {
                var configure = command.getConfigure();
                MessageQueue q = queues.get(configure.getQueue());
                if (q == null) {
                    QueueSettings.checkName(configure.getQueue(), "queue");
                    q = new MessageQueue(
                            configure.getQueue(),
                            QueueSettings.of(configure.getQueue(), configure.getConfig()),
                            neighbours);
                    queues.put(q.name(), q);
                } else {
                    q.configure(configure.getConfig());
                }
                result.setQueue(info(q, true));
            }
            case DELETE -> {
                MessageQueue q = existing(command.getDelete().getQueue());
                queues.remove(q.name());
                madeVisible.remove(q.name());
            }
            case OP_NOT_SET -> throw Rejection.invalid("empty queue command");
        }
    }

    private MessageQueue existing(String name) {
        MessageQueue q = queues.get(name);
        if (q == null) {
            throw new Rejection(QueueStatus.QUEUE_STATUS_QUEUE_NOT_FOUND, "no queue '" + name + "'");
        }
        return q;
    }

    private QueueInfo info(MessageQueue q, boolean withPartitions) {
        MessageQueue deadLetters = queues.get(q.settings().deadLetterQueue());
        return q.info(placement, deadLetters == null ? 0 : deadLetters.resident(), now, withPartitions);
    }

    private void emitEvents(CommandContext context) {
        String name;
        while ((name = madeVisible.pollFirst()) != null) {
            MessageQueue q = queues.get(name);
            if (q != null) {
                context.events()
                        .emit(
                                NAME,
                                context.index(),
                                QueueEvent.newBuilder()
                                        .setQueue(name)
                                        .setAvailable(q.visible())
                                        .build()
                                        .toByteArray());
            }
        }
    }

    private final class Neighbours implements MessageQueue.Neighbours {

        @Override
        public MessageQueue deadLetterQueueOf(MessageQueue source) {
            String name = source.settings().deadLetterQueue();
            return queues.computeIfAbsent(
                    name,
                    n -> new MessageQueue(
                            n, QueueSettings.forDeadLetters(source.settings().partitions()), this));
        }

        @Override
        public void madeVisible(MessageQueue queue) {
            madeVisible.add(queue.name());
        }

        @Override
        public void wakeAt(long millis) {
            nextDue = Math.min(nextDue, millis);
        }
    }
}
