package io.sinkron.cache;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sinkron.cache.home.Precondition;
import io.sinkron.client.ConsensusException;
import io.sinkron.history.CheckOptions;
import io.sinkron.history.CheckResult;
import io.sinkron.history.LinearizabilityChecker;
import io.sinkron.history.Operation;
import io.sinkron.history.RegisterModel;
import io.sinkron.history.RegisterModel.Input;
import io.sinkron.history.RegisterModel.Output;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The coherence guarantee under faults, checked as linearizability: three instances with their own
 * leases (on real time, short), clients reading and writing three keys through every instance at
 * once, while invalidation events are delayed and lost and instances are cut off from the cluster
 * for longer than their lease. Every client's operations are recorded with their real-time
 * intervals and the whole history must be linearizable for a read/write/compare-and-set register
 * per key; in particular no read may return a value older than a write that completed before it.
 */
class CoherenceLinearizabilityTest {

    private static final Duration LEASE = Duration.ofMillis(600);
    private static final Duration MARGIN = Duration.ofMillis(200);
    private static final Duration KEEPALIVE = Duration.ofMillis(100);
    private static final List<String> KEYS = List.of("x", "y", "z");
    private static final int CLIENTS_PER_INSTANCE = 3;
    /** Each client runs at least this many operations, and on until the faults are over. */
    private static final int OPERATIONS_PER_CLIENT = 100;

    private static final int MAX_OPERATIONS_PER_CLIENT = 400;

    private final FakeConsensusCluster cluster =
            new FakeConsensusCluster(() -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
    private final ScheduledExecutorService leaderClock = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
    private final List<CacheInstance> instances = new ArrayList<>();
    private final CompletableFuture<Void> faultsOver = new CompletableFuture<>();
    private final List<Operation<Input<String>, Output<String>>> history =
            Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        clients.shutdownNow();
        leaderClock.shutdownNow();
        instances.forEach(CacheInstance::close);
        cluster.close();
    }

    @Test
    void histories_through_several_instances_with_lost_and_delayed_invalidations_and_cut_offs_are_linearizable()
            throws Exception {
        // The leader's periodic clock entries: leases and TTLs expire even when nobody writes.
        leaderClock.scheduleAtFixedRate(cluster::tick, 10, 10, TimeUnit.MILLISECONDS);
        for (String id : List.of("a", "b", "c")) {
            // Calls to an unreachable cluster fail fast, so a cut-off instance's clients keep
            // reading, and would catch it serving past its lease.
            var properties = CacheInstance.properties(id, LEASE, MARGIN, KEEPALIVE, Duration.ofMillis(150));
            instances.add(CacheInstance.started(cluster, properties, MonotonicClock.system()));
        }
        instances.get(0).node.eventFaults(0.1, 20);
        instances.get(1).node.eventFaults(0.0, 50);
        instances.get(2).node.eventFaults(0.3, 10);
        await().atMost(5, SECONDS)
                .until(() -> instances.stream().allMatch(i -> i.cache.leaseValid() && i.cache.eventsConnected()));

        scheduleCutOffs();
        List<CompletableFuture<Void>> running = new ArrayList<>();
        int seed = 0;
        for (CacheInstance instance : instances) {
            for (int c = 0; c < CLIENTS_PER_INSTANCE; c++) {
                var client = new Client(instance, instance.id + c, new Random(++seed));
                running.add(CompletableFuture.runAsync(client::run, clients));
            }
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(120, SECONDS);

        CheckResult result = LinearizabilityChecker.check(
                List.copyOf(history), new RegisterModel<>(), new CheckOptions(Long.MAX_VALUE, Duration.ofMinutes(2)));
        assertThat(result.ok()).as("%s", result).isTrue();
        long hits = instances.stream().mapToLong(i -> i.cache.stats().hits()).sum();
        long invalidations = instances.stream()
                .mapToLong(i -> i.cache.stats().invalidationsReceived())
                .sum();
        assertThat(hits).as("reads served from near caches").isPositive();
        assertThat(invalidations).as("invalidations received").isPositive();
    }

    /**
     * Schedules two windows in which one instance is cut off for longer than its lease and its
     * calls' deadline, so writes elsewhere outwait its lease, it must stop serving on its own, and
     * some of its operations fail with an unknown outcome.
     */
    private void scheduleCutOffs() {
        var random = new Random(99);
        long at = 0;
        for (int round = 0; round < 2; round++) {
            FakeNode node = instances.get(random.nextInt(instances.size())).node;
            at += 200 + random.nextInt(400);
            leaderClock.schedule(() -> node.cutOff(true), at, TimeUnit.MILLISECONDS);
            at += 1_200 + random.nextInt(400);
            leaderClock.schedule(() -> node.cutOff(false), at, TimeUnit.MILLISECONDS);
        }
        leaderClock.schedule(() -> faultsOver.complete(null), at, TimeUnit.MILLISECONDS);
    }

    private final class Client {
        private final CacheInstance instance;
        private final String name;
        private final Random random;
        private int written;

        Client(CacheInstance instance, String name, Random random) {
            this.instance = instance;
            this.name = name;
            this.random = random;
        }

        void run() {
            for (int i = 0; i < MAX_OPERATIONS_PER_CLIENT && (i < OPERATIONS_PER_CLIENT || !faultsOver.isDone()); i++) {
                String key = KEYS.get(random.nextInt(KEYS.size()));
                int dice = random.nextInt(100);
                if (dice < 55) {
                    read(key);
                } else if (dice < 85) {
                    put(key);
                } else if (dice < 95) {
                    compareAndSet(key);
                } else {
                    delete(key);
                }
            }
        }

        private CacheRead read(String key) {
            long invoke = System.nanoTime();
            String value;
            CacheRead read = null;
            try {
                read = instance.cache.get(key);
                value = read.value();
            } catch (KeyNotFoundException e) {
                value = null;
            } catch (ConsensusException e) {
                // A read that failed had no effect.
                return null;
            }
            record(key, RegisterModel.read(), RegisterModel.readResult(value), invoke);
            return read;
        }

        private void put(String key) {
            String value = "\"" + name + "-" + written++ + "\"";
            long invoke = System.nanoTime();
            try {
                instance.cache.put(key, value, 0, Precondition.NONE);
                record(key, RegisterModel.write(value), RegisterModel.writeResult(), invoke);
            } catch (ConsensusException | WriteNotConfirmedException e) {
                history.add(Operation.pending(name, key, RegisterModel.write(value), invoke));
            } catch (KeyBusyException e) {
                // Not written: it had no effect.
            }
        }

        private void delete(String key) {
            long invoke = System.nanoTime();
            try {
                instance.cache.delete(key, Precondition.NONE);
            } catch (KeyNotFoundException e) {
                // Deleting an absent key leaves it absent: the same as writing "absent".
            } catch (ConsensusException | WriteNotConfirmedException e) {
                history.add(Operation.pending(name, key, RegisterModel.write(null), invoke));
                return;
            } catch (KeyBusyException e) {
                return;
            }
            record(key, RegisterModel.write(null), RegisterModel.writeResult(), invoke);
        }

        /** A compare-and-set on the version this client last read; values are unique per write. */
        private void compareAndSet(String key) {
            CacheRead seen = read(key);
            if (seen == null) {
                return;
            }
            String value = "\"" + name + "-" + written++ + "\"";
            Input<String> input = RegisterModel.cas(seen.value(), value);
            long invoke = System.nanoTime();
            try {
                instance.cache.put(key, value, 0, new Precondition.Version(seen.version()));
                record(key, input, RegisterModel.casResult(true), invoke);
            } catch (VersionMismatchException e) {
                record(key, input, RegisterModel.casResult(false), invoke);
            } catch (ConsensusException | WriteNotConfirmedException e) {
                history.add(Operation.pending(name, key, input, invoke));
            } catch (KeyBusyException e) {
                // Not written: it had no effect.
            }
        }

        private void record(String key, Input<String> input, Output<String> output, long invoke) {
            history.add(Operation.completed(name, key, input, output, invoke, System.nanoTime()));
        }
    }
}
