package io.sinkron.consensus.bench;

import com.google.protobuf.ByteString;
import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusClientConfig;
import io.sinkron.consensus.config.NodeSettings;
import io.sinkron.consensus.failure.FailureListener;
import io.sinkron.consensus.node.ConsensusNode;
import io.sinkron.consensus.node.DriverListener;
import io.sinkron.consensus.node.StateMachines;
import io.sinkron.consensus.statemachine.EventSink;
import io.sinkron.consensus.statemachine.StateMachineRegistry;
import io.sinkron.consensus.storage.SnapshotStore;
import io.sinkron.proto.CacheCommand;
import io.sinkron.proto.CacheWrite;
import io.sinkron.proto.KvCommand;
import io.sinkron.proto.KvPut;
import io.sinkron.proto.LockAcquire;
import io.sinkron.proto.LockCommand;
import io.sinkron.proto.LockMode;
import io.sinkron.proto.LogCommand;
import io.sinkron.proto.QueueCommand;
import io.sinkron.proto.QueueEnqueue;
import io.sinkron.proto.QueueNewMessage;
import io.sinkron.testkit.ReservedPorts;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Snapshot figures for docs/performance.md: for each state machine filled with a million entries
 * of its own, the apply-path pause of a capture and the background serialization; the apply
 * throughput while a snapshot is written; then, with three real nodes (gRPC on 127.0.0.1, WAL with
 * fsync) in this JVM, the cluster throughput while the leader snapshots and the catch-up time of a
 * new member from the snapshot.
 *
 * <pre>
 * ./mvnw -B -o -pl consensus-node -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/cn.cp -Dmdep.includeScope=test
 * java -Xmx6g -cp "consensus-node/target/test-classes:consensus-node/target/classes:$(cat /tmp/cn.cp)" \
 *     -Dentries=1000000 [-DinMemoryOnly=true | -DclusterOnly=true] io.sinkron.consensus.bench.SnapshotBenchmark
 * </pre>
 */
public final class SnapshotBenchmark {

    private static final int ENTRIES = Integer.getInteger("entries", 1_000_000);
    private static final ByteString VALUE = ByteString.copyFromUtf8("0123456789abcdef");

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("sinkron-snapshot-bench");
        if (!Boolean.getBoolean("clusterOnly")) {
            inMemory();
        }
        if (!Boolean.getBoolean("inMemoryOnly")) {
            cluster(dir);
        }
        System.exit(0);
    }

    /**
     * Each state machine alone, filled with {@code ENTRIES} entries of its own: the capture pause on
     * the apply thread, the background serialization and the durable write; then, for kv, the apply
     * throughput while a snapshot is written beside it.
     */
    private static void inMemory() throws Exception {
        for (String machine : List.of("kv", "lock", "queue", "cache")) {
            var registry = StateMachines.create(3_600_000);
            long t0 = System.nanoTime();
            for (int i = 0; i < ENTRIES; i++) {
                registry.apply(i + 1, command(machine, i + 1, i, i), EventSink.NONE);
            }
            System.out.printf(
                    "in-memory %s: applied %,d entries in %d ms%n",
                    machine, ENTRIES, (System.nanoTime() - t0) / 1_000_000);
            for (int round = 0; round < 3; round++) {
                snapshotOnce(machine, registry);
            }
            if (machine.equals("kv")) {
                applyThroughputDuringSnapshot(registry);
            }
        }
    }

    private static void snapshotOnce(String machine, StateMachineRegistry registry) throws Exception {
        long t0 = System.nanoTime();
        var captured = registry.captureSnapshot();
        long pause = System.nanoTime() - t0;
        var bytes = new ByteArrayOutputStream();
        captured.writeTo(new DataOutputStream(bytes));
        long serialize = System.nanoTime() - t0 - pause;
        Path tmp = Files.createTempDirectory("sinkron-snap");
        var store = SnapshotStore.open(tmp);
        long t1 = System.nanoTime();
        store.save(
                new io.sinkron.consensus.raft.SnapshotMeta(ENTRIES, 1, io.sinkron.consensus.raft.Membership.EMPTY),
                bytes.toByteArray());
        long write = System.nanoTime() - t1;
        System.out.printf(
                "in-memory %s: snapshot %,d bytes, apply pause %.3f ms, serialize (background) %d ms,"
                        + " durable write %d ms%n",
                machine, bytes.size(), pause / 1e6, serialize / 1_000_000, write / 1_000_000);
    }

    /**
     * Applies kv puts on this thread in 100 ms windows for 4 s; at 1 s it captures a snapshot and
     * hands it to a writer thread (as the driver does), and reports the slowest window while the
     * writer runs against the mean of the windows before.
     */
    private static void applyThroughputDuringSnapshot(StateMachineRegistry registry) throws Exception {
        var writer = java.util.concurrent.Executors.newSingleThreadExecutor(
                Thread.ofPlatform().priority(Thread.MIN_PRIORITY).factory());
        try {
            var windows = new ArrayList<Long>();
            long index = ENTRIES;
            long seq = ENTRIES;
            java.util.concurrent.Future<?> written = null;
            int snapshotWindow = 10;
            int endWindow = -1;
            for (int w = 0; w < 40; w++) {
                if (w == snapshotWindow) {
                    var captured = registry.captureSnapshot();
                    written = writer.submit(() -> {
                        captured.writeTo(new DataOutputStream(new ByteArrayOutputStream()));
                        return null;
                    });
                }
                long end = System.nanoTime() + 100_000_000;
                long applied = 0;
                while (System.nanoTime() < end) {
                    for (int i = 0; i < 100; i++) {
                        index++;
                        seq++;
                        registry.apply(index, command("kv", seq, seq - 1, (int) (index % ENTRIES)), EventSink.NONE);
                    }
                    applied += 100;
                }
                windows.add(applied);
                if (written != null && written.isDone() && endWindow < 0) {
                    endWindow = w;
                }
            }
            written.get();
            int last = endWindow < 0 ? windows.size() - 1 : endWindow;
            var before = windows.subList(2, snapshotWindow).stream()
                    .mapToLong(Long::longValue)
                    .summaryStatistics();
            var during = windows.subList(snapshotWindow, last + 1).stream()
                    .mapToLong(Long::longValue)
                    .summaryStatistics();
            var after = windows.subList(last + 1, windows.size()).stream()
                    .mapToLong(Long::longValue)
                    .summaryStatistics();
            System.out.printf(
                    "in-memory kv: applies per 100 ms window: before the snapshot mean %.0f (lowest %d),"
                            + " while it was written (windows %d..%d) mean %.0f (lowest %d), after mean %.0f;"
                            + " mean dip %.0f%%; windows %s%n",
                    before.getAverage(),
                    before.getMin(),
                    snapshotWindow,
                    last,
                    during.getAverage(),
                    during.getMin(),
                    after.getAverage(),
                    100.0 * (before.getAverage() - during.getAverage()) / before.getAverage(),
                    windows);
        } finally {
            writer.shutdownNow();
        }
    }

    /** Command {@code i} of {@code machine}'s fill: a new key, lock, message or cache key each time. */
    private static byte[] command(String machine, long seq, long acked, int i) {
        ByteString payload = switch (machine) {
            case "kv" -> put("key-" + i);
            case "lock" ->
                LockCommand.newBuilder()
                        .setAcquire(LockAcquire.newBuilder()
                                .setLockId("lock-" + i)
                                .setOwner("owner-" + (i % 1000))
                                .setMode(LockMode.LOCK_MODE_EXCLUSIVE)
                                .setTtlMs(3_600_000))
                        .build()
                        .toByteString();
            case "queue" ->
                QueueCommand.newBuilder()
                        .setEnqueue(QueueEnqueue.newBuilder()
                                .setQueue("queue-" + (i % 16))
                                .addMessages(QueueNewMessage.newBuilder().setBody(VALUE)))
                        .build()
                        .toByteString();
            case "cache" ->
                CacheCommand.newBuilder()
                        .setWrite(CacheWrite.newBuilder().setKey("key-" + i).setValue(VALUE))
                        .build()
                        .toByteString();
            default -> throw new IllegalArgumentException(machine);
        };
        return LogCommand.newBuilder()
                .setClientId("bench")
                .setSequence(seq)
                .setAckedSequence(acked)
                .setStateMachine(machine)
                .setPayload(payload)
                .build()
                .toByteArray();
    }

    private static ByteString put(String key) {
        return KvCommand.newBuilder()
                .setPut(KvPut.newBuilder().setKey(key).setValue(VALUE))
                .build()
                .toByteString();
    }

    private static void cluster(Path dir) throws Exception {
        int[] grpc = ports(4);
        var members = new LinkedHashMap<String, String>();
        for (int i = 0; i < 3; i++) {
            members.put("n" + (i + 1), "127.0.0.1:" + grpc[i]);
        }
        var nodes = new ArrayList<ConsensusNode>();
        for (int i = 0; i < 3; i++) {
            nodes.add(start(settings("n" + (i + 1), members, grpc[i], dir, false)));
        }
        String addresses = "127.0.0.1:" + grpc[0] + ",127.0.0.1:" + grpc[1] + ",127.0.0.1:" + grpc[2];
        try (var client = new ConsensusClient(ConsensusClientConfig.parse(addresses))) {
            long t0 = System.nanoTime();
            load(client, ENTRIES, 0);
            System.out.printf(
                    "cluster: loaded %,d entries in %d s%n", ENTRIES, (System.nanoTime() - t0) / 1_000_000_000);

            // Throughput while the leader snapshots, in 250 ms windows.
            ConsensusNode leader = nodes.stream()
                    .filter(n -> n.driver().status().isLeader())
                    .findFirst()
                    .orElseThrow();
            var done = new AtomicLong();
            var stop = new AtomicBoolean();
            var windows = new ArrayList<Long>();
            // Bounded by the 40 windows (stop) and, as a backstop, by a count no run reaches in 10 s.
            Thread loader = Thread.ofVirtual().start(() -> loadCounting(client, 5_000_000, done, stop));
            long last = 0;
            for (int w = 0; w < 40; w++) {
                if (w == 12) {
                    leader.driver().takeSnapshot();
                }
                Thread.sleep(250);
                long now = done.get();
                windows.add(now - last);
                last = now;
            }
            stop.set(true);
            loader.join();
            var before =
                    windows.subList(2, 12).stream().mapToLong(Long::longValue).summaryStatistics();
            var during =
                    windows.subList(12, 20).stream().mapToLong(Long::longValue).summaryStatistics();
            System.out.printf(
                    "cluster: commands per 250 ms window before the snapshot mean %.0f (lowest %d), in the 2 s from"
                            + " its start mean %.0f (lowest %d): mean dip %.0f%%, lowest-window dip %.0f%%; windows %s%n",
                    before.getAverage(),
                    before.getMin(),
                    during.getAverage(),
                    during.getMin(),
                    100.0 * (before.getAverage() - during.getAverage()) / before.getAverage(),
                    100.0 * (before.getAverage() - during.getMin()) / before.getAverage(),
                    windows);

            var file = leader.driver().takeSnapshot().get(5, TimeUnit.MINUTES);
            System.out.printf(
                    "cluster: leader snapshot at %,d, %,d bytes%n", file.meta().index(), file.sizeBytes());
            for (ConsensusNode n : nodes) {
                n.driver().takeSnapshot().get(5, TimeUnit.MINUTES);
            }

            // A new member catches up from the snapshot.
            members.put("n4", "127.0.0.1:" + grpc[3]);
            long t1 = System.nanoTime();
            var joiner = start(settings("n4", members, grpc[3], dir, true));
            nodes.add(joiner);
            long target = leader.driver().status().commitIndex();
            while (joiner.driver().status().appliedIndex() < target) {
                Thread.sleep(20);
            }
            System.out.printf(
                    "cluster: new member caught up to %,d (snapshot index %,d) in %d ms%n",
                    target, joiner.driver().status().snapshotIndex(), (System.nanoTime() - t1) / 1_000_000);
        } finally {
            for (ConsensusNode n : nodes) {
                n.close();
            }
        }
    }

    private static void load(ConsensusClient client, int count, int offset) throws InterruptedException {
        var inflight = new Semaphore(512);
        for (int i = 0; i < count; i++) {
            inflight.acquire();
            client.submitAsync("kv", put("key-" + (offset + i)).toByteArray())
                    .whenComplete((r, t) -> inflight.release());
        }
        inflight.acquire(512);
        inflight.release(512);
    }

    private static void loadCounting(ConsensusClient client, int count, AtomicLong done, AtomicBoolean stop) {
        var inflight = new Semaphore(64);
        try {
            for (int i = 0; i < count && !stop.get(); i++) {
                inflight.acquire();
                client.submitAsync("kv", put("extra-" + i).toByteArray()).whenComplete((r, t) -> {
                    done.incrementAndGet();
                    inflight.release();
                });
            }
            inflight.acquire(64);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ConsensusNode start(NodeSettings settings) throws Exception {
        var node = new ConsensusNode(settings, DriverListener.NONE, new FailureListener() {});
        node.start();
        return node;
    }

    private static NodeSettings settings(String id, Map<String, String> members, int port, Path dir, boolean join) {
        return new NodeSettings(
                id,
                Map.copyOf(members),
                "127.0.0.1",
                port,
                dir.resolve(id),
                0,
                100,
                500,
                1000,
                8.0,
                100,
                5,
                3_600_000,
                250,
                10_000_000,
                10_000,
                join);
    }

    private static int[] ports(int n) {
        return ReservedPorts.take(n);
    }
}
