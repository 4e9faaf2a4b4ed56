package io.sinkron.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.faults.LockWorkload.Hold;
import io.sinkron.faults.QueueWorkload.Delivery;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The lock and queue checks find the anomalies they are for, and only those, on made-up histories. */
class HistoryChecksTest {

    private static final long S = TimeUnit.SECONDS.toNanos(1);

    private static Hold hold(String owner, long token, long requested, long granted, long releasing) {
        return new Hold(owner, token, requested * S, granted * S, releasing * S, "released");
    }

    @Test
    void when_holds_follow_each_other_with_growing_tokens_then_nothing_is_found() {
        assertThat(LockWorkload.checkHolds(List.of(hold("a", 10, 0, 1, 2), hold("b", 12, 1, 3, 4))))
                .isEmpty();
    }

    @Test
    void when_a_grant_is_answered_while_another_hold_surely_runs_then_two_holders_are_found() {
        assertThat(LockWorkload.checkHolds(List.of(hold("a", 10, 0, 1, 5), hold("b", 12, 1, 3, 6))))
                .singleElement()
                .asString()
                .startsWith("two holders at once");
    }

    @Test
    void when_the_earlier_hold_may_have_lost_its_lease_then_an_overlap_is_no_anomaly() {
        // a's release was sent 12 s after its acquire, beyond the 10 s ttl: its lease may have ended.
        assertThat(LockWorkload.checkHolds(List.of(hold("a", 10, 0, 1, 12), hold("b", 12, 1, 11, 13))))
                .isEmpty();
    }

    @Test
    void when_a_later_grant_has_a_lower_token_then_it_is_found() {
        assertThat(LockWorkload.checkHolds(List.of(hold("a", 50, 0, 1, 2), hold("b", 40, 3, 4, 5))))
                .singleElement()
                .asString()
                .startsWith("token did not increase");
    }

    private static Delivery delivery(String queue, String id, int count, long sent) {
        return new Delivery(queue, id, "k-" + id, false, "r-" + id + "-" + count, count, sent * S);
    }

    @Test
    void when_every_enqueue_is_delivered_once_and_acked_then_nothing_is_found() {
        assertThat(QueueWorkload.checkDeliveries(
                        "q", Map.of("k1", "1-0"), List.of(delivery("q", "1-0", 1, 1)), Map.of("1-0@q", 2 * S), 0))
                .isEmpty();
    }

    @Test
    void when_an_acknowledged_enqueue_is_never_delivered_then_it_is_found() {
        assertThat(QueueWorkload.checkDeliveries("q", Map.of("k1", "1-0"), List.of(), Map.of(), 0))
                .singleElement()
                .asString()
                .contains("never delivered");
    }

    @Test
    void when_a_message_is_delivered_after_its_ack_was_confirmed_then_it_is_found() {
        assertThat(QueueWorkload.checkDeliveries(
                        "q",
                        Map.of("k1", "1-0"),
                        List.of(delivery("q", "1-0", 1, 1), delivery("q", "1-0", 2, 3)),
                        Map.of("1-0@q", 2 * S),
                        0))
                .singleElement()
                .asString()
                .contains("after its ack was confirmed");
    }

    @Test
    void when_a_message_is_dead_lettered_before_its_limit_then_it_is_found_unless_a_delivery_went_unseen() {
        List<Delivery> early =
                List.of(delivery("q", "1-0", 1, 1), delivery("q", "1-0", 2, 2), delivery("q.dlq", "1-0", 1, 3));
        assertThat(QueueWorkload.checkDeliveries("q", Map.of("k1", "1-0"), early, Map.of(), 0))
                .singleElement()
                .asString()
                .contains("dead-lettered after deliveries numbered up to 2");
        assertThat(QueueWorkload.checkDeliveries("q", Map.of("k1", "1-0"), early, Map.of(), 1))
                .isEmpty();
        List<Delivery> atLimit = List.of(
                delivery("q", "1-0", 1, 1),
                delivery("q", "1-0", 2, 2),
                delivery("q", "1-0", 3, 3),
                delivery("q.dlq", "1-0", 1, 4));
        assertThat(QueueWorkload.checkDeliveries("q", Map.of("k1", "1-0"), atLimit, Map.of(), 0))
                .isEmpty();
    }

    @Test
    void when_a_message_is_delivered_beyond_its_limit_then_it_is_found() {
        assertThat(QueueWorkload.checkDeliveries(
                        "q", Map.of(), List.of(delivery("q", "1-0", QueueWorkload.DELIVERY_LIMIT + 1, 1)), Map.of(), 0))
                .singleElement()
                .asString()
                .contains("beyond the limit");
    }
}
