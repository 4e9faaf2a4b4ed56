package io.sinkron.consensus.statemachine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.sinkron.proto.LogCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a replicated state machine's snapshot behaves when its replica fails. */
class SnapshotReplicaTest {

    /** Sums the numbers it is given; the instance made second (the replica) fails once on request. */
    private static final class Sum implements StateMachine {
        static final AtomicInteger instances = new AtomicInteger();
        static volatile boolean replicaFails;

        private final boolean replica = instances.incrementAndGet() > 1;
        private long sum;

        @Override
        public String name() {
            return "sum";
        }

        @Override
        public byte[] apply(CommandContext context, byte[] command) {
            if (replica && replicaFails) {
                replicaFails = false;
                throw new IllegalStateException("injected: the replica fails to apply");
            }
            sum += command[0];
            return new byte[0];
        }

        @Override
        public byte[] query(byte[] query) {
            return new byte[0];
        }

        @Override
        public void snapshot(DataOutputStream out) throws IOException {
            out.writeLong(sum);
        }

        @Override
        public void restore(DataInputStream in) throws IOException {
            sum = in.readLong();
        }
    }

    @Test
    void after_a_replica_failed_the_next_capture_reseeds_it_from_the_live_state() throws Exception {
        Sum.instances.set(0);
        var registry = new StateMachineRegistry(60_000).registerReplicated(Sum::new);
        assertThat(Sum.instances.get())
                .as("only the live instance: a replica is built when a snapshot is written")
                .isEqualTo(1);
        for (int i = 1; i <= 10; i++) {
            registry.apply(i, add(i, i), EventSink.NONE);
        }
        Sum.replicaFails = true;
        var failing = registry.captureSnapshot();
        assertThatThrownBy(() -> write(failing)).hasMessageContaining("injected");
        registry.apply(11, add(11, 11), EventSink.NONE);
        var alsoStale = registry.captureSnapshot();

        registry.apply(12, add(12, 12), EventSink.NONE);
        byte[] expected = bytes(registry);
        var reseeded = registry.captureSnapshot();
        registry.apply(13, add(13, 13), EventSink.NONE);

        assertThat(write(reseeded)).isEqualTo(expected);
        assertThat(bytes(registry)).isNotEqualTo(expected);
        assertThatThrownBy(() -> write(alsoStale))
                .as("a capture taken before the reseed cannot be trusted")
                .isInstanceOf(IOException.class);
    }

    @Test
    void the_replica_starts_each_snapshot_from_the_base_the_previous_one_left_in_its_directory(@TempDir Path dir)
            throws Exception {
        Sum.instances.set(0);
        Sum.replicaFails = false;
        var registry =
                new StateMachineRegistry(60_000).registerReplicated(Sum::new).keepSnapshotBaseIn(dir);
        for (int round = 0; round < 3; round++) {
            for (int i = 1; i <= 5; i++) {
                long sequence = round * 5L + i;
                registry.apply(sequence, add(sequence, i), EventSink.NONE);
            }
            byte[] expected = bytes(registry);
            int before = Sum.instances.get();
            assertThat(write(registry.captureSnapshot())).isEqualTo(expected);
            assertThat(Sum.instances.get())
                    .as("one replica built for the write")
                    .isEqualTo(before + 1);
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()).toList())
                        .as("the base the next snapshot starts from, and nothing else")
                        .hasSize(1)
                        .allMatch(name -> name.startsWith("base-") && !name.endsWith(".tmp"));
            }
        }
        // A restored registry starts its replica from what it restored.
        var restored =
                new StateMachineRegistry(60_000).registerReplicated(Sum::new).keepSnapshotBaseIn(dir);
        restored.restore(new DataInputStream(new ByteArrayInputStream(bytes(registry))));
        restored.apply(16, add(16, 7), EventSink.NONE);
        registry.apply(16, add(16, 7), EventSink.NONE);
        assertThat(write(restored.captureSnapshot())).isEqualTo(bytes(registry));
    }

    private static byte[] add(long sequence, int n) {
        return LogCommand.newBuilder()
                .setClientId("c")
                .setSequence(sequence)
                .setStateMachine("sum")
                .setTimestampMillis(sequence)
                .setPayload(ByteString.copyFrom(new byte[] {(byte) n}))
                .build()
                .toByteArray();
    }

    private static byte[] write(StateMachine.SnapshotWriter writer) throws IOException {
        var out = new ByteArrayOutputStream();
        writer.writeTo(new DataOutputStream(out));
        return out.toByteArray();
    }

    private static byte[] bytes(StateMachineRegistry registry) throws IOException {
        var out = new ByteArrayOutputStream();
        registry.snapshot(new DataOutputStream(out));
        return out.toByteArray();
    }
}
