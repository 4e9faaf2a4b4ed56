package io.sinkron.cache;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sinkron.cache.home.DirectoryEntry;
import io.sinkron.cache.home.Precondition;
import io.sinkron.cache.near.Line;
import io.sinkron.cache.near.LineState;
import io.sinkron.client.ConsensusException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Instances against a fake cluster on one manual clock: the test renews leases and moves time, so
 * every lease expiry happens exactly when the test says.
 */
class CoherentCacheTest {

    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration MARGIN = Duration.ofSeconds(2);

    private final ManualClock clock = new ManualClock();
    private final FakeConsensusCluster cluster = new FakeConsensusCluster(clock::millis);
    private final ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();
    private final List<CacheInstance> instances = new ArrayList<>();
    private CacheInstance a;
    private CacheInstance b;

    @BeforeEach
    void start() {
        a = instance("a", 1_000);
        b = instance("b", 1_000);
    }

    @AfterEach
    void stop() {
        writers.shutdownNow();
        instances.forEach(CacheInstance::close);
        cluster.close();
    }

    private CacheInstance instance(String id, int maxEntries) {
        CacheProperties defaults = CacheInstance.properties(id, LEASE, MARGIN, Duration.ofSeconds(1));
        var properties = new CacheProperties(
                defaults.consensusNodes(),
                id,
                maxEntries,
                defaults.maxBytes(),
                defaults.maxValueBytes(),
                defaults.maxKeyLength(),
                LEASE,
                MARGIN,
                defaults.keepAliveInterval(),
                defaults.requestTimeout(),
                defaults.writeTimeout(),
                defaults.writeCommandsInFlight());
        var instance = CacheInstance.manual(cluster, properties, clock);
        instances.add(instance);
        await().atMost(5, SECONDS).until(instance.cache::eventsConnected);
        return instance;
    }

    @Test
    void when_a_key_is_read_twice_then_the_second_read_is_a_hit_of_an_exclusive_line() {
        b.cache.put("k", "1", 0, Precondition.NONE);
        // The writer holds the key MODIFIED until its session ends.
        b.close();

        CacheRead miss = a.cache.get("k");
        CacheRead hit = a.cache.get("k");

        assertThat(miss.hit()).isFalse();
        assertThat(miss.state()).isEqualTo(LineState.EXCLUSIVE);
        assertThat(hit).isEqualTo(new CacheRead("k", "1", miss.version(), true, LineState.EXCLUSIVE));
        assertThat(a.cache.stats().hits()).isEqualTo(1);
        assertThat(a.cache.stats().misses()).isEqualTo(1);
    }

    @Test
    void when_a_second_instance_reads_the_key_then_both_lines_are_shared() {
        a.cache.put("k", "1", 0, Precondition.NONE);
        assertThat(a.cache.get("k").state()).isEqualTo(LineState.MODIFIED);

        CacheRead read = b.cache.get("k");

        assertThat(read.state()).isEqualTo(LineState.SHARED);
        await().atMost(5, SECONDS).until(() -> a.cache.get("k").state() == LineState.SHARED);
        assertThat(states(a.cache.directory("k"))).containsExactlyInAnyOrder("a=SHARED", "b=SHARED");
    }

    @Test
    void when_a_write_returns_then_every_other_holder_has_dropped_the_old_line() {
        a.cache.put("k", "1", 0, Precondition.NONE);
        b.cache.get("k");
        assertThat(b.near.get("k")).isPresent();

        long version = a.cache.put("k", "2", 0, Precondition.NONE);

        assertThat(b.near.get("k")).isEmpty();
        assertThat(b.cache.get("k")).isEqualTo(new CacheRead("k", "2", version, false, LineState.SHARED));
        assertThat(b.cache.stats().invalidationsReceived()).isEqualTo(1);
    }

    @Test
    void when_an_instance_writes_then_it_holds_the_new_value_modified_and_alone() {
        b.cache.put("k", "1", 0, Precondition.NONE);
        a.cache.get("k");

        long version = b.cache.put("k", "2", 0, Precondition.NONE);

        assertThat(b.near.get("k"))
                .get()
                .extracting(Line::state, Line::version)
                .containsExactly(LineState.MODIFIED, version);
        assertThat(b.cache.get("k").hit()).isTrue();
        assertThat(states(b.cache.directory("k"))).containsExactly("b=MODIFIED");
    }

    @Test
    void when_an_invalidation_event_is_lost_then_the_next_keepalive_delivers_it_and_the_write_completes() {
        a.cache.put("k", "1", 0, Precondition.NONE);
        b.cache.get("k");
        b.node.eventFaults(1.0, 0);

        CompletableFuture<Long> write =
                CompletableFuture.supplyAsync(() -> a.cache.put("k", "2", 0, Precondition.NONE), writers);
        await().atMost(5, SECONDS).until(() -> a.cache.directory("k").pendingVersion() != 0);
        assertThat(write).isNotDone();
        assertThat(b.cache.get("k").value())
                .as("the write is not in effect yet")
                .isEqualTo("1");

        b.cache.maintainLease();

        assertThat(write).succeedsWithin(Duration.ofSeconds(5));
        assertThat(b.cache.get("k").value()).isEqualTo("2");
    }

    @Test
    void when_an_instance_is_cut_off_then_a_write_completes_after_its_lease_and_it_never_serves_the_old_value() {
        a.cache.put("k", "old", 0, Precondition.NONE);
        b.cache.get("k");
        b.node.cutOff(true);

        CompletableFuture<Long> write =
                CompletableFuture.supplyAsync(() -> a.cache.put("k", "new", 0, Precondition.NONE), writers);
        await().atMost(5, SECONDS).until(() -> a.cache.directory("k").pendingVersion() != 0);
        assertThat(b.cache.get("k"))
                .as("until its lease ends the write is not in effect, so serving the old value is correct")
                .extracting(CacheRead::hit, CacheRead::value)
                .containsExactly(true, "old");

        clock.advance(Duration.ofSeconds(5));
        a.cache.maintainLease();
        clock.advance(LEASE.minus(MARGIN).minus(Duration.ofSeconds(5)));
        assertThatThrownBy(() -> b.cache.get("k"))
                .as("its own lease ran out: it may not serve from its near cache, and the home is unreachable")
                .isInstanceOf(ConsensusException.class);
        assertThat(b.near.size()).isZero();
        cluster.tick();
        assertThat(write).as("the home still waits for the rest of its lease").isNotDone();

        clock.advance(MARGIN);
        cluster.tick();

        assertThat(write).succeedsWithin(Duration.ofSeconds(5));
        assertThat(a.cache.get("k").value()).isEqualTo("new");
        assertThatThrownBy(() -> b.cache.get("k")).isInstanceOf(ConsensusException.class);

        b.node.cutOff(false);
        await().atMost(5, SECONDS).until(b.cache::eventsConnected);
        b.cache.maintainLease();
        assertThat(b.cache.get("k"))
                .extracting(CacheRead::hit, CacheRead::value)
                .containsExactly(false, "new");
        assertThat(b.cache.get("k").hit()).isTrue();
    }

    @Test
    void when_a_holder_outlasts_the_write_timeout_then_the_write_is_unconfirmed_and_a_later_one_finds_the_key_busy() {
        a.cache.put("k", "1", 0, Precondition.NONE);
        b.cache.get("k");
        b.node.cutOff(true);
        CompletableFuture<Long> accepted =
                CompletableFuture.supplyAsync(() -> a.cache.put("k", "2", 0, Precondition.NONE), writers);
        await().atMost(5, SECONDS).until(() -> a.cache.directory("k").pendingVersion() != 0);
        long before = cluster.lastIndex();
        CompletableFuture<Long> refused =
                CompletableFuture.supplyAsync(() -> a.cache.put("k", "3", 0, Precondition.NONE), writers);
        await().atMost(5, SECONDS).until(() -> cluster.lastIndex() > before);

        // Past both writes' deadlines, with no clock entry: the home still waits for b.
        clock.advance(LEASE.multipliedBy(3).plusSeconds(1));

        assertThat(accepted)
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(WriteNotConfirmedException.class);
        assertThat(refused)
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(KeyBusyException.class);
        cluster.tick();
        assertThat(a.cache.get("k").value())
                .as("the accepted write took effect after all")
                .isEqualTo("2");
    }

    @Test
    void when_the_cluster_was_unreachable_at_start_then_the_instance_registers_once_it_is_reachable() {
        FakeNode node = cluster.node("late");
        node.cutOff(true);
        var late = CacheInstance.manual(
                node, CacheInstance.properties("late", LEASE, MARGIN, Duration.ofSeconds(1)), clock);
        instances.add(late);
        assertThat(late.cache.session()).isZero();

        node.cutOff(false);
        // The client's first session never reached the cluster but counts its commands as
        // acknowledged, so the cluster refuses it: the client must carry on with a new one.
        late.cache.maintainLease();

        assertThat(late.cache.session()).isNotZero();
        await().atMost(5, SECONDS).until(late.cache::eventsConnected);
        a.cache.put("k", "1", 0, Precondition.NONE);
        assertThat(late.cache.get("k").state()).isEqualTo(LineState.SHARED);
        a.cache.put("k", "2", 0, Precondition.NONE);
        assertThat(late.near.get("k"))
                .as("invalidated over the renewed event stream")
                .isEmpty();
    }

    @Test
    void when_the_lease_is_not_renewed_in_time_then_the_instance_flushes_and_reads_through_until_it_registers_again() {
        a.cache.put("k", "1", 0, Precondition.NONE);
        b.cache.get("k");
        long firstSession = b.cache.session();

        clock.advance(LEASE.minus(MARGIN));

        assertThat(b.cache.get("k"))
                .extracting(CacheRead::hit, CacheRead::state)
                .containsExactly(false, LineState.INVALID);
        assertThat(b.near.size()).isZero();
        assertThat(b.cache.leaseValid()).isFalse();

        b.cache.maintainLease();

        assertThat(b.cache.session()).isNotIn(0L, firstSession);
        assertThat(b.cache.get("k").state()).isEqualTo(LineState.SHARED);
        assertThat(b.cache.get("k").hit()).isTrue();
        assertThat(states(a.cache.directory("k")))
                .as("the replaced session left the directory")
                .hasSize(2);
    }

    @Test
    void when_a_ttl_runs_out_then_no_instance_serves_the_value_any_more() {
        a.cache.put("k", "1", Duration.ofSeconds(5).toMillis(), Precondition.NONE);
        b.cache.get("k");
        assertThat(a.cache.get("k").hit()).isTrue();

        clock.advance(Duration.ofSeconds(5));
        cluster.tick();

        await().atMost(5, SECONDS).untilAsserted(() -> {
            assertThatThrownBy(() -> a.cache.get("k")).isInstanceOf(KeyNotFoundException.class);
            assertThatThrownBy(() -> b.cache.get("k")).isInstanceOf(KeyNotFoundException.class);
        });
    }

    @Test
    void when_writes_of_many_keys_arrive_together_then_they_share_commands_and_each_completes_as_alone()
            throws Exception {
        b.cache.put("held", "0", 0, Precondition.NONE);
        a.cache.get("held");
        assertThat(a.near.get("held")).isPresent();
        List<String> keys = new ArrayList<>(List.of("held"));
        for (int i = 0; i < 11; i++) {
            keys.add("w" + i);
        }
        // A second write of a key it already carries must wait for a later command.
        keys.add("w0");

        cluster.holdCommands(true);
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        try {
            for (int i = 0; i < keys.size(); i++) {
                String key = keys.get(i);
                String value = Integer.toString(i);
                writes.add(CompletableFuture.supplyAsync(() -> b.cache.put(key, value, 0, Precondition.NONE), writers));
            }
            // Four commands of one write each at the cluster (b's limit), the other nine writes
            // waiting in b for a slot: thirteen writes in progress.
            await().atMost(10, SECONDS).until(() -> cluster.heldCommands() >= 4);
            await().atMost(10, SECONDS).until(() -> b.home.writesInProgress() == keys.size());
        } finally {
            cluster.holdCommands(false);
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(10, SECONDS);

        List<Long> versions = writes.stream().map(CompletableFuture::join).toList();
        assertThat(versions.stream().distinct().count())
                .as("writes that waited together share one command, hence one log index")
                .isLessThan(keys.size());
        int firstW0 = keys.indexOf("w0");
        int lastW0 = keys.lastIndexOf("w0");
        assertThat(versions.get(lastW0)).isNotEqualTo(versions.get(firstW0));
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            if (i == firstW0 && versions.get(firstW0) < versions.get(lastW0)) {
                continue;
            }
            if (i == lastW0 && versions.get(lastW0) < versions.get(firstW0)) {
                continue;
            }
            assertThat(a.cache.get(key))
                    .as(key)
                    .extracting(CacheRead::value, CacheRead::version)
                    .containsExactly(Integer.toString(i), versions.get(i));
        }
        assertThat(a.cache.stats().invalidationsReceived())
                .as("a's line of the held key was invalidated before b's write returned")
                .isEqualTo(1);
        await().atMost(10, SECONDS).until(() -> b.home.writesInProgress() == 0);
    }

    @Test
    void when_two_instances_compare_and_set_the_same_version_concurrently_then_exactly_one_wins() throws Exception {
        long version = a.cache.put("k", "0", 0, Precondition.NONE);
        for (int round = 1; round <= 20; round++) {
            a.cache.get("k");
            b.cache.get("k");
            var barrier = new CyclicBarrier(2);
            long expected = version;
            String value = Integer.toString(round);
            List<CompletableFuture<Long>> writes = List.of(a, b).stream()
                    .map(instance -> CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    barrier.await();
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                                return instance.cache.put(
                                        "k", value + instance.id, 0, new Precondition.Version(expected));
                            },
                            writers))
                    .toList();
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                    .exceptionally(e -> null)
                    .get(10, SECONDS);

            List<CompletableFuture<Long>> won =
                    writes.stream().filter(w -> !w.isCompletedExceptionally()).toList();
            assertThat(won).as("round %d", round).hasSize(1);
            assertThat(writes.stream().filter(CompletableFuture::isCompletedExceptionally))
                    .singleElement()
                    .satisfies(
                            lost -> assertThatThrownBy(lost::join).hasCauseInstanceOf(VersionMismatchException.class));
            version = won.getFirst().join();
            assertThat(a.cache.get("k").version()).isEqualTo(version);
            assertThat(b.cache.get("k").version()).isEqualTo(version);
        }
    }

    @Test
    void when_a_key_is_deleted_then_no_instance_finds_it_and_deleting_again_is_not_found() {
        a.cache.put("k", "1", 0, Precondition.NONE);
        b.cache.get("k");

        a.cache.delete("k", Precondition.NONE);

        assertThatThrownBy(() -> b.cache.get("k")).isInstanceOf(KeyNotFoundException.class);
        assertThatThrownBy(() -> a.cache.get("k")).isInstanceOf(KeyNotFoundException.class);
        assertThatThrownBy(() -> a.cache.delete("k", Precondition.NONE)).isInstanceOf(KeyNotFoundException.class);
        assertThatThrownBy(() -> a.cache.directory("k")).isInstanceOf(KeyNotFoundException.class);
    }

    @Test
    void when_a_write_requires_an_existing_key_or_version_then_mismatches_are_refused() {
        assertThatThrownBy(() -> a.cache.put("k", "1", 0, new Precondition.Exists()))
                .isInstanceOf(VersionMismatchException.class);
        long version = a.cache.put("k", "1", 0, Precondition.NONE);
        assertThatThrownBy(() -> b.cache.delete("k", new Precondition.Version(version + 1)))
                .isInstanceOfSatisfying(
                        VersionMismatchException.class,
                        e -> assertThat(e.currentVersion()).isEqualTo(version));
        b.cache.delete("k", new Precondition.Version(version));
        assertThatThrownBy(() -> a.cache.get("k")).isInstanceOf(KeyNotFoundException.class);
    }

    @Test
    void when_lines_are_evicted_then_the_directory_forgets_them() {
        CacheInstance small = instance("small", 2);
        for (String key : List.of("k1", "k2", "k3")) {
            a.cache.put(key, "1", 0, Precondition.NONE);
            small.cache.get(key);
        }

        assertThat(small.near.lines()).extracting(Line::key).containsExactly("k2", "k3");
        assertThat(small.cache.stats().evictions()).isEqualTo(1);
        await().atMost(5, SECONDS).until(() -> states(a.cache.directory("k1")).equals(List.of("a=EXCLUSIVE")));
    }

    private static List<String> states(DirectoryEntry entry) {
        return entry.holders().stream()
                .map(holder -> holder.instanceId() + "=" + holder.state())
                .toList();
    }
}
