package io.sinkron.queue.service;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sinkron.client.ConsensusClient;
import io.sinkron.client.Subscription;
import io.sinkron.proto.Event;
import io.sinkron.proto.QueueEvent;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Wakes long-polling dequeues when messages arrive. The instance subscribes once to the queue
 * state machine's events; each event names a queue and how many messages are visible in it, and
 * wakes that many of the dequeues waiting on the queue, oldest first. Woken dequeues try again, so
 * a wake-up that finds the messages taken by someone else costs a retry, never a lost message.
 *
 * <p>Events are not replayed after the event stream breaks, so on reconnecting every waiting
 * dequeue is woken to look for itself.
 */
@Component
public class MessageArrivals {

    private static final Logger log = LoggerFactory.getLogger(MessageArrivals.class);

    /** One waiting dequeue. Register before asking the cluster, so no event can slip in between. */
    public final class Waiter implements AutoCloseable {

        private final String queue;
        private final CompletableFuture<Void> woken = new CompletableFuture<>();

        private Waiter(String queue) {
            this.queue = queue;
        }

        /** Waits until woken or until {@code timeout} passes; true if woken. */
        public boolean await(Duration timeout) throws InterruptedException {
            try {
                woken.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                throw new IllegalStateException("a waiter is only ever completed normally", e);
            }
        }

        @Override
        public void close() {
            synchronized (waiting) {
                ArrayDeque<Waiter> waiters = waiting.get(queue);
                if (waiters != null && waiters.remove(this) && waiters.isEmpty()) {
                    waiting.remove(queue);
                }
            }
        }
    }

    private final Map<String, ArrayDeque<Waiter>> waiting = new HashMap<>();
    private final Subscription subscription;

    public MessageArrivals(ConsensusClient client) {
        this.subscription = client.events(Set.of(ReplicatedQueues.STATE_MACHINE), this::onEvent, this::wakeAll);
    }

    public Waiter register(String queue) {
        Waiter waiter = new Waiter(queue);
        synchronized (waiting) {
            waiting.computeIfAbsent(queue, q -> new ArrayDeque<>()).add(waiter);
        }
        return waiter;
    }

    /** Dequeues waiting on {@code queue} right now. */
    public int waiting(String queue) {
        synchronized (waiting) {
            ArrayDeque<Waiter> waiters = waiting.get(queue);
            return waiters == null ? 0 : waiters.size();
        }
    }

    @PreDestroy
    void close() {
        subscription.close();
    }

    private void onEvent(Event event) {
        QueueEvent arrival;
        try {
            arrival = QueueEvent.parseFrom(event.getPayload());
        } catch (InvalidProtocolBufferException e) {
            log.warn("ignoring malformed queue event at index {}", event.getIndex(), e);
            return;
        }
        long toWake = arrival.getAvailable();
        synchronized (waiting) {
            ArrayDeque<Waiter> waiters = waiting.get(arrival.getQueue());
            while (waiters != null && !waiters.isEmpty() && toWake-- > 0) {
                waiters.poll().woken.complete(null);
            }
            if (waiters != null && waiters.isEmpty()) {
                waiting.remove(arrival.getQueue());
            }
        }
    }

    private void wakeAll() {
        synchronized (waiting) {
            waiting.values().forEach(waiters -> waiters.forEach(w -> w.woken.complete(null)));
            waiting.clear();
        }
    }
}
