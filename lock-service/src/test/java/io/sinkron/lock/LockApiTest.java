package io.sinkron.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Every endpoint of the lock API, on its success and its documented refusals. */
class LockApiTest extends LockServiceTest {

    private static final String PROBLEM_JSON = "application/problem+json";

    @Test
    void when_a_free_lock_is_acquired_then_the_grant_carries_a_fencing_token_and_lease_end() {
        String lock = unique("orders");

        Reply reply = acquire(lock, "worker-1", "exclusive", 0);

        assertThat(reply.status()).isEqualTo(200);
        JsonNode body = reply.body();
        assertThat(body.path("lock_id").asString()).isEqualTo(lock);
        assertThat(body.path("lock_type").asString()).isEqualTo("exclusive");
        assertThat(body.path("client_id").asString()).isEqualTo("worker-1");
        assertThat(body.path("fencing_token").asLong()).isPositive();
        assertThat(body.path("hold_count").asInt()).isEqualTo(1);
        assertThat(Instant.parse(body.path("expires_at").asString()))
                .isEqualTo(Instant.ofEpochMilli(node.nowMillis() + 30_000));
    }

    @Test
    void when_the_lock_is_held_then_try_once_fails_with_lock_timeout() {
        String lock = unique("orders");
        acquire(lock, "worker-1", "exclusive", 0);

        Reply reply = acquire(lock, "worker-2", "shared", 0);

        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.contentType()).startsWith(PROBLEM_JSON);
        assertThat(reply.type()).isEqualTo("https://sinkron.io/problems/lock-timeout");
        assertThat(reply.body().path("instance").asString()).isEqualTo("/locks/" + lock);
    }

    @Test
    void when_readers_share_and_a_writer_waits_then_the_state_lists_holders_and_waiters_in_order() {
        String lock = unique("catalog");
        acquire(lock, "reader-1", "shared", 0);
        acquire(lock, "reader-2", "shared", 0);
        CompletableFuture<Reply> writer = acquireAsync(lock, "writer", "exclusive", 20_000);
        await().until(() -> waiters(lock) == 1);
        CompletableFuture<Reply> reader = acquireAsync(lock, "reader-3", "shared", 20_000);
        await().until(() -> waiters(lock) == 2);

        JsonNode state = get("/locks/" + lock).body();

        assertThat(state.path("mode").asString()).isEqualTo("shared");
        assertThat(state.path("holders")
                        .valueStream()
                        .map(h -> h.path("client_id").asString()))
                .containsExactly("reader-1", "reader-2");
        assertThat(state.path("waiters")
                        .valueStream()
                        .map(w -> w.path("client_id").asString()))
                .containsExactly("writer", "reader-3");
        assertThat(state.path("holders").get(0).path("since").asString()).isNotEmpty();
        delete("/locks/" + lock + "?client_id=reader-1");
        delete("/locks/" + lock + "?client_id=reader-2");
        assertThat(writer.join().status()).isEqualTo(200);
        delete("/locks/" + lock + "?client_id=writer");
        assertThat(reader.join().status()).isEqualTo(200);
    }

    @Test
    void when_nobody_holds_a_lock_then_its_state_is_unlocked() {
        JsonNode state = get("/locks/" + unique("nothing")).body();

        assertThat(state.path("mode").asString()).isEqualTo("unlocked");
        assertThat(state.path("holders").size()).isZero();
    }

    @Test
    void when_a_waiter_is_granted_then_its_request_is_woken_by_the_grant_event() {
        String lock = unique("orders");
        acquire(lock, "worker-1", "exclusive", 0);
        CompletableFuture<Reply> waiting = acquireAsync(lock, "worker-2", "exclusive", 60_000);
        await().until(() -> waiters(lock) == 1);

        long released = System.nanoTime();
        delete("/locks/" + lock + "?client_id=worker-1");

        Reply granted = waiting.join();
        assertThat(granted.status()).isEqualTo(200);
        assertThat(granted.body().path("client_id").asString()).isEqualTo("worker-2");
        // Far below the 60 s wait and with no clock entry: only the pushed event can have woken it.
        assertThat(Duration.ofNanos(System.nanoTime() - released)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void when_the_wait_deadline_passes_in_log_time_then_the_waiter_gets_lock_timeout() {
        String lock = unique("orders");
        acquire(lock, "worker-1", "exclusive", 0);
        CompletableFuture<Reply> waiting = acquireAsync(lock, "worker-2", "exclusive", 30_000);
        await().until(() -> waiters(lock) == 1);

        node.tick(30_000);

        Reply reply = waiting.join();
        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.type()).isEqualTo("https://sinkron.io/problems/lock-timeout");
        assertThat(waiters(lock)).isZero();
    }

    @Test
    void when_no_clock_entry_ends_the_wait_then_the_service_gives_up_and_withdraws_it() {
        String lock = unique("orders");
        acquire(lock, "worker-1", "exclusive", 0);

        Reply reply = acquire(lock, "worker-2", "exclusive", 200);

        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.type()).isEqualTo("https://sinkron.io/problems/lock-timeout");
        assertThat(waiters(lock)).isZero();
    }

    @Test
    void when_grant_events_are_lost_then_the_waiter_learns_its_grant_after_the_stream_reconnects() {
        String lock = unique("orders");
        acquire(lock, "worker-1", "exclusive", 0);
        CompletableFuture<Reply> waiting = acquireAsync(lock, "worker-2", "exclusive", 60_000);
        await().until(() -> waiters(lock) == 1);

        node.losingEvents(true);
        delete("/locks/" + lock + "?client_id=worker-1");
        node.losingEvents(false);
        assertThat(waiting).isNotDone();
        node.breakEventStreams();

        Reply granted = waiting.join();
        assertThat(granted.status()).isEqualTo(200);
        assertThat(granted.body().path("client_id").asString()).isEqualTo("worker-2");
    }

    @Test
    void when_two_clients_wait_for_each_other_then_the_second_is_refused_as_deadlock_victim() {
        String first = unique("accounts");
        String second = unique("ledger");
        acquire(first, "alice", "exclusive", 0);
        acquire(second, "bob", "exclusive", 0);
        CompletableFuture<Reply> alice = acquireAsync(second, "alice", "exclusive", 60_000);
        await().until(() -> waiters(second) == 1);

        Reply bob = acquire(first, "bob", "exclusive", 60_000);

        assertThat(bob.status()).isEqualTo(409);
        assertThat(bob.type()).isEqualTo("https://sinkron.io/problems/deadlock");
        assertThat(bob.body()
                        .path("cycle")
                        .valueStream()
                        .map(e -> e.path("client_id").asString() + "@"
                                + e.path("lock_id").asString()))
                .containsExactly("bob@" + first, "alice@" + second);
        JsonNode deadlocks = get("/deadlocks").body();
        assertThat(deadlocks.path("total_detected").asLong()).isPositive();
        JsonNode last =
                deadlocks.path("deadlocks").get(deadlocks.path("deadlocks").size() - 1);
        assertThat(last.path("victim").path("client_id").asString()).isEqualTo("bob");
        assertThat(last.path("cycle").size()).isEqualTo(2);
        delete("/locks/" + second + "?client_id=bob");
        assertThat(alice.join().status()).isEqualTo(200);
    }

    @Test
    void when_the_holder_releases_then_200_and_the_lock_is_free() {
        String lock = unique("orders");
        acquire(lock, "worker-1", "exclusive", 0);

        Reply reply = delete("/locks/" + lock, "X-Client-Id", "worker-1");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().path("released").asBoolean()).isTrue();
        assertThat(reply.body().path("hold_count").asInt()).isZero();
        assertThat(acquire(lock, "worker-2", "exclusive", 0).status()).isEqualTo(200);
    }

    @Test
    void when_the_holder_acquires_again_then_it_must_release_as_often() {
        String lock = unique("orders");
        long token = acquire(lock, "worker-1", "exclusive", 0)
                .body()
                .path("fencing_token")
                .asLong();

        Reply again = acquire(lock, "worker-1", "exclusive", 0);

        assertThat(again.body().path("fencing_token").asLong()).isEqualTo(token);
        assertThat(again.body().path("hold_count").asInt()).isEqualTo(2);
        Reply first = delete("/locks/" + lock + "?client_id=worker-1");
        assertThat(first.body().path("released").asBoolean()).isFalse();
        assertThat(first.body().path("hold_count").asInt()).isEqualTo(1);
    }

    @Test
    void when_someone_else_releases_then_not_owner() {
        String lock = unique("orders");
        acquire(lock, "worker-1", "exclusive", 0);

        Reply reply = delete("/locks/" + lock + "?client_id=worker-2");

        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.type()).isEqualTo("https://sinkron.io/problems/not-owner");
    }

    @Test
    void when_the_lease_expired_then_the_late_release_is_told_so_and_the_token_is_no_longer_valid() {
        String lock = unique("orders");
        long token = post("/locks/" + lock, """
                        {"lock_type": "exclusive", "client_id": "worker-1", "ttl": 1000}""").body().path("fencing_token").asLong();
        assertThat(post("/locks/" + lock + "/validate", "{\"fencing_token\": " + token + "}")
                        .body()
                        .path("valid")
                        .asBoolean())
                .isTrue();

        node.tick(1_000);

        Reply release = delete("/locks/" + lock + "?client_id=worker-1");
        assertThat(release.status()).isEqualTo(409);
        assertThat(release.type()).isEqualTo("https://sinkron.io/problems/lease-expired");
        assertThat(post("/locks/" + lock + "/validate", "{\"fencing_token\": " + token + "}")
                        .body()
                        .path("valid")
                        .asBoolean())
                .isFalse();
    }

    @Test
    void when_a_lock_is_kept_alive_then_its_lease_restarts() {
        String lock = unique("orders");
        post("/locks/" + lock, """
                {"lock_type": "exclusive", "client_id": "worker-1", "ttl": 5000}""");
        node.tick(4_000);

        Reply kept = post("/locks/" + lock + "/keepalive?client_id=worker-1", "");

        assertThat(kept.status()).isEqualTo(200);
        assertThat(Instant.parse(kept.body().path("expires_at").asString()))
                .isEqualTo(Instant.ofEpochMilli(node.nowMillis() + 5_000));
        node.tick(4_000);
        assertThat(get("/locks/" + lock).body().path("holders").size()).isEqualTo(1);
        assertThat(post("/locks/" + lock + "/keepalive?client_id=worker-2", "").type())
                .isEqualTo("https://sinkron.io/problems/not-owner");
    }

    @Test
    void when_a_session_is_closed_then_its_locks_are_released() {
        String lock = unique("orders");
        Reply session = post("/sessions", """
                {"client_id": "worker-1", "ttl": 10000}""");
        assertThat(session.status()).isEqualTo(200);
        String id = session.body().path("session_id").asString();
        assertThat(session.body().path("ttl").asLong()).isEqualTo(10_000);
        Reply grant = post("/locks/" + lock, """
                {"lock_type": "exclusive", "client_id": "worker-1", "session_id": "%s"}""".formatted(id));
        assertThat(grant.body().path("session_id").asString()).isEqualTo(id);

        Reply closed = delete("/sessions/" + id);

        assertThat(closed.status()).isEqualTo(200);
        assertThat(closed.body().path("released_locks").asInt()).isEqualTo(1);
        assertThat(get("/locks/" + lock).body().path("mode").asString()).isEqualTo("unlocked");
        assertThat(post("/sessions/" + id + "/keepalive", "").type())
                .isEqualTo("https://sinkron.io/problems/session-not-found");
    }

    @Test
    void when_a_session_is_kept_alive_then_it_outlives_its_ttl_and_expires_without_keepalives() {
        String lock = unique("orders");
        String id = post("/sessions", """
                        {"client_id": "worker-1", "ttl": 3000}""").body().path("session_id").asString();
        post("/locks/" + lock, """
                {"lock_type": "exclusive", "client_id": "worker-1", "session_id": "%s"}""".formatted(id));
        node.tick(2_000);
        assertThat(post("/sessions/" + id + "/keepalive", "").status()).isEqualTo(200);
        node.tick(2_000);
        assertThat(get("/locks/" + lock).body().path("holders").size()).isEqualTo(1);

        node.tick(1_000);

        assertThat(get("/locks/" + lock).body().path("holders").size()).isZero();
        Reply late = post("/sessions/" + id + "/keepalive", "");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.type()).isEqualTo("https://sinkron.io/problems/lease-expired");
        assertThat(delete("/locks/" + lock + "?client_id=worker-1").type())
                .isEqualTo("https://sinkron.io/problems/lease-expired");
    }

    @Test
    void when_a_waiting_request_belongs_to_a_closed_session_then_it_ends_cancelled() {
        String lock = unique("orders");
        acquire(lock, "worker-1", "exclusive", 0);
        String id = post("/sessions", """
                        {"client_id": "worker-2", "ttl": 60000}""").body().path("session_id").asString();
        CompletableFuture<Reply> waiting = postAsync("/locks/" + lock, """
                {"lock_type": "exclusive", "client_id": "worker-2", "session_id": "%s", "timeout": 60000}""".formatted(id));
        await().until(() -> waiters(lock) == 1);

        delete("/sessions/" + id);

        Reply reply = waiting.join();
        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.type()).isEqualTo("https://sinkron.io/problems/cancelled");
    }

    @Test
    void when_a_session_belongs_to_someone_else_then_acquiring_with_it_is_refused() {
        String id = post("/sessions", """
                        {"client_id": "worker-1", "ttl": 60000}""").body().path("session_id").asString();

        Reply reply = post("/locks/" + unique("orders"), """
                {"lock_type": "exclusive", "client_id": "worker-2", "session_id": "%s"}""".formatted(id));

        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.type()).isEqualTo("https://sinkron.io/problems/not-owner");
        assertThat(post("/locks/x", """
                        {"lock_type": "exclusive", "client_id": "w", "session_id": "session-0"}""").type()).isEqualTo("https://sinkron.io/problems/session-not-found");
    }
}
