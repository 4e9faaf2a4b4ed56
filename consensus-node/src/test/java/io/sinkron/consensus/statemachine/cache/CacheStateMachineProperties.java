package io.sinkron.consensus.statemachine.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.proto.CacheDirectory;
import io.sinkron.proto.CacheEvent;
import io.sinkron.proto.CacheHolder;
import io.sinkron.proto.CacheLineState;
import io.sinkron.proto.CacheResult;
import io.sinkron.proto.CacheWriteOutcome;
import io.sinkron.proto.CacheWriteResult;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Random command sequences from three instances on three keys, with log time moving on between
 * them, checked against the directory's invariants and the write rule, and replayed on a replica
 * restored from a snapshot midway.
 */
class CacheStateMachineProperties {

    private static final long LEASE = 1_000;
    private static final int INSTANCES = 3;
    private static final List<String> KEYS = List.of("a", "b", "c");

    enum Kind {
        REGISTER,
        REREGISTER,
        KEEP_ALIVE,
        DEREGISTER,
        FILL,
        PUT,
        PUT_WITH_TTL,
        CAS,
        DELETE,
        ACK,
        EVICT,
        ADVANCE
    }

    /** One command; {@code arg} is a value, TTL, time step or version offset as the kind needs. */
    record Step(Kind kind, int instance, int key, int arg) {}

    @Provide
    Arbitrary<List<Step>> runs() {
        Arbitrary<Step> step = Combinators.combine(
                        Arbitraries.frequencyOf(
                                Tuple.of(3, Arbitraries.just(Kind.REGISTER)),
                                Tuple.of(1, Arbitraries.just(Kind.REREGISTER)),
                                Tuple.of(3, Arbitraries.just(Kind.KEEP_ALIVE)),
                                Tuple.of(1, Arbitraries.just(Kind.DEREGISTER)),
                                Tuple.of(8, Arbitraries.just(Kind.FILL)),
                                Tuple.of(5, Arbitraries.just(Kind.PUT)),
                                Tuple.of(1, Arbitraries.just(Kind.PUT_WITH_TTL)),
                                Tuple.of(2, Arbitraries.just(Kind.CAS)),
                                Tuple.of(2, Arbitraries.just(Kind.DELETE)),
                                Tuple.of(6, Arbitraries.just(Kind.ACK)),
                                Tuple.of(2, Arbitraries.just(Kind.EVICT)),
                                Tuple.of(4, Arbitraries.just(Kind.ADVANCE))),
                        Arbitraries.integers().between(0, INSTANCES - 1),
                        Arbitraries.integers().between(0, KEYS.size() - 1),
                        Arbitraries.integers().between(0, 700))
                .as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(120);
    }

    /**
     * What the test knows of each instance: its latest session (0 before it registers; a dead one
     * after it deregistered or lost its lease, which the home treats as none) and its operation
     * counter.
     */
    private static final class Instances {
        final long[] session = new long[INSTANCES];
        final long[] epoch = new long[INSTANCES];
        /** When each session's lease runs out by the test's own reckoning. */
        final Map<Long, Long> leaseEnds = new HashMap<>();
        /** Sessions ended explicitly (deregistered or replaced). */
        final Set<Long> ended = new HashSet<>();

        boolean alive(long id, long now) {
            return !ended.contains(id) && leaseEnds.getOrDefault(id, Long.MIN_VALUE) > now;
        }
    }

    @Property(tries = 400)
    void writes_take_effect_only_once_every_awaited_holder_acknowledged_or_lost_its_lease(
            @ForAll("runs") List<Step> steps) {
        var home = new HomeLog();
        var instances = new Instances();
        // (key, version) -> sessions still to acknowledge or expire, from the write's own result.
        Map<String, Set<Long>> awaited = new HashMap<>();
        Map<String, Set<Long>> acknowledged = new HashMap<>();
        for (Step step : steps) {
            int eventsBefore = home.events.size();
            if (step.kind() == Kind.ACK) {
                String key = KEYS.get(step.key());
                acknowledged
                        .computeIfAbsent(key + "@" + home.get(key).getPendingVersion(), w -> new HashSet<>())
                        .add(instances.session[step.instance()]);
            }
            CacheResult result = run(home, instances, step);
            if (result.hasWrite() && result.getWrite().getOutcome() == CacheWriteOutcome.CACHE_WRITE_OUTCOME_PENDING) {
                CacheWriteResult write = result.getWrite();
                awaited.put(KEYS.get(step.key()) + "@" + write.getVersion(), new HashSet<>(write.getAwaitingList()));
            }
            for (CacheEvent event : home.events.subList(eventsBefore, home.events.size())) {
                if (event.hasInvalidate()) {
                    var invalidate = event.getInvalidate();
                    awaited.putIfAbsent(
                            invalidate.getKey() + "@" + invalidate.getVersion(),
                            new HashSet<>(invalidate.getSessionsList()));
                }
                if (event.hasApplied()
                        && awaited.containsKey(event.getApplied().getKey() + "@"
                                + event.getApplied().getVersion())) {
                    String write = event.getApplied().getKey() + "@"
                            + event.getApplied().getVersion();
                    for (long session : awaited.remove(write)) {
                        assertThat(acknowledged.getOrDefault(write, Set.of()).contains(session)
                                        || !instances.alive(session, home.nowMillis))
                                .as(
                                        "write %s applied while session %d neither acknowledged nor lost its lease",
                                        write, session)
                                .isTrue();
                    }
                }
            }
            checkDirectory(home, instances);
        }
    }

    /** Runs one step; every step's result, so replicas can be compared step by step. */
    private static CacheResult run(HomeLog home, Instances instances, Step step) {
        int i = step.instance();
        String key = KEYS.get(step.key());
        long session = instances.session[i];
        var result = CacheResult.newBuilder();
        switch (step.kind()) {
            case REGISTER, REREGISTER -> {
                long replaces = step.kind() == Kind.REREGISTER ? session : 0;
                var registered = home.register("i" + i, LEASE, replaces);
                if (replaces != 0) {
                    instances.ended.add(replaces);
                }
                instances.session[i] = registered.getSession();
                instances.leaseEnds.put(registered.getSession(), home.nowMillis + LEASE);
                result.setSession(registered);
            }
            case KEEP_ALIVE -> {
                var renewed = home.keepAlive(session);
                if (renewed.getAlive()) {
                    instances.leaseEnds.put(session, home.nowMillis + LEASE);
                }
                result.setSession(renewed);
            }
            case DEREGISTER -> {
                home.deregister(session);
                instances.ended.add(session);
            }
            case FILL -> result.setFill(home.fill(session, ++instances.epoch[i], key));
            case PUT -> result.setWrite(home.put(session, ++instances.epoch[i], key, "v" + step.arg()));
            case PUT_WITH_TTL ->
                result.setWrite(home.write(session, ++instances.epoch[i], key, "v" + step.arg(), 1 + step.arg(), null));
            case CAS -> {
                long current = home.get(key).getVersion();
                long expected = step.arg() % 2 == 0 ? current : current + 1;
                result.setWrite(home.write(session, ++instances.epoch[i], key, "v" + step.arg(), 0, expected));
            }
            case DELETE -> result.setWrite(home.delete(session, ++instances.epoch[i], key));
            case ACK -> home.ack(session, key, home.get(key).getPendingVersion());
            case EVICT -> home.evict(session, key, instances.epoch[i] - step.arg() % 3);
            case ADVANCE -> home.advance(step.arg());
        }
        return result.build();
    }

    private static void checkDirectory(HomeLog home, Instances instances) {
        for (String key : KEYS) {
            CacheDirectory directory = home.directory(key);
            List<CacheHolder> holders = directory.getHoldersList();
            if (directory.getPendingVersion() != 0) {
                assertThat(holders)
                        .as("nobody registers while a write of %s is pending", key)
                        .isEmpty();
            }
            if (!directory.getFound()) {
                assertThat(holders).as("absent keys have no holders").isEmpty();
            }
            boolean soleState = holders.stream()
                    .anyMatch(h -> h.getState() == CacheLineState.CACHE_LINE_STATE_EXCLUSIVE
                            || h.getState() == CacheLineState.CACHE_LINE_STATE_MODIFIED);
            if (soleState || holders.size() == 1) {
                assertThat(holders)
                        .as("E and M lines are the only line of %s", key)
                        .hasSize(1);
                assertThat(holders.getFirst().getState()).isNotEqualTo(CacheLineState.CACHE_LINE_STATE_SHARED);
            }
            for (CacheHolder holder : holders) {
                assertThat(instances.alive(holder.getSession(), home.nowMillis))
                        .as("holder %d of %s is alive", holder.getSession(), key)
                        .isTrue();
            }
            for (long session : directory.getAwaitingList()) {
                assertThat(instances.alive(session, home.nowMillis))
                        .as("awaited session %d of %s is alive", session, key)
                        .isTrue();
            }
        }
    }

    @Property(tries = 200)
    void a_replica_restored_from_a_snapshot_midway_answers_and_emits_exactly_the_same(
            @ForAll("runs") List<Step> steps, @ForAll @IntRange(min = 0, max = 120) int snapshotAt) {
        var original = new HomeLog();
        var replica = new HomeLog();
        var originalInstances = new Instances();
        var replicaInstances = new Instances();
        for (int s = 0; s < steps.size(); s++) {
            if (s == snapshotAt) {
                replica = replica.restoredCopy();
            }
            int originalEvents = original.events.size();
            int replicaEvents = replica.events.size();
            CacheResult expected = run(original, originalInstances, steps.get(s));
            CacheResult actual = run(replica, replicaInstances, steps.get(s));
            assertThat(actual).as("result of step %d", s).isEqualTo(expected);
            assertThat(replica.events.subList(replicaEvents, replica.events.size()))
                    .as("events of step %d", s)
                    .isEqualTo(original.events.subList(originalEvents, original.events.size()));
            assertThat(replica.snapshot()).isEqualTo(original.snapshot());
        }
        for (String key : KEYS) {
            assertThat(replica.directory(key)).isEqualTo(original.directory(key));
        }
    }
}
