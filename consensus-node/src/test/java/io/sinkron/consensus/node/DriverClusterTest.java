package io.sinkron.consensus.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.sinkron.consensus.raft.Membership;
import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.statemachine.EventSink;
import io.sinkron.consensus.storage.WalOptions;
import io.sinkron.consensus.storage.WalRaftStorage;
import io.sinkron.proto.CommandRequest;
import io.sinkron.proto.CommandResponse;
import io.sinkron.proto.KvCommand;
import io.sinkron.proto.KvPut;
import io.sinkron.proto.KvQuery;
import io.sinkron.proto.KvResult;
import io.sinkron.proto.ReadConsistency;
import io.sinkron.proto.ReadRequest;
import io.sinkron.proto.ResultCode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three drivers with real WALs in one JVM, wired by an in-memory transport. */
class DriverClusterTest {

    @TempDir
    Path dir;

    private final Map<String, RaftDriver> drivers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> fsyncs = new ConcurrentHashMap<>();

    private void start(int size) throws Exception {
        var voters = new TreeMap<String, String>();
        for (int i = 1; i <= size; i++) {
            voters.put("n" + i, "mem:" + i);
        }
        PeerTransport transport = (group, m) -> {
            RaftDriver to = drivers.get(m.to());
            if (to != null) {
                to.receive(m);
            }
        };
        for (String id : voters.keySet()) {
            fsyncs.put(id, new AtomicInteger());
            var listener = new DriverListener() {
                @Override
                public void onPersist(int entries, long appendNanos, long fsyncNanos) {
                    fsyncs.get(id).incrementAndGet();
                }
            };
            var driver = new RaftDriver(
                    new RaftDriver.Settings(
                            "default",
                            RaftConfig.defaults(id).withTicks(2, 15, 30),
                            Duration.ofMillis(10),
                            Duration.ofSeconds(10),
                            Duration.ofSeconds(1)),
                    WalRaftStorage.open(dir.resolve(id), WalOptions.DEFAULTS),
                    new Membership(voters, Map.of()),
                    StateMachines.create(60_000),
                    transport,
                    Clock.systemUTC(),
                    new Random(id.hashCode()),
                    EventSink.NONE,
                    listener);
            drivers.put(id, driver);
        }
        drivers.values().forEach(RaftDriver::start);
    }

    @AfterEach
    void stop() throws Exception {
        for (RaftDriver d : drivers.values()) {
            d.close();
        }
    }

    private RaftDriver awaitLeader() {
        RaftDriver[] leader = {null};
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (RaftDriver d : drivers.values()) {
                if (d.status().isLeader() && d.status().commitIndex() > 0) {
                    leader[0] = d;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    private static CommandRequest put(String client, long seq, String key, String value) {
        return CommandRequest.newBuilder()
                .setClientId(client)
                .setSequence(seq)
                .setStateMachine("kv")
                .setPayload(KvCommand.newBuilder()
                        .setPut(KvPut.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)))
                        .build()
                        .toByteString())
                .build();
    }

    private static ReadRequest get(String key, ReadConsistency consistency) {
        return ReadRequest.newBuilder()
                .setStateMachine("kv")
                .setQuery(KvQuery.newBuilder().setKey(key).build().toByteString())
                .setConsistency(consistency)
                .build();
    }

    @Test
    void when_many_commands_arrive_together_then_one_fsync_covers_many_of_them() throws Exception {
        start(3);
        RaftDriver leader = awaitLeader();
        int before = fsyncs.get(leader.status().nodeId()).get();
        var futures = new ArrayList<CompletableFuture<CommandResponse>>();
        for (int i = 1; i <= 500; i++) {
            futures.add(leader.submit(put("c" + i, 1, "k" + i, "v")));
        }
        for (var f : futures) {
            assertThat(f.join().getCode()).isEqualTo(ResultCode.RESULT_CODE_OK);
        }
        int used = fsyncs.get(leader.status().nodeId()).get() - before;
        assertThat(used).as("group commit: fsyncs for 500 commands").isLessThan(100);
    }

    @Test
    void when_a_command_is_submitted_twice_then_the_second_returns_the_first_result() throws Exception {
        start(3);
        RaftDriver leader = awaitLeader();
        var first = leader.submit(put("client-a", 1, "x", "1")).join();
        var retry = leader.submit(put("client-a", 1, "x", "1")).join();
        assertThat(retry.getCode()).isEqualTo(ResultCode.RESULT_CODE_OK);
        assertThat(retry.getResult()).isEqualTo(first.getResult());
        assertThat(retry.getIndex()).as("the retry is a new log entry").isGreaterThan(first.getIndex());
        assertThat(KvResult.parseFrom(retry.getResult()).getRevision()).isEqualTo(first.getIndex());
    }

    @Test
    void reads_are_linearizable_on_the_leader_and_stale_reads_are_served_by_followers() throws Exception {
        start(3);
        RaftDriver leader = awaitLeader();
        assertThat(leader.submit(put("w", 1, "key", "value")).join().getCode()).isEqualTo(ResultCode.RESULT_CODE_OK);
        var read = leader.read(get("key", ReadConsistency.READ_CONSISTENCY_LINEARIZABLE))
                .join();
        assertThat(KvResult.parseFrom(read.getResult()).getValue().toStringUtf8())
                .isEqualTo("value");

        RaftDriver follower = drivers.values().stream()
                .filter(d -> !d.status().isLeader())
                .findFirst()
                .orElseThrow();
        var refused = follower.read(get("key", ReadConsistency.READ_CONSISTENCY_LINEARIZABLE))
                .join();
        assertThat(refused.getCode()).isEqualTo(ResultCode.RESULT_CODE_NOT_LEADER);
        assertThat(refused.getLeaderHint().getNodeId())
                .isEqualTo(leader.status().nodeId());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            var stale = follower.read(get("key", ReadConsistency.READ_CONSISTENCY_STALE))
                    .join();
            assertThat(KvResult.parseFrom(stale.getResult()).getValue().toStringUtf8())
                    .isEqualTo("value");
        });
    }

    @Test
    void a_follower_refuses_commands_with_a_leader_hint_and_bad_commands_are_invalid() throws Exception {
        start(3);
        RaftDriver leader = awaitLeader();
        RaftDriver follower = drivers.values().stream()
                .filter(d -> !d.status().isLeader())
                .findFirst()
                .orElseThrow();
        var r = follower.submit(put("c", 1, "k", "v")).join();
        assertThat(r.getCode()).isEqualTo(ResultCode.RESULT_CODE_NOT_LEADER);
        assertThat(r.getLeaderHint().getAddress()).isEqualTo(leader.status().leaderAddress());
        assertThat(leader.submit(put("", 1, "k", "v")).join().getCode()).isEqualTo(ResultCode.RESULT_CODE_INVALID);
        assertThat(leader.submit(put("c", 0, "k", "v")).join().getCode()).isEqualTo(ResultCode.RESULT_CODE_INVALID);
        assertThat(leader.submit(put("c", 1, "k", "v").toBuilder()
                                .setStateMachine("nope")
                                .build())
                        .join()
                        .getCode())
                .isEqualTo(ResultCode.RESULT_CODE_INVALID);
    }

    @Test
    void a_single_node_group_elects_itself_and_commits() throws Exception {
        start(1);
        RaftDriver leader = awaitLeader();
        assertThat(leader.submit(put("c", 1, "k", "v")).join().getCode()).isEqualTo(ResultCode.RESULT_CODE_OK);
        assertThat(fsyncs.get("n1").get()).isPositive();
    }
}
