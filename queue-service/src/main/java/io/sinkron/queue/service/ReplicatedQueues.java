package io.sinkron.queue.service;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusException;
import io.sinkron.proto.QueueAck;
import io.sinkron.proto.QueueChangeVisibility;
import io.sinkron.proto.QueueCommand;
import io.sinkron.proto.QueueConfigRequest;
import io.sinkron.proto.QueueConfigure;
import io.sinkron.proto.QueueDelete;
import io.sinkron.proto.QueueDelivery;
import io.sinkron.proto.QueueDequeue;
import io.sinkron.proto.QueueDescribe;
import io.sinkron.proto.QueueEnqueue;
import io.sinkron.proto.QueueEnqueued;
import io.sinkron.proto.QueueInfo;
import io.sinkron.proto.QueueList;
import io.sinkron.proto.QueueNack;
import io.sinkron.proto.QueueNewMessage;
import io.sinkron.proto.QueueQuery;
import io.sinkron.proto.QueueQueryResult;
import io.sinkron.proto.QueueReceipt;
import io.sinkron.proto.QueueReceiptOutcome;
import io.sinkron.proto.QueueResult;
import io.sinkron.proto.QueueStatus;
import io.sinkron.queue.QueueServiceProperties;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.springframework.stereotype.Service;

/**
 * The replicated queues as this service sees them: each operation is a command to (or query of)
 * the "queue" state machine through the {@link ConsensusClient}, so it returns only once the
 * command is committed on a majority and applied. Concurrent enqueues, and concurrent acks, of
 * the same queue share commands ({@link CommandCoalescing}); each still gets its own answer.
 * Refusals come back as {@link QueueProblem}s; an unreachable cluster as the client's {@code
 * ConsensusException}.
 */
@Service
public class ReplicatedQueues {

    /** The state machine that holds the queues in every consensus node. */
    public static final String STATE_MACHINE = "queue";

    /** Most messages or receipts one coalesced command carries; the state machine takes up to 1024. */
    static final int MAX_ITEMS_PER_COMMAND = 1000;

    private final ConsensusClient client;
    private final MessageArrivals arrivals;
    private final QueueMetrics metrics;
    private final long maxDequeueBytes;
    private final CommandCoalescing<QueueNewMessage, QueueEnqueued> enqueues;
    private final CommandCoalescing<QueueReceipt, QueueReceiptOutcome> acks;

    public ReplicatedQueues(
            ConsensusClient client, MessageArrivals arrivals, QueueMetrics metrics, QueueServiceProperties properties) {
        this.client = client;
        this.arrivals = arrivals;
        this.metrics = metrics;
        this.maxDequeueBytes = properties.maxBatchSize().toBytes();
        this.enqueues = new CommandCoalescing<>(
                new CommandCoalescing.Form<>() {
                    @Override
                    public QueueCommand command(String queue, List<QueueNewMessage> messages) {
                        return QueueCommand.newBuilder()
                                .setEnqueue(QueueEnqueue.newBuilder()
                                        .setQueue(queue)
                                        .addAllMessages(messages))
                                .build();
                    }

                    @Override
                    public List<QueueEnqueued> outcomes(QueueResult result) {
                        return result.getEnqueuedList();
                    }
                },
                this::submitAsync,
                properties.commandsInFlightPerQueue(),
                MAX_ITEMS_PER_COMMAND,
                properties.maxBatchSize().toBytes());
        this.acks = new CommandCoalescing<>(
                new CommandCoalescing.Form<>() {
                    @Override
                    public QueueCommand command(String queue, List<QueueReceipt> receipts) {
                        return QueueCommand.newBuilder()
                                .setAck(QueueAck.newBuilder().setQueue(queue).addAllReceipts(receipts))
                                .build();
                    }

                    @Override
                    public List<QueueReceiptOutcome> outcomes(QueueResult result) {
                        return result.getOutcomesList();
                    }
                },
                this::submitAsync,
                properties.commandsInFlightPerQueue(),
                MAX_ITEMS_PER_COMMAND,
                properties.maxBatchSize().toBytes());
    }

    /**
     * Enqueues all the messages or, if the queue has no room for them, none. Other requests'
     * messages may travel in the same command, never changing this answer.
     */
    public List<QueueEnqueued> enqueue(String queue, List<QueueNewMessage> messages) {
        long bytes = 0;
        for (QueueNewMessage m : messages) {
            bytes += m.getSerializedSize();
        }
        List<QueueEnqueued> enqueued = await(enqueues.submit(queue, messages, bytes));
        long fresh = 0;
        for (QueueEnqueued e : enqueued) {
            fresh += e.getDuplicate() ? 0 : 1;
        }
        metrics.enqueued(queue, fresh);
        return enqueued;
    }

    /**
     * Delivers up to {@code request.max_messages} messages. With nothing to deliver it waits up to
     * {@code wait} for messages to arrive (long polling), trying again each time an arrival is
     * announced, and returns an empty list if none came.
     */
    public List<QueueDelivery> dequeue(QueueDequeue request, Duration wait) throws InterruptedException {
        QueueCommand command = QueueCommand.newBuilder()
                .setDequeue(request.toBuilder().setMaxBytes(maxDequeueBytes))
                .build();
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            // Registered before asking, so an arrival announced meanwhile is not missed; not at all
            // without a wait, so as not to take a wake-up from a dequeue that does wait.
            try (MessageArrivals.Waiter waiter = wait.isPositive() ? arrivals.register(request.getQueue()) : null) {
                List<QueueDelivery> delivered = submit(command).getDeliveriesList();
                long remaining = deadline - System.nanoTime();
                if (!delivered.isEmpty()
                        || waiter == null
                        || remaining <= 0
                        || !waiter.await(Duration.ofNanos(remaining))) {
                    metrics.delivered(request.getQueue(), delivered);
                    return delivered;
                }
            }
        }
    }

    /** Acknowledges the messages; each receipt gets its own outcome. */
    public List<QueueReceiptOutcome> ack(String queue, List<QueueReceipt> receipts) {
        long bytes = 0;
        for (QueueReceipt r : receipts) {
            bytes += r.getSerializedSize();
        }
        List<QueueReceiptOutcome> outcomes = await(acks.submit(queue, receipts, bytes));
        long acked = 0;
        for (QueueReceiptOutcome o : outcomes) {
            acked += o.getStatus() == QueueStatus.QUEUE_STATUS_OK ? 1 : 0;
        }
        metrics.acked(queue, acked);
        return outcomes;
    }

    public void nack(String queue, QueueReceipt receipt, long delayMs) {
        submit(QueueCommand.newBuilder()
                .setNack(QueueNack.newBuilder()
                        .setQueue(queue)
                        .setReceipt(receipt)
                        .setDelayMs(delayMs)));
        metrics.nacked(queue);
    }

    public void changeVisibility(String queue, QueueReceipt receipt, long visibilityTimeoutMs) {
        submit(QueueCommand.newBuilder()
                .setChangeVisibility(QueueChangeVisibility.newBuilder()
                        .setQueue(queue)
                        .setReceipt(receipt)
                        .setVisibilityTimeoutMs(visibilityTimeoutMs)));
    }

    public QueueInfo configure(String queue, QueueConfigRequest config) {
        return submit(QueueCommand.newBuilder()
                        .setConfigure(
                                QueueConfigure.newBuilder().setQueue(queue).setConfig(config)))
                .getQueue();
    }

    public void delete(String queue) {
        submit(QueueCommand.newBuilder().setDelete(QueueDelete.newBuilder().setQueue(queue)));
    }

    /** The queue as of now (a linearizable read). */
    public QueueInfo describe(String queue) {
        QueueQuery query = QueueQuery.newBuilder()
                .setDescribe(QueueDescribe.newBuilder().setQueue(queue))
                .build();
        return checked(parseQuery(client.read(STATE_MACHINE, query.toByteArray())))
                .getQueues(0);
    }

    /** Every queue as of now (a linearizable read). */
    public List<QueueInfo> list() {
        return checked(parseQuery(client.read(STATE_MACHINE, listQuery()))).getQueuesList();
    }

    /** Every queue as some node sees it, possibly a little behind; good enough for gauges. */
    List<QueueInfo> listStale() {
        return checked(parseQuery(client.readStale(STATE_MACHINE, listQuery()))).getQueuesList();
    }

    private QueueResult submit(QueueCommand.Builder command) {
        return submit(command.build());
    }

    private QueueResult submit(QueueCommand command) {
        QueueResult result = parseResult(client.submit(STATE_MACHINE, command.toByteArray()));
        if (result.getStatus() != QueueStatus.QUEUE_STATUS_OK) {
            throw QueueProblem.of(result.getStatus(), result.getDetail());
        }
        return result;
    }

    /** The command's result, whatever its status. */
    private CompletableFuture<QueueResult> submitAsync(QueueCommand command) {
        return client.submitAsync(STATE_MACHINE, command.toByteArray()).thenApply(ReplicatedQueues::parseResult);
    }

    private static QueueResult parseResult(byte[] bytes) {
        try {
            return QueueResult.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the queue state machine answered with a malformed result", e);
        }
    }

    /** Waits as the client's blocking calls do: its exceptions as they are, an interrupt as INTERRUPTED. */
    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsensusException(
                    ConsensusException.Reason.INTERRUPTED, "interrupted while waiting for the cluster");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("queue command failed", e.getCause());
        }
    }

    private static byte[] listQuery() {
        return QueueQuery.newBuilder()
                .setList(QueueList.getDefaultInstance())
                .build()
                .toByteArray();
    }

    private static QueueQueryResult parseQuery(byte[] bytes) {
        try {
            return QueueQueryResult.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the queue state machine answered with a malformed result", e);
        }
    }

    private static QueueQueryResult checked(QueueQueryResult result) {
        if (result.getStatus() != QueueStatus.QUEUE_STATUS_OK) {
            throw QueueProblem.of(result.getStatus(), result.getDetail());
        }
        return result;
    }
}
