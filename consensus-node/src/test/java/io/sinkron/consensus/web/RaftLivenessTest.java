package io.sinkron.consensus.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.sinkron.consensus.node.DriverListener;
import io.sinkron.consensus.node.RaftDriver;
import io.sinkron.consensus.node.RaftStorage;
import io.sinkron.consensus.node.SnapshotFile;
import io.sinkron.consensus.node.StateMachines;
import io.sinkron.consensus.raft.Entry;
import io.sinkron.consensus.raft.HardState;
import io.sinkron.consensus.raft.Membership;
import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.raft.SnapshotMeta;
import io.sinkron.consensus.statemachine.EventSink;
import io.sinkron.consensus.statemachine.StateMachine;
import io.sinkron.consensus.storage.WalOptions;
import io.sinkron.consensus.storage.WalRaftStorage;
import io.sinkron.proto.CommandRequest;
import io.sinkron.proto.KvCommand;
import io.sinkron.proto.KvPut;
import io.sinkron.proto.ResultCode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Status;

/** A node whose Raft group stopped on a storage error is reported dead, so it gets restarted. */
class RaftLivenessTest {

    @TempDir
    Path dir;

    private final AtomicBoolean diskFails = new AtomicBoolean();
    private RaftDriver driver;

    @AfterEach
    void close() throws Exception {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void when_the_log_cannot_be_synced_then_liveness_and_health_report_down() throws Exception {
        driver = singleNode(new FailingStorage(WalRaftStorage.open(dir, WalOptions.DEFAULTS), diskFails));
        var liveness = new RaftLivenessHealthIndicator(() -> driver);
        driver.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> driver.status().isLeader());
        assertThat(driver.submit(put(1)).join().getCode()).isEqualTo(ResultCode.RESULT_CODE_OK);
        assertThat(liveness.health().getStatus()).isEqualTo(Status.UP);
        assertThat(StatusController.health(driver).getStatusCode().value()).isEqualTo(200);

        diskFails.set(true);
        driver.submit(put(2));

        await().atMost(Duration.ofSeconds(20)).until(() -> driver.stoppedBy().isPresent());
        var health = liveness.health();
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails().get("stopped_by").toString()).contains("storage failure");
        var view = StatusController.health(driver);
        assertThat(view.getStatusCode().value()).isEqualTo(503);
        assertThat(view.getBody().status()).isEqualTo("DOWN");
    }

    @Test
    void a_closed_driver_is_not_reported_as_stopped_by_a_failure() throws Exception {
        driver = singleNode(WalRaftStorage.open(dir, WalOptions.DEFAULTS));
        assertThat(driver.stoppedBy()).as("not started yet").isEmpty();
        driver.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> driver.status().isLeader());
        driver.close();

        assertThat(driver.stoppedBy()).isEmpty();
        assertThat(new RaftLivenessHealthIndicator(() -> driver).health().getStatus())
                .isEqualTo(Status.UP);
        driver = null;
    }

    private static RaftDriver singleNode(RaftStorage storage) {
        return new RaftDriver(
                new RaftDriver.Settings(
                        "default",
                        RaftConfig.defaults("n1").withTicks(2, 15, 30),
                        Duration.ofMillis(10),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(1)),
                storage,
                new Membership(Map.of("n1", "mem:1"), Map.of()),
                StateMachines.create(60_000),
                (group, message) -> {},
                Clock.systemUTC(),
                new Random(1),
                EventSink.NONE,
                DriverListener.NONE);
    }

    private static CommandRequest put(long sequence) {
        return CommandRequest.newBuilder()
                .setClientId("c")
                .setSequence(sequence)
                .setStateMachine("kv")
                .setPayload(KvCommand.newBuilder()
                        .setPut(KvPut.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("v")))
                        .build()
                        .toByteString())
                .build();
    }

    /** The real storage, whose fsync fails as a dying disk's does once {@code fails} is set. */
    private record FailingStorage(RaftStorage real, AtomicBoolean fails) implements RaftStorage {

        @Override
        public HardState initialHardState() {
            return real.initialHardState();
        }

        @Override
        public Optional<SnapshotFile> initialSnapshot() {
            return real.initialSnapshot();
        }

        @Override
        public List<Entry> initialEntries() {
            return real.initialEntries();
        }

        @Override
        public void saveHardState(HardState hardState) throws IOException {
            real.saveHardState(hardState);
        }

        @Override
        public void append(List<Entry> entries) throws IOException {
            real.append(entries);
        }

        @Override
        public void sync() throws IOException {
            if (fails.get()) {
                throw new IOException("injected: fsync failed");
            }
            real.sync();
        }

        @Override
        public SnapshotFile saveSnapshot(SnapshotMeta meta, StateMachine.SnapshotWriter data) throws IOException {
            return real.saveSnapshot(meta, data);
        }

        @Override
        public byte[] readSnapshot(SnapshotFile snapshot) throws IOException {
            return real.readSnapshot(snapshot);
        }

        @Override
        public Path incomingSnapshots() {
            return real.incomingSnapshots();
        }

        @Override
        public SnapshotFile adoptSnapshot(Path received) throws IOException {
            return real.adoptSnapshot(received);
        }

        @Override
        public void resetLog() throws IOException {
            real.resetLog();
        }

        @Override
        public void compactLog(long index) throws IOException {
            real.compactLog(index);
        }

        @Override
        public void close() throws IOException {
            real.close();
        }
    }
}
