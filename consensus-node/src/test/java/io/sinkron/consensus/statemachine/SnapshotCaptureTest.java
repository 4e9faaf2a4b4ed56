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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A snapshot captured while commands keep being applied (the writer running on another thread,
 * as the driver runs it) restores exactly the state at the capture index: every state machine and
 * the client sessions. Seeded; a failure names its seed, and {@code -Dsinkron.snapshot.seed=N}
 * replays one.
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

    private static void run(long seed, java.util.concurrent.ExecutorService writers) throws Exception {
        var random = new SplittableRandom(seed);
        var workload = new Workload(random);
        var live = StateMachines.create(SESSION_TTL_MILLIS);
        var reference = StateMachines.create(SESSION_TTL_MILLIS);
        int captureAt = 1 + random.nextInt(COMMANDS / 2);
        for (long index = 1; index <= captureAt; index++) {
            byte[] entry = workload.next(index);
            var a = live.apply(index, entry, EventSink.NONE);
            var b = reference.apply(index, entry, EventSink.NONE);
            assertThat(a.result()).isEqualTo(b.result());
        }
        byte[] expected = bytes(reference::snapshot);

        var captured = live.captureSnapshot();
        // The writer runs while the live state moves on, as in the driver.
        CompletableFuture<byte[]> written = CompletableFuture.supplyAsync(() -> uncheckedBytes(captured), writers);
        for (long index = captureAt + 1; index <= COMMANDS; index++) {
            live.apply(index, workload.next(index), EventSink.NONE);
        }
        byte[] snapshot = written.get(30, TimeUnit.SECONDS);

        var restored = StateMachines.create(SESSION_TTL_MILLIS);
        restored.restore(new DataInputStream(new ByteArrayInputStream(snapshot)));
        assertThat(bytes(restored::snapshot))
                .as("state restored from the snapshot captured at index %d", captureAt)
                .isEqualTo(expected);
        assertThat(restored.sessions().size()).isEqualTo(reference.sessions().size());
        // Written later, the captured state is also what a snapshot taken at once writes.
        assertThat(snapshot).isEqualTo(expected);
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

    private static byte[] uncheckedBytes(StateMachine.SnapshotWriter writer) {
        try {
            return bytes(writer::writeTo);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
