package io.sinkron.consensus.statemachine.queue;

import static io.sinkron.consensus.statemachine.queue.QueueHarness.body;
import static io.sinkron.consensus.statemachine.queue.QueueHarness.builder;
import static io.sinkron.consensus.statemachine.queue.QueueHarness.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.statemachine.CommandContext;
import io.sinkron.consensus.statemachine.EventSink;
import io.sinkron.proto.QueueAck;
import io.sinkron.proto.QueueCommand;
import io.sinkron.proto.QueueConfigRequest;
import io.sinkron.proto.QueueDelivery;
import io.sinkron.proto.QueueDequeue;
import io.sinkron.proto.QueueEnqueued;
import io.sinkron.proto.QueueEvent;
import io.sinkron.proto.QueueInfo;
import io.sinkron.proto.QueueList;
import io.sinkron.proto.QueueNewMessage;
import io.sinkron.proto.QueueQuery;
import io.sinkron.proto.QueueReceipt;
import io.sinkron.proto.QueueResult;
import io.sinkron.proto.QueueStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class QueueStateMachineTest {

    private final QueueHarness h = new QueueHarness();

    private static QueueConfigRequest.Builder config() {
        return QueueConfigRequest.newBuilder();
    }

    @Test
    void when_messages_are_enqueued_then_ids_come_from_the_log_and_delivery_is_fifo() {
        h.configure("q", config().setPartitions(1).build());
        QueueResult enqueued = h.enqueue("q", "a", "b", "c");
        long enqueueIndex = h.index;

        assertThat(enqueued.getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_OK);
        assertThat(enqueued.getEnqueuedList())
                .extracting(QueueEnqueued::getMessageId)
                .containsExactly(enqueueIndex + "-0", enqueueIndex + "-1", enqueueIndex + "-2");
        assertThat(enqueued.getEnqueuedList())
                .extracting(QueueEnqueued::getSequence)
                .containsExactly(1L, 2L, 3L);

        List<QueueDelivery> got = h.dequeue("q", 10);
        assertThat(got).extracting(QueueHarness::body).containsExactly("a", "b", "c");
        assertThat(got).allSatisfy(d -> {
            assertThat(d.getDeliveryCount()).isEqualTo(1);
            assertThat(d.getEnqueuedAtMillis()).isEqualTo(h.time);
        });
        assertThat(h.dequeue("q", 10)).isEmpty();
    }

    @Test
    void when_a_queue_is_first_enqueued_to_then_it_is_created_with_the_documented_defaults() {
        h.enqueue("orders", "x");

        QueueInfo info = h.describe("orders");
        assertThat(info.getConfig().getPartitions()).isEqualTo(4);
        assertThat(info.getConfig().getDeliveryLimit()).isEqualTo(10);
        assertThat(info.getConfig().getVisibilityTimeoutMs()).isEqualTo(30_000);
        assertThat(info.getConfig().getDeadLetterQueue()).isEqualTo("orders.dlq");
        assertThat(info.getConfig().getMaxLength()).isZero();
        assertThat(info.getConfig().getRetentionMs()).isEqualTo(4L * 24 * 3600 * 1000);
        assertThat(info.getConfig().getDedupWindowMs()).isEqualTo(300_000);
        assertThat(info.getDepth()).isEqualTo(1);
        assertThat(info.getPartitionsList())
                .hasSize(4)
                .allSatisfy(p -> assertThat(p.getGroup()).isEqualTo("default"));
    }

    @Test
    void when_messages_share_a_partition_key_then_they_share_a_partition_and_keep_their_order() {
        List<QueueNewMessage> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            batch.add(builder("m" + i).setPartitionKey("customer-7").build());
        }
        QueueResult enqueued = h.enqueue("q", batch.toArray(QueueNewMessage[]::new));

        int expectedPartition = StableHash.bucket("customer-7", 4);
        assertThat(enqueued.getEnqueuedList())
                .allSatisfy(e -> assertThat(e.getPartition()).isEqualTo(expectedPartition));
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            bodies.add(body(h.dequeue("q", 1).getFirst()));
        }
        assertThat(bodies)
                .containsExactlyElementsOf(
                        batch.stream().map(m -> m.getBody().toStringUtf8()).toList());
    }

    @Test
    void when_no_partition_key_is_given_then_the_message_id_is_hashed() {
        QueueResult enqueued = h.enqueue("q", "a", "b", "c", "d", "e", "f");

        assertThat(enqueued.getEnqueuedList())
                .allSatisfy(e -> assertThat(e.getPartition()).isEqualTo(StableHash.bucket(e.getMessageId(), 4)));
    }

    @Test
    void when_several_partitions_hold_messages_then_dequeue_serves_them_in_turn() {
        h.configure("q", config().setPartitions(2).build());
        String keyFor0 = keyFor(0, 2);
        String keyFor1 = keyFor(1, 2);
        h.enqueue(
                "q",
                builder("a1").setPartitionKey(keyFor0).build(),
                builder("a2").setPartitionKey(keyFor0).build(),
                builder("a3").setPartitionKey(keyFor0).build(),
                builder("b1").setPartitionKey(keyFor1).build(),
                builder("b2").setPartitionKey(keyFor1).build());

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            order.add(body(h.dequeue("q", 1).getFirst()));
        }
        assertThat(order).containsExactly("a1", "b1", "a2", "b2", "a3");
    }

    @Test
    void when_the_lease_ends_then_the_message_is_redelivered_with_a_new_receipt_and_a_higher_count() {
        h.enqueue("q", "job");
        QueueDelivery first = h.dequeue("q", 1, 1_000).getFirst();

        h.tick(999);
        assertThat(h.dequeue("q", 1)).as("still leased").isEmpty();
        h.tick(1);
        QueueDelivery second = h.dequeue("q", 1).getFirst();

        assertThat(second.getMessageId()).isEqualTo(first.getMessageId());
        assertThat(second.getDeliveryCount()).isEqualTo(2);
        assertThat(second.getReceipt()).isNotEqualTo(first.getReceipt());
        assertThat(h.ack("q", first).getOutcomes(0).getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_STALE_RECEIPT);
        assertThat(h.ack("q", second).getOutcomes(0).getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_OK);
        h.tick(3_600_000);
        assertThat(h.dequeue("q", 10))
                .as("acked messages are never delivered again")
                .isEmpty();
        assertThat(h.describe("q").getDepth()).isZero();
    }

    @Test
    void when_the_lease_ended_then_even_the_latest_receipt_is_stale() {
        h.enqueue("q", "job");
        QueueDelivery delivery = h.dequeue("q", 1, 1_000).getFirst();
        h.tick(1_000);

        QueueResult ack = h.ack("q", delivery);

        assertThat(ack.getOutcomes(0).getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_STALE_RECEIPT);
        assertThat(h.describe("q").getDepth()).isEqualTo(1);
    }

    @Test
    void when_nacked_with_a_delay_then_the_message_is_delayed_and_comes_back_after_it() {
        h.enqueue("q", "job");
        QueueDelivery delivery = h.dequeue("q", 1).getFirst();

        assertThat(h.nack("q", delivery, 5_000).getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_OK);
        assertThat(h.describe("q").getDelayed()).isEqualTo(1);
        assertThat(h.dequeue("q", 1)).isEmpty();
        h.tick(5_000);

        QueueDelivery again = h.dequeue("q", 1).getFirst();
        assertThat(again.getMessageId()).isEqualTo(delivery.getMessageId());
        assertThat(again.getDeliveryCount()).isEqualTo(2);
    }

    @Test
    void when_nacked_without_delay_then_it_goes_out_before_younger_messages() {
        h.configure("q", config().setPartitions(1).build());
        h.enqueue("q", "old", "young");
        QueueDelivery old = h.dequeue("q", 1).getFirst();

        h.nack("q", old, 0);

        assertThat(h.dequeue("q", 2)).extracting(QueueHarness::body).containsExactly("old", "young");
    }

    @Test
    void when_the_visibility_is_extended_then_the_lease_ends_that_long_after_the_extension() {
        h.enqueue("q", "job");
        QueueDelivery delivery = h.dequeue("q", 1, 1_000).getFirst();
        h.tick(900);

        assertThat(h.changeVisibility("q", delivery, 5_000).getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_OK);
        h.tick(4_999);
        assertThat(h.dequeue("q", 1)).isEmpty();
        assertThat(h.describe("q").getInFlight()).isEqualTo(1);
        h.tick(1);
        assertThat(h.dequeue("q", 1))
                .extracting(QueueDelivery::getDeliveryCount)
                .containsExactly(2);
    }

    @Test
    void when_the_delivery_limit_is_reached_then_the_message_moves_to_the_dead_letter_queue_unchanged() {
        h.configure("q", config().setDeliveryLimit(2).build());
        h.enqueue("q", "poison");
        QueueDelivery first = h.dequeue("q", 1, 1_000).getFirst();
        h.tick(1_000);
        QueueDelivery second = h.dequeue("q", 1, 1_000).getFirst();
        assertThat(h.describe("q").getDeadLetterDepth())
                .as("not before the limit")
                .isZero();
        h.tick(1_000);

        QueueInfo source = h.describe("q");
        assertThat(source.getDepth() + source.getInFlight() + source.getDelayed())
                .isZero();
        assertThat(source.getDeadLetterDepth()).isEqualTo(1);
        assertThat(source.getDeadLetteredTotal()).isEqualTo(1);
        QueueInfo dlq = h.describe("q.dlq");
        assertThat(dlq.getConfig().getDeliveryLimit()).isZero();
        assertThat(dlq.getConfig().getRetentionMs()).isZero();
        QueueDelivery dead = h.dequeue("q.dlq", 1).getFirst();
        assertThat(dead.getMessageId()).isEqualTo(first.getMessageId()).isEqualTo(second.getMessageId());
        assertThat(body(dead)).isEqualTo("poison");
        assertThat(dead.getDeliveryCount()).isEqualTo(1);
        assertThat(h.ack("q", second).getOutcomes(0).getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_MESSAGE_NOT_FOUND);
    }

    @Test
    void when_nacked_on_its_last_delivery_then_the_message_is_dead_lettered_at_once() {
        h.configure(
                "q",
                config().setDeliveryLimit(1).setDeadLetterQueue("graveyard").build());
        h.enqueue("q", "poison");

        h.nack("q", h.dequeue("q", 1).getFirst(), 60_000);

        assertThat(h.describe("q").getDelayed()).isZero();
        assertThat(h.dequeue("graveyard", 1)).extracting(QueueHarness::body).containsExactly("poison");
    }

    @Test
    void when_the_delivery_limit_is_zero_then_messages_are_redelivered_forever() {
        h.configure(
                "q",
                config().setDeliveryLimit(0)
                        .setRetentionMs(0)
                        .setDeadLetterQueue("")
                        .build());
        h.enqueue("q", "job");
        for (int i = 1; i <= 50; i++) {
            assertThat(h.dequeue("q", 1, 10).getFirst().getDeliveryCount()).isEqualTo(i);
            h.tick(10);
        }
        assertThat(h.describe("q").getDeadLetteredTotal()).isZero();
    }

    @Test
    void when_a_dedup_id_repeats_within_the_window_then_the_original_is_returned_and_nothing_is_enqueued() {
        QueueEnqueued original =
                h.enqueue("q", builder("a").setDedupId("order-1").build()).getEnqueued(0);
        h.tick(299_999);

        QueueEnqueued repeat =
                h.enqueue("q", builder("a again").setDedupId("order-1").build()).getEnqueued(0);

        assertThat(repeat.getDuplicate()).isTrue();
        assertThat(repeat.getMessageId()).isEqualTo(original.getMessageId());
        assertThat(repeat.getPartition()).isEqualTo(original.getPartition());
        assertThat(repeat.getSequence()).isEqualTo(original.getSequence());
        assertThat(h.describe("q").getDepth()).isEqualTo(1);

        h.tick(1);
        QueueEnqueued afterWindow =
                h.enqueue("q", builder("b").setDedupId("order-1").build()).getEnqueued(0);
        assertThat(afterWindow.getDuplicate()).isFalse();
        assertThat(afterWindow.getMessageId()).isNotEqualTo(original.getMessageId());
        assertThat(h.describe("q").getDepth()).isEqualTo(2);
    }

    @Test
    void when_the_original_was_acked_then_its_dedup_id_still_counts_within_the_window() {
        h.enqueue("q", builder("a").setDedupId("d").build());
        h.ack("q", h.dequeue("q", 1).getFirst());

        assertThat(h.enqueue("q", builder("a").setDedupId("d").build())
                        .getEnqueued(0)
                        .getDuplicate())
                .isTrue();
        assertThat(h.describe("q").getDepth()).isZero();
    }

    @Test
    void when_a_batch_repeats_a_dedup_id_then_the_later_message_is_a_duplicate_of_the_earlier() {
        QueueResult result = h.enqueue(
                "q",
                builder("a").setDedupId("d").build(),
                builder("b").setDedupId("d").build());

        assertThat(result.getEnqueued(1).getDuplicate()).isTrue();
        assertThat(result.getEnqueued(1).getMessageId())
                .isEqualTo(result.getEnqueued(0).getMessageId());
        assertThat(h.describe("q").getDepth()).isEqualTo(1);
    }

    @Test
    void when_enqueued_with_a_delay_then_the_message_is_invisible_until_the_delay_passes() {
        h.enqueue("q", builder("later").setDelayMs(10_000).build());

        assertThat(h.describe("q").getDelayed()).isEqualTo(1);
        assertThat(h.dequeue("q", 1)).isEmpty();
        h.tick(9_999);
        assertThat(h.dequeue("q", 1)).isEmpty();
        h.tick(1);
        assertThat(h.dequeue("q", 1)).extracting(QueueHarness::body).containsExactly("later");
    }

    @Test
    void when_the_queue_is_full_then_the_whole_batch_is_refused_and_nothing_is_dropped() {
        h.configure("q", config().setMaxLength(2).build());
        h.enqueue("q", builder("a").setDedupId("a").build());

        QueueResult full = h.enqueue("q", "b", "c");

        assertThat(full.getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_QUEUE_FULL);
        assertThat(full.getEnqueuedList()).isEmpty();
        assertThat(h.describe("q").getDepth()).isEqualTo(1);
        assertThat(h.enqueue("q", builder("a").setDedupId("a").build(), message("b"))
                        .getStatus())
                .as("a duplicate takes no room")
                .isEqualTo(QueueStatus.QUEUE_STATUS_OK);
        assertThat(h.enqueue("q", "c").getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_QUEUE_FULL);
    }

    @Test
    void when_the_retention_passes_then_visible_messages_move_to_the_dead_letter_queue() {
        h.configure("q", config().setRetentionMs(60_000).build());
        h.enqueue("q", "old");
        h.tick(30_000);
        h.enqueue("q", "young");
        h.tick(30_000);

        assertThat(h.describe("q").getDepth()).isEqualTo(1);
        assertThat(h.dequeue("q.dlq", 10)).extracting(QueueHarness::body).containsExactly("old");
        h.tick(30_000);
        assertThat(h.describe("q").getDepth()).isZero();
        assertThat(h.describe("q").getDeadLetteredTotal()).isEqualTo(2);
    }

    @Test
    void when_the_queue_is_unknown_then_ack_nack_and_visibility_say_not_found_but_dequeue_is_empty() {
        h.enqueue("q", "a");
        QueueDelivery delivery = h.dequeue("q", 1).getFirst();

        assertThat(h.ack("nope", delivery).getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_QUEUE_NOT_FOUND);
        assertThat(h.nack("nope", delivery, 0).getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_QUEUE_NOT_FOUND);
        assertThat(h.changeVisibility("nope", delivery, 0).getStatus())
                .isEqualTo(QueueStatus.QUEUE_STATUS_QUEUE_NOT_FOUND);
        assertThat(h.dequeue("nope", 1)).isEmpty();
        assertThat(h.describe("nope")).isNull();
    }

    @Test
    void when_receipts_are_unknown_or_malformed_then_each_is_refused_with_its_reason() {
        h.enqueue("q", "a", "b");
        List<QueueDelivery> delivered = h.dequeue("q", 2);
        QueueReceipt good = QueueHarness.receipt(delivered.get(0));
        QueueReceipt otherMessagesReceipt =
                good.toBuilder().setMessageId(delivered.get(1).getMessageId()).build();

        QueueResult result = h.submit(QueueCommand.newBuilder()
                .setAck(QueueAck.newBuilder()
                        .setQueue("q")
                        .addReceipts(good)
                        .addReceipts(good.toBuilder().setMessageId("999999-0"))
                        .addReceipts(good.toBuilder().setMessageId("not-an-id"))
                        .addReceipts(good.toBuilder().setReceipt("garbage!"))
                        .addReceipts(otherMessagesReceipt))
                .build());

        assertThat(result.getOutcomesList())
                .extracting(o -> o.getStatus())
                .containsExactly(
                        QueueStatus.QUEUE_STATUS_OK,
                        QueueStatus.QUEUE_STATUS_MESSAGE_NOT_FOUND,
                        QueueStatus.QUEUE_STATUS_INVALID,
                        QueueStatus.QUEUE_STATUS_INVALID,
                        QueueStatus.QUEUE_STATUS_STALE_RECEIPT);
        assertThat(h.describe("q").getInFlight()).isEqualTo(1);
    }

    @Test
    void when_input_is_invalid_then_the_command_is_refused_and_changes_nothing() {
        h.enqueue("q", "a");
        byte[] before = h.snapshot();

        List<QueueResult> refused = List.of(
                h.enqueue("q", message("")),
                h.enqueue("bad name!", "a"),
                h.enqueue("q", new QueueNewMessage[0]),
                h.enqueue(
                        "q",
                        builder("a")
                                .setDelayMs(QueueSettings.MAX_TIMEOUT_MS + 1)
                                .build()),
                h.enqueue("q", builder("a").setDedupId("").build()),
                h.enqueue("q", message("ok"), message("")),
                h.dequeue(QueueDequeue.newBuilder()
                        .setQueue("q")
                        .setMaxMessages(0)
                        .build()),
                h.dequeue(QueueDequeue.newBuilder()
                        .setQueue("unknown")
                        .setMaxMessages(0)
                        .build()),
                h.dequeue(QueueDequeue.newBuilder()
                        .setQueue("q")
                        .setMaxMessages(1)
                        .setVisibilityTimeoutMs(-1)
                        .build()),
                h.configure("q", config().setPartitions(0).build()),
                h.configure("q", config().setDeadLetterQueue("q").build()),
                h.configure("q", config().setDeadLetterQueue("").build()),
                h.configure("new", config().setDeliveryLimit(-5).build()),
                h.submit(QueueCommand.getDefaultInstance()));

        assertThat(refused).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_INVALID);
            assertThat(r.getDetail()).isNotBlank();
        });
        assertThat(h.snapshot()).isEqualTo(before);
    }

    @Test
    void when_a_command_is_not_a_queue_command_then_it_is_invalid() throws Exception {
        var machine = new QueueStateMachine();
        var context = new CommandContext(1, 0, "c", EventSink.NONE);

        QueueResult result = QueueResult.parseFrom(machine.apply(context, new byte[] {(byte) 0xff, 0x01}));

        assertThat(result.getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_INVALID);
    }

    @Test
    void when_a_non_empty_queue_is_reconfigured_then_partitions_may_grow_but_not_shrink() {
        h.configure("q", config().setPartitions(4).build());
        h.enqueue("q", "a");

        assertThat(h.configure("q", config().setPartitions(2).build()).getStatus())
                .isEqualTo(QueueStatus.QUEUE_STATUS_CONFLICT);
        QueueResult grown = h.configure("q", config().setPartitions(8).build());
        assertThat(grown.getQueue().getPartitionsCount()).isEqualTo(8);
        assertThat(grown.getQueue().getDepth()).isEqualTo(1);
        h.ack("q", h.dequeue("q", 1).getFirst());
        assertThat(h.configure("q", config().setPartitions(1).build()).getStatus())
                .isEqualTo(QueueStatus.QUEUE_STATUS_OK);
    }

    @Test
    void when_a_queue_is_deleted_then_it_and_its_messages_are_gone() {
        h.enqueue("q", "a", "b");

        assertThat(h.delete("q").getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_OK);
        assertThat(h.describe("q")).isNull();
        assertThat(h.delete("q").getStatus()).isEqualTo(QueueStatus.QUEUE_STATUS_QUEUE_NOT_FOUND);
        assertThat(h.dequeue("q", 10)).isEmpty();
    }

    @Test
    void when_messages_become_visible_then_an_event_names_the_queue_and_its_visible_count() {
        h.enqueue("q", "a", "b");
        assertThat(h.events).containsExactly(event("q", 2));
        h.events.clear();

        List<QueueDelivery> delivered = h.dequeue("q", 2, 1_000);
        h.enqueue("q", builder("c").setDelayMs(500).build());
        assertThat(h.events)
                .as("neither dequeue nor a delayed enqueue makes anything visible")
                .isEmpty();

        h.tick(500);
        assertThat(h.events).as("end of a delay").containsExactly(event("q", 1));
        h.events.clear();
        h.nack("q", delivered.get(0), 0);
        assertThat(h.events).as("nack").containsExactly(event("q", 2));
        h.events.clear();
        h.tick(500);
        assertThat(h.events).as("lease ended").containsExactly(event("q", 3));
    }

    @Test
    void when_max_bytes_is_given_then_delivery_stops_before_it_but_always_hands_out_one_message() {
        h.configure("q", config().setPartitions(1).build());
        h.enqueue("q", "0123456789", "0123456789", "0123456789");

        List<QueueDelivery> two = h.dequeue(QueueDequeue.newBuilder()
                        .setQueue("q")
                        .setMaxMessages(3)
                        .setMaxBytes(25)
                        .build())
                .getDeliveriesList();
        List<QueueDelivery> oneOversized = h.dequeue(QueueDequeue.newBuilder()
                        .setQueue("q")
                        .setMaxMessages(3)
                        .setMaxBytes(5)
                        .build())
                .getDeliveriesList();

        assertThat(two).hasSize(2);
        assertThat(oneOversized).hasSize(1);
    }

    @Test
    void when_listing_then_every_queue_is_there_and_active_consumers_are_counted() {
        h.enqueue("b", "x");
        h.enqueue("a", "x");
        h.dequeue(QueueDequeue.newBuilder()
                .setQueue("a")
                .setMaxMessages(1)
                .setConsumerId("worker-1")
                .build());
        h.dequeue(QueueDequeue.newBuilder()
                .setQueue("a")
                .setMaxMessages(1)
                .setConsumerId("worker-2")
                .build());

        var list = h.query(
                QueueQuery.newBuilder().setList(QueueList.getDefaultInstance()).build());

        assertThat(list.getQueuesList()).extracting(QueueInfo::getQueue).containsExactly("a", "b");
        assertThat(list.getQueues(0).getActiveConsumers()).isEqualTo(2);
        h.tick(ActiveConsumers.WINDOW_MS);
        assertThat(h.describe("a").getActiveConsumers()).isZero();
    }

    @Test
    void when_restored_from_a_snapshot_then_the_state_and_all_later_behaviour_are_the_same() {
        QueueHarness other = new QueueHarness();
        List<Consumer<QueueHarness>> history = List.of(
                x -> x.configure(
                        "q",
                        config().setPartitions(3)
                                .setDeliveryLimit(2)
                                .setRetentionMs(90_000)
                                .build()),
                x -> x.enqueue("q", "a", "b", "c", "d", "e"),
                x -> x.enqueue(
                        "q", builder("f").setDedupId("f").setDelayMs(2_000).build()),
                x -> x.dequeue(QueueDequeue.newBuilder()
                        .setQueue("q")
                        .setMaxMessages(2)
                        .setVisibilityTimeoutMs(1_000)
                        .setConsumerId("w")
                        .build()),
                x -> x.tick(1_000),
                x -> x.dequeue("q", 3, 1_000),
                x -> x.tick(1_000),
                x -> x.enqueue("other", "z"));
        history.forEach(step -> step.accept(h));
        history.forEach(step -> step.accept(other));

        byte[] before = h.snapshot();
        h.restart();
        assertThat(h.snapshot()).isEqualTo(before);

        List<Consumer<QueueHarness>> future = List.of(
                x -> x.dequeue("q", 10, 1_000),
                x -> x.enqueue("q", builder("f").setDedupId("f").build()),
                x -> x.tick(1_000),
                x -> x.dequeue("q", 10, 1_000),
                x -> x.tick(100_000),
                x -> x.dequeue("q.dlq", 10));
        for (var step : future) {
            step.accept(h);
            step.accept(other);
            assertThat(h.snapshot()).isEqualTo(other.snapshot());
        }
        assertThat(h.describe("q.dlq").getDepth() + h.describe("q.dlq").getInFlight())
                .isPositive();
        assertThat(h.events).containsExactlyElementsOf(other.events);
    }

    private static QueueEvent event(String queue, long available) {
        return QueueEvent.newBuilder().setQueue(queue).setAvailable(available).build();
    }

    private static String keyFor(int partition, int partitions) {
        for (int i = 0; ; i++) {
            if (StableHash.bucket("k" + i, partitions) == partition) {
                return "k" + i;
            }
        }
    }
}
