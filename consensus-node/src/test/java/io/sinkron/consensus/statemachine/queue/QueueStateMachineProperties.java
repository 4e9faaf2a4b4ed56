package io.sinkron.consensus.statemachine.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.proto.QueueConfigRequest;
import io.sinkron.proto.QueueDelivery;
import io.sinkron.proto.QueueEnqueued;
import io.sinkron.proto.QueueInfo;
import io.sinkron.proto.QueueList;
import io.sinkron.proto.QueueNewMessage;
import io.sinkron.proto.QueueQuery;
import io.sinkron.proto.QueueResult;
import io.sinkron.proto.QueueStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random histories of enqueues, dequeues, acks, nacks, lease extensions, clock ticks and restarts
 * from snapshots, run against {@link QueueStateMachine} and against {@link QueueModel}, with the
 * queue's guarantees also checked directly on what the state machine answered:
 *
 * <ul>
 *   <li>no acknowledged enqueue is lost: after draining, every message that was enqueued has been
 *       acked exactly once;
 *   <li>no delivery after an ack;
 *   <li>first deliveries within a partition follow enqueue order;
 *   <li>delivery counts go 1, 2, 3, ... per queue;
 *   <li>a message reaches the dead-letter queue only after {@code delivery_limit} deliveries or
 *       once it is older than the retention;
 *   <li>a dedup id within its window never enqueues twice.
 * </ul>
 */
class QueueStateMachineProperties {

    private static final String Q = "q";
    private static final String DLQ = "q.dlq";

    sealed interface Op {}

    record Enqueue(List<QueueModel.NewMessage> messages) implements Op {}

    record Dequeue(boolean deadLetters, int max, long lease) implements Op {}

    record Ack(int pick) implements Op {}

    record Nack(int pick, long delayMs) implements Op {}

    record Extend(int pick, long lease) implements Op {}

    record Tick(long millis) implements Op {}

    record Restart() implements Op {}

    @Property(tries = 1000)
    void the_state_machine_keeps_the_queue_guarantees_and_agrees_with_the_model(
            @ForAll("settings") QueueSettings settings, @ForAll("histories") List<Op> history) {
        var run = new Run(settings);
        history.forEach(run::apply);
        run.drain();
    }

    @Provide
    Arbitrary<QueueSettings> settings() {
        return Combinators.combine(
                        Arbitraries.integers().between(1, 4),
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.longs().between(500, 3_000),
                        Arbitraries.oneOf(
                                Arbitraries.just(0L), Arbitraries.longs().between(4_000, 20_000)),
                        Arbitraries.oneOf(
                                Arbitraries.just(0L), Arbitraries.longs().between(2, 12)),
                        Arbitraries.oneOf(
                                Arbitraries.just(0L), Arbitraries.longs().between(1_000, 10_000)))
                .as((partitions, limit, lease, retention, maxLength, dedupWindow) -> new QueueSettings(
                        partitions,
                        limit,
                        lease,
                        limit == 0 && retention == 0 ? "" : DLQ,
                        maxLength,
                        retention,
                        dedupWindow));
    }

    @Provide
    Arbitrary<List<Op>> histories() {
        Arbitrary<QueueModel.NewMessage> message = Combinators.combine(
                        Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(4),
                        Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.of("k1", "k2", "k3", "k4", "k5")),
                        Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.of("d1", "d2", "d3")),
                        Arbitraries.frequencyOf(
                                Tuple.of(4, Arbitraries.just(0L)),
                                Tuple.of(1, Arbitraries.longs().between(100, 3_000))))
                .as((body, key, dedup, delay) -> new QueueModel.NewMessage(
                        body, key.isEmpty() ? null : key, dedup.isEmpty() ? null : dedup, delay));
        Arbitrary<Op> enqueue = message.list().ofMinSize(1).ofMaxSize(4).map(Enqueue::new);
        Arbitrary<Op> dequeue = Combinators.combine(
                        Arbitraries.integers().between(0, 4).map(i -> i == 0),
                        Arbitraries.integers().between(1, 5),
                        Arbitraries.longs().between(200, 3_000))
                .as(Dequeue::new);
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 1_000);
        Arbitrary<Op> ack = pick.map(Ack::new);
        Arbitrary<Op> nack = Combinators.combine(
                        pick,
                        Arbitraries.oneOf(
                                Arbitraries.just(0L), Arbitraries.longs().between(100, 2_000)))
                .as(Nack::new);
        Arbitrary<Op> extend = Combinators.combine(pick, Arbitraries.longs().between(200, 3_000))
                .as(Extend::new);
        Arbitrary<Op> tick = Arbitraries.longs().between(1, 4_000).map(Tick::new);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(4, enqueue),
                Tuple.of(4, dequeue),
                Tuple.of(3, ack),
                Tuple.of(1, nack),
                Tuple.of(1, extend),
                Tuple.of(3, tick),
                Tuple.of(1, Arbitraries.just(new Restart())));
        return op.list().ofMinSize(1).ofMaxSize(80);
    }

    /** One history: the state machine, the model, and what the properties remember. */
    private static final class Run {

        final QueueSettings settings;
        final QueueHarness h = new QueueHarness();
        final QueueModel model = new QueueModel();
        final List<Delivered> deliveries = new ArrayList<>();
        final Set<String> enqueued = new HashSet<>();
        final Map<String, Long> enqueuedAt = new HashMap<>();
        final Set<String> nonDelayed = new HashSet<>();
        final Set<String> acked = new HashSet<>();
        // Per queue and message: deliveries seen so far.
        final Map<String, Integer> deliveryCounts = new HashMap<>();
        final Map<Integer, Long> lastFirstDelivery = new HashMap<>();
        final Map<String, Dedup> dedup = new HashMap<>();

        record Delivered(String queue, QueueDelivery delivery) {}

        record Dedup(String messageId, long at) {}

        Run(QueueSettings settings) {
            this.settings = settings;
            QueueResult configured = h.configure(Q, request(settings));
            assertThat(configured.getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_OK);
            model.advance(h.time);
            model.configure(Q, settings);
        }

        void apply(Op op) {
            switch (op) {
                case Enqueue e -> enqueue(e);
                case Dequeue d -> dequeue(d.deadLetters() ? DLQ : Q, d.max(), d.lease());
                case Ack a ->
                    withPick(a.pick(), picked -> {
                        QueueResult result = h.ack(picked.queue(), picked.delivery());
                        QueueStatus expected = model.ack(picked.queue(), picked.delivery());
                        QueueStatus actual = result.getStatus() == QueueStatus.QUEUE_STATUS_OK
                                ? result.getOutcomes(0).getStatus()
                                : result.getStatus();
                        assertThat(actual).as("ack of %s", picked).isEqualTo(expected);
                        if (actual == QueueStatus.QUEUE_STATUS_OK) {
                            assertThat(acked.add(picked.delivery().getMessageId()))
                                    .as("acked once")
                                    .isTrue();
                        }
                    });
                case Nack n ->
                    withPick(
                            n.pick(),
                            picked -> assertThat(h.nack(picked.queue(), picked.delivery(), n.delayMs())
                                            .getStatus())
                                    .as("nack of %s", picked)
                                    .isEqualTo(model.nack(picked.queue(), picked.delivery(), n.delayMs())));
                case Extend x ->
                    withPick(
                            x.pick(),
                            picked -> assertThat(h.changeVisibility(picked.queue(), picked.delivery(), x.lease())
                                            .getStatus())
                                    .as("extend of %s", picked)
                                    .isEqualTo(model.extend(picked.queue(), picked.delivery(), x.lease())));
                case Tick t -> {
                    h.tick(t.millis());
                    model.advance(h.time);
                }
                case Restart r -> h.restart();
            }
            compareCounts();
        }

        private void enqueue(Enqueue e) {
            var messages = e.messages().stream().map(Run::proto).toArray(QueueNewMessage[]::new);
            QueueResult result = h.enqueue(Q, messages);
            model.advance(h.time);
            List<QueueEnqueued> expected = model.enqueue(Q, e.messages(), h.index);
            if (expected == null) {
                assertThat(result.getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_QUEUE_FULL);
                return;
            }
            assertThat(result.getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_OK);
            assertThat(result.getEnqueuedList()).isEqualTo(expected);
            for (int i = 0; i < e.messages().size(); i++) {
                QueueModel.NewMessage m = e.messages().get(i);
                QueueEnqueued r = result.getEnqueued(i);
                if (m.dedupId() != null && settings.dedupWindowMs() > 0) {
                    Dedup seen = dedup.get(m.dedupId());
                    boolean withinWindow = seen != null && seen.at() + settings.dedupWindowMs() > h.time;
                    assertThat(r.getDuplicate()).as("dedup id %s", m.dedupId()).isEqualTo(withinWindow);
                    if (withinWindow) {
                        assertThat(r.getMessageId()).isEqualTo(seen.messageId());
                    } else {
                        dedup.put(m.dedupId(), new Dedup(r.getMessageId(), h.time));
                    }
                }
                if (!r.getDuplicate()) {
                    assertThat(enqueued.add(r.getMessageId())).isTrue();
                    enqueuedAt.put(r.getMessageId(), h.time);
                    if (m.delayMs() == 0) {
                        nonDelayed.add(r.getMessageId());
                    }
                }
            }
        }

        private List<QueueDelivery> dequeue(String queue, int max, long lease) {
            List<QueueDelivery> got = h.dequeue(queue, max, lease);
            model.advance(h.time);
            assertThat(got).isEqualTo(model.dequeue(queue, max, lease, h.index));
            for (QueueDelivery d : got) {
                String id = d.getMessageId();
                assertThat(acked).as("no delivery after ack").doesNotContain(id);
                int count = deliveryCounts.merge(queue + "/" + id, 1, Integer::sum);
                assertThat(d.getDeliveryCount()).as("delivery count of %s", id).isEqualTo(count);
                if (queue.equals(Q) && count == 1 && nonDelayed.contains(id)) {
                    Long previous = lastFirstDelivery.put(d.getPartition(), d.getSequence());
                    assertThat(previous == null || previous < d.getSequence())
                            .as("first deliveries in partition %d follow enqueue order", d.getPartition())
                            .isTrue();
                }
                if (queue.equals(DLQ) && count == 1) {
                    int sourceDeliveries = deliveryCounts.getOrDefault(Q + "/" + id, 0);
                    boolean limitReached = settings.deliveryLimit() > 0 && sourceDeliveries >= settings.deliveryLimit();
                    boolean expired = settings.retentionMs() > 0
                            && d.getEnqueuedAtMillis() - enqueuedAt.get(id) >= settings.retentionMs();
                    assertThat(limitReached || expired)
                            .as("%s dead-lettered after %d deliveries", id, sourceDeliveries)
                            .isTrue();
                }
                deliveries.add(new Delivered(queue, d));
            }
            return got;
        }

        private void withPick(int pick, Consumer<Delivered> action) {
            if (deliveries.isEmpty()) {
                return;
            }
            // The state machine advances log time before every command; so does the model.
            model.advance(h.time);
            action.accept(deliveries.get(pick % deliveries.size()));
        }

        private void compareCounts() {
            var listed = h.query(QueueQuery.newBuilder()
                            .setList(QueueList.getDefaultInstance())
                            .build())
                    .getQueuesList();
            assertThat(listed).extracting(QueueInfo::getQueue).containsExactlyElementsOf(model.queues.keySet());
            for (QueueModel.Queue q : model.queues.values()) {
                QueueInfo info = h.describe(q.name);
                assertThat(info.getDepth()).as("depth of %s", q.name).isEqualTo(q.count(-1, QueueModel.VISIBLE));
                assertThat(info.getInFlight())
                        .as("in flight in %s", q.name)
                        .isEqualTo(q.count(-1, QueueModel.IN_FLIGHT));
                assertThat(info.getDelayed()).as("delayed in %s", q.name).isEqualTo(q.count(-1, QueueModel.DELAYED));
                assertThat(info.getDeadLetteredTotal()).isEqualTo(q.deadLettered);
                for (var p : info.getPartitionsList()) {
                    assertThat(p.getDepth()).isEqualTo(q.count(p.getPartition(), QueueModel.VISIBLE));
                    assertThat(p.getInFlight()).isEqualTo(q.count(p.getPartition(), QueueModel.IN_FLIGHT));
                    assertThat(p.getDelayed()).isEqualTo(q.count(p.getPartition(), QueueModel.DELAYED));
                }
            }
        }

        /** Acks everything there is until both queues are empty, then checks nothing was lost. */
        void drain() {
            for (int round = 0; round < 1_000 && resident() > 0; round++) {
                for (String queue : List.of(Q, DLQ)) {
                    List<QueueDelivery> got = dequeue(queue, 100, 1_000);
                    for (QueueDelivery d : got) {
                        QueueResult result = h.ack(queue, d);
                        model.ack(queue, d);
                        assertThat(result.getOutcomes(0).getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_OK);
                        assertThat(acked.add(d.getMessageId())).isTrue();
                    }
                    model.advance(h.time);
                }
                h.tick(5_000);
                model.advance(h.time);
            }
            assertThat(resident()).as("drained").isZero();
            assertThat(acked)
                    .as("every enqueued message was delivered and acked")
                    .isEqualTo(enqueued);
        }

        private long resident() {
            return h
                    .query(QueueQuery.newBuilder()
                            .setList(QueueList.getDefaultInstance())
                            .build())
                    .getQueuesList()
                    .stream()
                    .mapToLong(i -> i.getDepth() + i.getInFlight() + i.getDelayed())
                    .sum();
        }

        private static QueueNewMessage proto(QueueModel.NewMessage m) {
            var b = QueueHarness.builder(m.body()).setDelayMs(m.delayMs());
            if (m.partitionKey() != null) {
                b.setPartitionKey(m.partitionKey());
            }
            if (m.dedupId() != null) {
                b.setDedupId(m.dedupId());
            }
            return b.build();
        }

        private static QueueConfigRequest request(QueueSettings s) {
            return QueueConfigRequest.newBuilder()
                    .setPartitions(s.partitions())
                    .setDeliveryLimit(s.deliveryLimit())
                    .setVisibilityTimeoutMs(s.visibilityTimeoutMs())
                    .setDeadLetterQueue(s.deadLetterQueue())
                    .setMaxLength(s.maxLength())
                    .setRetentionMs(s.retentionMs())
                    .setDedupWindowMs(s.dedupWindowMs())
                    .build();
        }
    }
}
