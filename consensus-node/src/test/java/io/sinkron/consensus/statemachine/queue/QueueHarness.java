package io.sinkron.consensus.statemachine.queue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.sinkron.consensus.statemachine.CommandContext;
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
import io.sinkron.proto.QueueEvent;
import io.sinkron.proto.QueueInfo;
import io.sinkron.proto.QueueNack;
import io.sinkron.proto.QueueNewMessage;
import io.sinkron.proto.QueueQuery;
import io.sinkron.proto.QueueQueryResult;
import io.sinkron.proto.QueueReceipt;
import io.sinkron.proto.QueueResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Drives a {@link QueueStateMachine} the way a Raft group does: every command and every clock
 * entry takes the next log index, and {@code advanceTime} runs before each command.
 */
final class QueueHarness {

    QueueStateMachine machine;
    long index;
    long time = 1_000_000;
    final List<QueueEvent> events = new ArrayList<>();

    QueueHarness() {
        this(new QueueStateMachine());
    }

    QueueHarness(QueueStateMachine machine) {
        this.machine = machine;
    }

    QueueResult submit(QueueCommand command) {
        CommandContext context = context();
        machine.advanceTime(context);
        try {
            return QueueResult.parseFrom(machine.apply(context, command.toByteArray()));
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    /** A leader clock entry {@code millis} later. */
    void tick(long millis) {
        time += millis;
        machine.advanceTime(context());
    }

    QueueResult enqueue(String queue, QueueNewMessage... messages) {
        return submit(QueueCommand.newBuilder()
                .setEnqueue(QueueEnqueue.newBuilder().setQueue(queue).addAllMessages(List.of(messages)))
                .build());
    }

    QueueResult enqueue(String queue, String... bodies) {
        return enqueue(queue, Arrays.stream(bodies).map(QueueHarness::message).toArray(QueueNewMessage[]::new));
    }

    static QueueNewMessage message(String body) {
        return QueueNewMessage.newBuilder().setBody(bytes(body)).build();
    }

    static QueueNewMessage.Builder builder(String body) {
        return QueueNewMessage.newBuilder().setBody(bytes(body));
    }

    QueueResult dequeue(QueueDequeue request) {
        return submit(QueueCommand.newBuilder().setDequeue(request).build());
    }

    List<QueueDelivery> dequeue(String queue, int max) {
        return dequeue(QueueDequeue.newBuilder()
                        .setQueue(queue)
                        .setMaxMessages(max)
                        .build())
                .getDeliveriesList();
    }

    List<QueueDelivery> dequeue(String queue, int max, long visibilityTimeoutMs) {
        return dequeue(QueueDequeue.newBuilder()
                        .setQueue(queue)
                        .setMaxMessages(max)
                        .setVisibilityTimeoutMs(visibilityTimeoutMs)
                        .build())
                .getDeliveriesList();
    }

    QueueResult ack(String queue, QueueDelivery... deliveries) {
        var ack = QueueAck.newBuilder().setQueue(queue);
        for (QueueDelivery d : deliveries) {
            ack.addReceipts(receipt(d));
        }
        return submit(QueueCommand.newBuilder().setAck(ack).build());
    }

    QueueResult nack(String queue, QueueDelivery delivery, long delayMs) {
        return submit(QueueCommand.newBuilder()
                .setNack(QueueNack.newBuilder()
                        .setQueue(queue)
                        .setReceipt(receipt(delivery))
                        .setDelayMs(delayMs))
                .build());
    }

    QueueResult changeVisibility(String queue, QueueDelivery delivery, long visibilityTimeoutMs) {
        return submit(QueueCommand.newBuilder()
                .setChangeVisibility(QueueChangeVisibility.newBuilder()
                        .setQueue(queue)
                        .setReceipt(receipt(delivery))
                        .setVisibilityTimeoutMs(visibilityTimeoutMs))
                .build());
    }

    QueueResult configure(String queue, QueueConfigRequest config) {
        return submit(QueueCommand.newBuilder()
                .setConfigure(QueueConfigure.newBuilder().setQueue(queue).setConfig(config))
                .build());
    }

    QueueResult delete(String queue) {
        return submit(QueueCommand.newBuilder()
                .setDelete(QueueDelete.newBuilder().setQueue(queue))
                .build());
    }

    QueueQueryResult query(QueueQuery query) {
        try {
            return QueueQueryResult.parseFrom(machine.query(query.toByteArray()));
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    QueueInfo describe(String queue) {
        QueueQueryResult result = query(QueueQuery.newBuilder()
                .setDescribe(QueueDescribe.newBuilder().setQueue(queue))
                .build());
        return result.getQueuesCount() == 0 ? null : result.getQueues(0);
    }

    byte[] snapshot() {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            machine.snapshot(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Replaces the machine by a fresh one restored from a snapshot of the current one. */
    void restart() {
        byte[] snapshot = snapshot();
        QueueStateMachine restored = new QueueStateMachine();
        try (var in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
            restored.restore(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        machine = restored;
    }

    static QueueReceipt receipt(QueueDelivery d) {
        return QueueReceipt.newBuilder()
                .setMessageId(d.getMessageId())
                .setReceipt(d.getReceipt())
                .build();
    }

    static ByteString bytes(String text) {
        return ByteString.copyFrom(text, StandardCharsets.UTF_8);
    }

    static String body(QueueDelivery d) {
        return d.getBody().toStringUtf8();
    }

    private CommandContext context() {
        index++;
        return new CommandContext(index, time, "client", (stateMachine, at, payload) -> {
            try {
                events.add(QueueEvent.parseFrom(payload));
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        });
    }
}
