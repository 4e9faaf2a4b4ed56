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
import io.sinkron.consensus.storage.SnapshotStore;
import io.sinkron.proto.KvCommand;
import io.sinkron.proto.KvPut;
import io.sinkron.proto.LogCommand;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Snapshot figures for docs/performance.md: the apply-path pause and the total time of a snapshot
 * of one million small entries, the catch-up time of a new member from such a snapshot, and the
 * throughput of a 3-node cluster while it snapshots. Runs three real nodes (gRPC on 127.0.0.1,
 * WAL with fsync) in this JVM.
 *
 * <pre>
 * ./mvnw -q -pl consensus-node -am test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.sinkron.consensus.bench.SnapshotBenchmark [-Dentries=1000000]
 * </pre>
 */
public final class SnapshotBenchmark {

    private static final int ENTRIES = Integer.getInteger("entries", 1_000_000);

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("sinkron-snapshot-bench");
        inMemory();
        cluster(dir);
        System.exit(0);
    }

    /** The state machine alone: apply, serialize (the pause), write durably. */
    private static void inMemory() throws Exception {
        var registry = StateMachines.create(3_600_000);
        for (int i = 0; i < ENTRIES; i++) {
            registry.apply(i + 1, command("bench", i + 1, i, "key-" + i), EventSink.NONE);
        }
        for (int round = 0; round < 3; round++) {
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
                    "in-memory: %,d entries, snapshot %,d bytes, apply pause %d ms, serialize (background) %d ms,"
                            + " durable write %d ms%n",
                    ENTRIES, bytes.size(), pause / 1_000_000, serialize / 1_000_000, write / 1_000_000);
        }
    }

    private static byte[] command(String client, long seq, long acked, String key) {
        return LogCommand.newBuilder()
                .setClientId(client)
                .setSequence(seq)
                .setAckedSequence(acked)
                .setStateMachine("kv")
                .setPayload(put(key))
                .build()
                .toByteArray();
    }

    private static ByteString put(String key) {
        return KvCommand.newBuilder()
                .setPut(KvPut.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("0123456789abcdef")))
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
            var windows = new ArrayList<Long>();
            Thread loader = Thread.ofVirtual().start(() -> loadCounting(client, 60_000, done));
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
            loader.join();
            long before =
                    windows.subList(2, 12).stream().mapToLong(Long::longValue).sum() / 10;
            long during = windows.subList(12, 20).stream()
                    .mapToLong(Long::longValue)
                    .min()
                    .orElse(0);
            System.out.printf(
                    "cluster: commands per 250 ms window before the snapshot %d, lowest window during it %d (%.0f%% dip); windows %s%n",
                    before, during, 100.0 * (before - during) / before, windows);

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

    private static void loadCounting(ConsensusClient client, int count, AtomicLong done) {
        var inflight = new Semaphore(64);
        try {
            for (int i = 0; i < count; i++) {
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

    private static int[] ports(int n) throws Exception {
        int[] ports = new int[n];
        List<ServerSocket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            var s = new ServerSocket(0);
            sockets.add(s);
            ports[i] = s.getLocalPort();
        }
        for (var s : sockets) {
            s.close();
        }
        return ports;
    }
}
