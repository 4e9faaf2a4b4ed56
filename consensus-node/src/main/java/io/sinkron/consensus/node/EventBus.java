package io.sinkron.consensus.node;

import com.google.protobuf.ByteString;
import io.sinkron.consensus.statemachine.EventSink;
import io.sinkron.proto.Event;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Fans state machine events out to subscribers (the gRPC Events streams). Called on the driver
 * thread, so subscribers must not block: the gRPC layer only queues the event on its stream.
 */
public final class EventBus implements EventSink {

    /** A subscriber; {@code stateMachines} empty means every state machine. */
    public record Subscription(Set<String> stateMachines, Consumer<Event> consumer) {}

    private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();

    public Subscription subscribe(Set<String> stateMachines, Consumer<Event> consumer) {
        var s = new Subscription(Set.copyOf(stateMachines), consumer);
        subscriptions.add(s);
        return s;
    }

    public void unsubscribe(Subscription s) {
        subscriptions.remove(s);
    }

    public int subscribers() {
        return subscriptions.size();
    }

    @Override
    public void emit(String stateMachine, long index, byte[] payload) {
        if (subscriptions.isEmpty()) {
            return;
        }
        Event event = Event.newBuilder()
                .setStateMachine(stateMachine)
                .setIndex(index)
                .setPayload(ByteString.copyFrom(payload))
                .build();
        for (Subscription s : subscriptions) {
            if (s.stateMachines().isEmpty() || s.stateMachines().contains(stateMachine)) {
                try {
                    s.consumer().accept(event);
                } catch (RuntimeException e) {
                    // A broken subscriber stream must not stop the apply loop.
                    subscriptions.remove(s);
                }
            }
        }
    }
}
