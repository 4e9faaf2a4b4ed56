package io.sinkron.consensus.bench;

import com.google.protobuf.ByteString;
import io.sinkron.consensus.node.StateMachines;
import io.sinkron.consensus.raft.Membership;
import io.sinkron.consensus.raft.SnapshotMeta;
import io.sinkron.consensus.statemachine.EventSink;
import io.sinkron.consensus.statemachine.StateMachineRegistry;
import io.sinkron.consensus.storage.SnapshotStore;
import io.sinkron.proto.LogCommand;
import io.sinkron.proto.QueueCommand;
import io.sinkron.proto.QueueEnqueue;
import io.sinkron.proto.QueueNewMessage;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.management.ObjectName;

/**
 * Heap per resident queue message, at the level of the state machines (docs/performance.md,
 * "Memory"): the registry a node runs (snapshot replica bases in a directory, as on a node) applies
 * {@code messages} 100-byte messages to one queue in enqueue commands of 100, and the used heap
 * after a full collection is reported before and after, then after a snapshot is captured and
 * written (streamed) to a snapshot store. With {@code -DkeepLog=true} (the default) the command
 * bytes stay referenced, as the Raft log of a node holds them until it is compacted, so the figure
 * is what a node adds; {@code -Dhistogram=true} prints the largest classes of the heap.
 *
 * <pre>
 * ./mvnw -B -o -pl consensus-node -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/cn.cp -Dmdep.includeScope=test
 * java -Xmx1g -XX:+UseG1GC -cp "consensus-node/target/test-classes:consensus-node/target/classes:$(cat /tmp/cn.cp)" \
 *     -Dmessages=1000000 io.sinkron.consensus.bench.QueueHeapBenchmark
 * </pre>
 */
public final class QueueHeapBenchmark {

    private static final int MESSAGES = Integer.getInteger("messages", 1_000_000);
    private static final int BATCH = 100;

    public static void main(String[] args) throws Exception {
        boolean keepLog = Boolean.parseBoolean(System.getProperty("keepLog", "true"));
        var dir = Files.createTempDirectory("sinkron-heap-bench");
        StateMachineRegistry registry =
                StateMachines.create(3_600_000).keepSnapshotBaseIn(dir.resolve("snapshot-base"));
        byte[] body = "x".repeat(100).getBytes(StandardCharsets.UTF_8);
        List<byte[]> log = new ArrayList<>();
        long before = usedAfterGc();
        long index = 0;
        long t0 = System.nanoTime();
        for (int sent = 0; sent < MESSAGES; sent += BATCH) {
            var enqueue = QueueEnqueue.newBuilder().setQueue("heap");
            for (int i = 0; i < Math.min(BATCH, MESSAGES - sent); i++) {
                byte[] b = body.clone();
                b[0] = (byte) ('a' + (sent + i) % 26);
                enqueue.addMessages(QueueNewMessage.newBuilder().setBody(ByteString.copyFrom(b)));
            }
            index++;
            byte[] entry = LogCommand.newBuilder()
                    .setClientId("bench")
                    .setSequence(index)
                    .setAckedSequence(index - 1)
                    .setStateMachine("queue")
                    .setTimestampMillis(1_000 + index)
                    .setPayload(QueueCommand.newBuilder()
                            .setEnqueue(enqueue)
                            .build()
                            .toByteString())
                    .build()
                    .toByteArray();
            if (keepLog) {
                log.add(entry);
            }
            registry.apply(index, entry, EventSink.NONE);
        }
        long applied = System.nanoTime() - t0;
        long after = usedAfterGc();
        long logBytes = log.stream().mapToLong(e -> e.length + 16L).sum();
        System.out.printf(
                "queue heap: %,d messages applied in %d ms; used heap after GC %,d -> %,d bytes: %.1f MB per million"
                        + " (of which the command bytes a Raft log holds %.1f MB, the state machines %.1f MB)%n",
                MESSAGES,
                applied / 1_000_000,
                before,
                after,
                perMillion(after - before),
                perMillion(logBytes),
                perMillion(after - before - logBytes));
        if (Boolean.getBoolean("histogram")) {
            histogram();
        }

        var store = SnapshotStore.open(dir.resolve("snapshots"));
        long t1 = System.nanoTime();
        var captured = registry.captureSnapshot();
        long pause = System.nanoTime() - t1;
        var file = store.save(new SnapshotMeta(index, 1, Membership.EMPTY), captured);
        long written = System.nanoTime() - t1;
        long afterSnapshot = usedAfterGc();
        System.out.printf(
                "queue heap: snapshot of %,d bytes, apply pause %.3f ms, written in %d ms; used heap after GC %,d"
                        + " bytes: %.1f MB per million%n",
                file.sizeBytes(), pause / 1e6, written / 1_000_000, afterSnapshot, perMillion(afterSnapshot - before));
        if (keepLog) {
            System.out.printf("queue heap: %,d log entries held%n", log.size());
        }
        System.exit(0);
    }

    private static double perMillion(long bytes) {
        return bytes / 1e6 * (1_000_000.0 / MESSAGES);
    }

    private static long usedAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static void histogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer()
                .invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"),
                        "gcClassHistogram",
                        new Object[] {new String[0]},
                        new String[] {String[].class.getName()});
        Arrays.stream(text.split("\n")).limit(18).forEach(System.out::println);
    }
}
