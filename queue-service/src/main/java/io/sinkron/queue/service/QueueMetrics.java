package io.sinkron.queue.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sinkron.proto.QueueDelivery;
import io.sinkron.proto.QueueInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The queue metrics, per queue (tag {@code queue}):
 *
 * <ul>
 *   <li>{@code sinkron_queue_enqueued_total}, {@code _dequeued_total}, {@code _acked_total},
 *       {@code _nacked_total}, {@code _redelivered_total}: messages this instance handled;
 *   <li>{@code sinkron_queue_delivery_latency_seconds}: from enqueue to first delivery, in log
 *       time, as a histogram;
 *   <li>{@code sinkron_queue_depth}, {@code _in_flight}, {@code _delayed}, {@code
 *       _dead_letter_depth} and {@code sinkron_queue_dead_lettered_total}: the cluster's view,
 *       refreshed periodically, the same on every instance.
 * </ul>
 */
@Component
public class QueueMetrics {

    /** The cluster's counts of one queue, as last read, and the meters that publish them. */
    private static final class ClusterCounts {
        final AtomicLong depth = new AtomicLong();
        final AtomicLong inFlight = new AtomicLong();
        final AtomicLong delayed = new AtomicLong();
        final AtomicLong deadLetterDepth = new AtomicLong();
        final AtomicLong deadLettered = new AtomicLong();
        final List<Meter> meters = new ArrayList<>();

        void set(QueueInfo q) {
            depth.set(q.getDepth());
            inFlight.set(q.getInFlight());
            delayed.set(q.getDelayed());
            deadLetterDepth.set(q.getDeadLetterDepth());
            deadLettered.set(q.getDeadLetteredTotal());
        }
    }

    /** A per-queue meter: its name and the queue it counts. */
    private record MeterKey(String name, String queue) {}

    private final MeterRegistry registry;
    private final Map<String, ClusterCounts> cluster = new ConcurrentHashMap<>();
    // Registered meters by name and queue, so that counting is a map lookup, not a registration.
    private final Map<MeterKey, Meter> meters = new ConcurrentHashMap<>();

    public QueueMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void enqueued(String queue, long messages) {
        counter("sinkron.queue.enqueued", "Messages enqueued (duplicates excluded)", queue)
                .increment(messages);
    }

    void delivered(String queue, List<QueueDelivery> deliveries) {
        if (deliveries.isEmpty()) {
            return;
        }
        counter("sinkron.queue.dequeued", "Messages delivered", queue).increment(deliveries.size());
        Timer latency = (Timer) meters.computeIfAbsent(
                new MeterKey("sinkron.queue.delivery.latency", queue),
                key -> Timer.builder(key.name())
                        .description("Log time from enqueue to first delivery")
                        .tag("queue", queue)
                        .publishPercentileHistogram()
                        .register(registry));
        for (QueueDelivery d : deliveries) {
            if (d.getDeliveryCount() == 1) {
                latency.record(Duration.ofMillis(Math.max(0, d.getDeliveredAtMillis() - d.getEnqueuedAtMillis())));
            } else {
                counter("sinkron.queue.redelivered", "Messages delivered again", queue)
                        .increment();
            }
        }
    }

    void acked(String queue, long messages) {
        counter("sinkron.queue.acked", "Messages acknowledged", queue).increment(messages);
    }

    void nacked(String queue) {
        counter("sinkron.queue.nacked", "Messages given back", queue).increment();
    }

    /** Publishes the cluster's counts; queues that are gone disappear from the gauges. */
    synchronized void refresh(List<QueueInfo> queues) {
        Set<String> present = new HashSet<>();
        for (QueueInfo q : queues) {
            present.add(q.getQueue());
            cluster.computeIfAbsent(q.getQueue(), this::register).set(q);
        }
        cluster.entrySet().removeIf(e -> {
            if (present.contains(e.getKey())) {
                return false;
            }
            e.getValue().meters.forEach(registry::remove);
            return true;
        });
    }

    private ClusterCounts register(String queue) {
        ClusterCounts counts = new ClusterCounts();
        counts.meters.add(gauge("sinkron.queue.depth", "Visible messages, ready to be delivered", queue, counts.depth));
        counts.meters.add(
                gauge("sinkron.queue.in.flight", "Delivered messages not yet acknowledged", queue, counts.inFlight));
        counts.meters.add(
                gauge("sinkron.queue.delayed", "Messages waiting for a delay to pass", queue, counts.delayed));
        counts.meters.add(gauge(
                "sinkron.queue.dead.letter.depth",
                "Messages in the queue's dead-letter queue",
                queue,
                counts.deadLetterDepth));
        counts.meters.add(
                FunctionCounter.builder("sinkron.queue.dead.lettered", counts.deadLettered, AtomicLong::doubleValue)
                        .description("Messages moved to the dead-letter queue, cluster-wide")
                        .tag("queue", queue)
                        .register(registry));
        return counts;
    }

    private Gauge gauge(String name, String description, String queue, AtomicLong value) {
        return Gauge.builder(name, value, AtomicLong::doubleValue)
                .description(description)
                .tag("queue", queue)
                .register(registry);
    }

    private Counter counter(String name, String description, String queue) {
        return (Counter) meters.computeIfAbsent(
                new MeterKey(name, queue),
                key -> Counter.builder(name)
                        .description(description)
                        .tag("queue", queue)
                        .register(registry));
    }
}
