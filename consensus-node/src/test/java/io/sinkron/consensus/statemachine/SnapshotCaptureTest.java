package io.sinkron.consensus.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.sinkron.consensus.node.StateMachines;
import io.sinkron.proto.CacheCommand;
import io.sinkron.proto.CacheFill;
import io.sinkron.proto.CacheRegister;
import io.sinkron.proto.CacheWrite;
import io.sinkron.proto.KvCommand;
import io.sinkron.proto.KvCompareAndSet;
import io.sinkron.proto.KvDelete;
import io.sinkron.proto.KvPut;
import io.sinkron.proto.LockAcquire;
import io.sinkron.proto.LockCommand;
import io.sinkron.proto.LockMode;
import io.sinkron.proto.LockRelease;
import io.sinkron.proto.LogCommand;
import io.sinkron.proto.QueueCommand;
import io.sinkron.proto.QueueDequeue;
import io.sinkron.proto.QueueEnqueue;
import io.sinkron.proto.QueueNewMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A snapshot captured while commands keep being applied (its writer running on another thread, as
 * the driver runs it) restores exactly the state at the capture index: every state machine and the
 * client sessions. Two captures are in flight at once, and a replica that installed the first
 * snapshot and applied the rest of the log captures the same state as the one that applied it all.
 * Seeded; a failure names its seed, and {@code -Dsinkron.snapshot.seed=N} replays it.
 */
class SnapshotCaptureTest {

    private static final long SESSION_TTL_MILLIS = 5_000;
    private static final int SEEDS = 40;
    private static final int COMMANDS = 1_500;

    @Test
    void a_snapshot_taken_while_applying_goes_on_restores_the_state_at_the_capture_index() throws Exception {
        Long fixed = Long.getLong("sinkron.snapshot.seed");
        long first = fixed != null ? fixed : new SplittableRandom().nextLong();
        int seeds = fixed != null ? 1 : SEEDS;
        var writers = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < seeds; i++) {
                long seed = first + i;
                try {
                    run(seed, writers);
                } catch (AssertionError | Exception e) {
                    throw new AssertionError(
                            "snapshot capture failed with seed " + seed + " (replay with -Dsinkron.snapshot.seed="
                                    + seed + ")",
                            e);
                }
            }
        } finally {
            writers.shutdownNow();
        }
    }

    private static void run(long seed, ExecutorService writers) throws Exception {
        var random = new SplittableRandom(seed);
        var workload = new Workload(random);
        byte[][] entries = new byte[COMMANDS + 1][];
        for (int index = 1; index <= COMMANDS; index++) {
            entries[index] = workload.next(index);
        }
        int first = 1 + random.nextInt(COMMANDS / 3);
        int second = first + 1 + random.nextInt(COMMANDS / 3);
        var live = StateMachines.create(SESSION_TTL_MILLIS);
        var reference = StateMachines.create(SESSION_TTL_MILLIS);

        applyBoth(live, reference, entries, 1, first);
        byte[] atFirst = bytes(reference::snapshot);
        var firstCapture = live.captureSnapshot();
        applyBoth(live, reference, entries, first + 1, second);
        byte[] atSecond = bytes(reference::snapshot);
        var secondCapture = live.captureSnapshot();
        // The writers run while the live state moves on, as in the driver.
        Future<byte[]> firstWritten = writers.submit(() -> bytes(firstCapture::writeTo));
        Future<byte[]> secondWritten = writers.submit(() -> bytes(secondCapture::writeTo));
        applyBoth(live, reference, entries, second + 1, COMMANDS);

        byte[] firstSnapshot = firstWritten.get(30, TimeUnit.SECONDS);
        assertThat(firstSnapshot).as("captured at %d", first).isEqualTo(atFirst);
        assertThat(secondWritten.get(30, TimeUnit.SECONDS))
                .as("captured at %d", second)
                .isEqualTo(atSecond);
        assertThat(bytes(restore(firstSnapshot)::snapshot))
                .as("restored from the snapshot captured at %d", first)
                .isEqualTo(atFirst);

        // A replica that installed the first snapshot and applied the rest of the log captures the
        // same final state as the one that applied everything.
        var follower = restore(firstSnapshot);
        for (int index = first + 1; index <= COMMANDS; index++) {
            follower.apply(index, entries[index], EventSink.NONE);
        }
        var followerCapture = follower.captureSnapshot();
        byte[] expected = bytes(reference::snapshot);
        assertThat(writers.submit(() -> bytes(followerCapture::writeTo)).get(30, TimeUnit.SECONDS))
                .as("captured after installing the snapshot of %d and applying to %d", first, COMMANDS)
                .isEqualTo(expected);
        assertThat(bytes(live.captureSnapshot()::writeTo)).isEqualTo(expected);
    }

    private static void applyBoth(
            StateMachineRegistry live, StateMachineRegistry reference, byte[][] entries, int from, int to) {
        for (int index = from; index <= to; index++) {
            var a = live.apply(index, entries[index], EventSink.NONE);
            var b = reference.apply(index, entries[index], EventSink.NONE);
            assertThat(a.result()).as("result at %d", index).isEqualTo(b.result());
        }
    }

    private static StateMachineRegistry restore(byte[] snapshot) throws IOException {
        var restored = StateMachines.create(SESSION_TTL_MILLIS);
        restored.restore(new DataInputStream(new ByteArrayInputStream(snapshot)));
        return restored;
    }

    /** Commands for every state machine from a few clients, with log time advancing past session expiry now and then. */
    private static final class Workload {
        private final SplittableRandom random;
        private final Map<String, Long> sequences = new HashMap<>();
        private final Map<String, Long> acked = new HashMap<>();
        private long nowMillis = 1_000;

        Workload(SplittableRandom random) {
            this.random = random;
        }

        byte[] next(long index) {
            nowMillis += random.nextInt(10) < 9 ? random.nextInt(20) : random.nextInt(2 * (int) SESSION_TTL_MILLIS);
            String client = "client-" + random.nextInt(6);
            long sequence = sequences.merge(client, 1L, Long::sum);
            // Clients acknowledge responses late and out of step, so stored results pile up and are dropped.
            long ack = acked.getOrDefault(client, 0L);
            if (random.nextInt(4) == 0) {
                ack = Math.max(ack, sequence - 1 - random.nextInt(5));
                acked.put(client, ack);
            }
            if (random.nextInt(50) == 0) {
                // A retry of an earlier command: answered from the session, or refused as too old.
                sequence = Math.max(1, sequence - 1 - random.nextInt(3));
            }
            String machine;
            MessageLite payload;
            switch (random.nextInt(10)) {
                case 0, 1, 2, 3 -> {
                    machine = "kv";
                    payload = kv();
                }
                case 4, 5 -> {
                    machine = "lock";
                    payload = lock();
                }
                case 6, 7 -> {
                    machine = "queue";
                    payload = queue();
                }
                case 8 -> {
                    machine = "cache";
                    payload = cache();
                }
                default -> {
                    return LogCommand.newBuilder()
                            .setStateMachine(StateMachineRegistry.CLOCK)
                            .setTimestampMillis(nowMillis)
                            .build()
                            .toByteArray();
                }
            }
            return LogCommand.newBuilder()
                    .setClientId(client)
                    .setSequence(sequence)
                    .setAckedSequence(ack)
                    .setStateMachine(machine)
                    .setTimestampMillis(nowMillis)
                    .setPayload(payload.toByteString())
                    .build()
                    .toByteArray();
        }

        private String key() {
            return "k" + random.nextInt(40);
        }

        private ByteString value() {
            return ByteString.copyFromUtf8("v" + random.nextInt(1_000));
        }

        private MessageLite kv() {
            return switch (random.nextInt(4)) {
                case 0 ->
                    KvCommand.newBuilder()
                            .setDelete(KvDelete.newBuilder().setKey(key()))
                            .build();
                case 1 ->
                    KvCommand.newBuilder()
                            .setCas(KvCompareAndSet.newBuilder()
                                    .setKey(key())
                                    .setExpected(value())
                                    .setValue(value()))
                            .build();
                default ->
                    KvCommand.newBuilder()
                            .setPut(KvPut.newBuilder().setKey(key()).setValue(value()))
                            .build();
            };
        }

        private MessageLite lock() {
            String lockId = "L" + random.nextInt(5);
            String owner = "o" + random.nextInt(4);
            if (random.nextBoolean()) {
                return LockCommand.newBuilder()
                        .setRelease(LockRelease.newBuilder().setLockId(lockId).setOwner(owner))
                        .build();
            }
            long wait = random.nextBoolean() ? 0 : 1 + random.nextInt(3_000);
            return LockCommand.newBuilder()
                    .setAcquire(LockAcquire.newBuilder()
                            .setLockId(lockId)
                            .setOwner(owner)
                            .setMode(random.nextBoolean() ? LockMode.LOCK_MODE_SHARED : LockMode.LOCK_MODE_EXCLUSIVE)
                            .setWaitTimeoutMs(wait)
                            .setTtlMs(1 + random.nextInt(4_000))
                            .setRequestId("r" + random.nextLong(Long.MAX_VALUE)))
                    .build();
        }

        private MessageLite queue() {
            String queue = "q" + random.nextInt(3);
            if (random.nextInt(3) == 0) {
                return QueueCommand.newBuilder()
                        .setDequeue(QueueDequeue.newBuilder()
                                .setQueue(queue)
                                .setMaxMessages(1 + random.nextInt(3))
                                .setConsumerId("c" + random.nextInt(3)))
                        .build();
            }
            var message = QueueNewMessage.newBuilder().setBody(value());
            if (random.nextBoolean()) {
                message.setDedupId("d" + random.nextInt(20));
            }
            return QueueCommand.newBuilder()
                    .setEnqueue(QueueEnqueue.newBuilder().setQueue(queue).addMessages(message))
                    .build();
        }

        private MessageLite cache() {
            return switch (random.nextInt(3)) {
                case 0 ->
                    CacheCommand.newBuilder()
                            .setRegister(CacheRegister.newBuilder()
                                    .setInstanceId("i" + random.nextInt(3))
                                    .setLeaseMs(1 + random.nextInt(5_000)))
                            .build();
                case 1 ->
                    CacheCommand.newBuilder()
                            .setFill(CacheFill.newBuilder()
                                    .setSession(random.nextInt(4))
                                    .setKey(key())
                                    .setEpoch(random.nextInt(10)))
                            .build();
                default ->
                    CacheCommand.newBuilder()
                            .setWrite(CacheWrite.newBuilder()
                                    .setSession(random.nextInt(4))
                                    .setEpoch(random.nextInt(10))
                                    .setKey(key())
                                    .setDelete(random.nextInt(4) == 0)
                                    .setValue(value()))
                            .build();
            };
        }
    }

    @FunctionalInterface
    private interface Writing {
        void writeTo(DataOutputStream out) throws IOException;
    }

    private static byte[] bytes(Writing writing) throws IOException {
        var out = new ByteArrayOutputStream();
        writing.writeTo(new DataOutputStream(out));
        return out.toByteArray();
    }
}
