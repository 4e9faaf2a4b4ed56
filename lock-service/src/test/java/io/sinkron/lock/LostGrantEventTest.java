package io.sinkron.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sinkron.lock.cluster.WaitingRequests;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A grant whose event the service never hears (the node that applied it died before sending it,
 * as in a leader failover) must still reach its waiter promptly, and must not reach it after its
 * lease has ended. Both were found by looking at what {@code LockFailoverIT}'s services logged.
 */
class LostGrantEventTest extends LockServiceTest {

    @AfterEach
    void nodeServesAgain() {
        node.electing(false);
        node.losingEvents(false);
    }

    @Test
    void when_the_read_back_after_a_reconnect_finds_no_leader_then_it_is_retried_and_the_waiter_learns_its_grant() {
        String lock = unique("orders");
        acquire(lock, "worker-1", "exclusive", 0);
        CompletableFuture<Reply> waiting = acquireAsync(lock, "worker-2", "exclusive", 60_000);
        await().until(() -> waiters(lock) == 1);

        node.losingEvents(true);
        delete("/locks/" + lock + "?client_id=worker-1");
        node.losingEvents(false);
        var warnings = new ListAppender<ILoggingEvent>();
        warnings.start();
        var logger = (Logger) LoggerFactory.getLogger(WaitingRequests.class);
        logger.addAppender(warnings);
        try {
            node.electing(true);
            node.breakEventStreams();
            await("a failed read-back")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> warnings.list.stream()
                            .anyMatch(e -> e.getFormattedMessage().startsWith("could not read back")));
            node.electing(false);
        } finally {
            logger.detachAppender(warnings);
        }

        // Far sooner than the 60 s wait, after which the service's own give-up would find the grant.
        assertThat(waiting).succeedsWithin(Duration.ofSeconds(15)).satisfies(granted -> {
            assertThat(granted.status()).isEqualTo(200);
            assertThat(granted.body().path("client_id").asString()).isEqualTo("worker-2");
        });
    }

    @Test
    void when_a_grant_nobody_heard_of_has_lost_its_lease_by_the_time_the_service_gives_up_then_it_is_not_reported() {
        String lock = unique("orders");
        acquire(lock, "worker-1", "exclusive", 0);
        CompletableFuture<Reply> waiting = postAsync("/locks/" + lock, """
                {"lock_type": "exclusive", "client_id": "worker-2", "timeout": 2000, "ttl": 1000}""");
        await().until(() -> waiters(lock) == 1);

        node.losingEvents(true);
        delete("/locks/" + lock + "?client_id=worker-1");
        node.losingEvents(false);
        node.tick(1_000);
        assertThat(acquire(lock, "worker-3", "exclusive", 0).status()).isEqualTo(200);

        // The service gives up at 2 s + grace and finds worker-2's grant, long expired, while
        // worker-3 holds the lock: reporting it would tell two clients they hold it.
        Reply reply = waiting.join();
        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.type()).isEqualTo("https://sinkron.io/problems/lease-expired");
    }
}
