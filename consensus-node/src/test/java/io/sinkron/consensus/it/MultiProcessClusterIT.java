package io.sinkron.consensus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusClientConfig;
import io.sinkron.proto.CommandRequest;
import io.sinkron.proto.ConsensusGrpc;
import io.sinkron.proto.KvCommand;
import io.sinkron.proto.KvPut;
import io.sinkron.proto.KvQuery;
import io.sinkron.proto.KvResult;
import io.sinkron.proto.ReadRequest;
import io.sinkron.proto.ResultCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real consensus-node processes on 127.0.0.1: the leader is killed with SIGKILL, a follower
 * is paused with SIGSTOP, every node is killed at once, and no acknowledged write is lost.
 */
class MultiProcessClusterIT {

    @TempDir
    Path dir;

    private static byte[] put(String key, String value) {
        return KvCommand.newBuilder()
                .setPut(KvPut.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)))
                .build()
                .toByteArray();
    }

    private static String get(ConsensusClient client, String key) throws Exception {
        var r = KvResult.parseFrom(
                client.read("kv", KvQuery.newBuilder().setKey(key).build().toByteArray()));
        return r.getOk() ? r.getValue().toStringUtf8() : null;
    }

    private static ConsensusClient client(LocalCluster cluster) {
        return new ConsensusClient(
                ConsensusClientConfig.parse(cluster.clientAddresses()).withDefaultDeadline(Duration.ofSeconds(20)));
    }

    @Test
    void when_the_leader_is_killed_then_a_new_leader_serves_and_the_old_one_catches_up_after_restart()
            throws Exception {
        try (var cluster = new LocalCluster(dir, 3).startAll();
                var client = client(cluster)) {
            int leader = cluster.awaitLeader(LocalCluster.STARTUP);
            for (int i = 0; i < 50; i++) {
                client.submit("kv", put("before-" + i, "v" + i));
            }
            cluster.kill9(leader);
            int newLeader = cluster.awaitLeader(Duration.ofSeconds(20));
            assertThat(newLeader).isNotEqualTo(leader);
            for (int i = 0; i < 50; i++) {
                client.submit("kv", put("after-" + i, "v" + i));
            }
            assertThat(get(client, "before-49")).isEqualTo("v49");

            cluster.start(leader);
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(cluster.appliedIndex(leader))
                            .as("restarted node catches up (logs: %s)", cluster.logs())
                            .isGreaterThanOrEqualTo(cluster.appliedIndex(newLeader) - 5)
                            .isGreaterThan(100));
        }
    }

    @Test
    void when_a_follower_is_paused_then_the_cluster_keeps_serving_and_it_catches_up_on_resume() throws Exception {
        try (var cluster = new LocalCluster(dir, 3).startAll();
                var client = client(cluster)) {
            int leader = cluster.awaitLeader(LocalCluster.STARTUP);
            int follower = (leader + 1) % 3;
            cluster.signal(follower, "STOP");
            for (int i = 0; i < 100; i++) {
                client.submit("kv", put("k" + i, "v" + i));
            }
            assertThat(get(client, "k99")).isEqualTo("v99");
            cluster.signal(follower, "CONT");
            long target = cluster.appliedIndex(leader);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(
                            () -> assertThat(cluster.appliedIndex(follower)).isGreaterThanOrEqualTo(target));
        }
    }

    @Test
    void when_every_node_is_killed_then_no_acknowledged_write_is_lost() throws Exception {
        var acknowledged = new ArrayList<String>();
        try (var cluster = new LocalCluster(dir, 3).startAll()) {
            try (var client = client(cluster)) {
                cluster.awaitLeader(LocalCluster.STARTUP);
                var futures = new ArrayList<CompletableFuture<byte[]>>();
                for (int i = 0; i < 200; i++) {
                    futures.add(client.submitAsync("kv", put("key-" + i, "value-" + i)));
                }
                for (int i = 0; i < futures.size(); i++) {
                    futures.get(i).join();
                    acknowledged.add("key-" + i);
                }
            }
            for (int i = 0; i < 3; i++) {
                cluster.kill9(i);
            }
            cluster.startAll();
            try (var client = client(cluster)) {
                cluster.awaitLeader(LocalCluster.STARTUP);
                for (String key : acknowledged) {
                    assertThat(get(client, key)).as(key).isEqualTo("value-" + key.substring(4));
                }
            }
        }
    }

    @Test
    void followers_forward_to_the_leader_and_every_node_reports_status_health_and_metrics() throws Exception {
        try (var cluster = new LocalCluster(dir, 3).startAll()) {
            int leader = cluster.awaitLeader(LocalCluster.STARTUP);
            int follower = (leader + 1) % 3;
            var channel = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", cluster.grpcPorts[follower])
                    .usePlaintext()
                    .build();
            try {
                var stub = ConsensusGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
                var response = stub.submit(CommandRequest.newBuilder()
                        .setClientId("forwarding-test")
                        .setSequence(1)
                        .setStateMachine("kv")
                        .setPayload(ByteString.copyFrom(put("fwd", "yes")))
                        .build());
                assertThat(response.getCode()).as(response.getMessage()).isEqualTo(ResultCode.RESULT_CODE_OK);
                var read = ConsensusGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .read(ReadRequest.newBuilder()
                                .setStateMachine("kv")
                                .setQuery(KvQuery.newBuilder()
                                        .setKey("fwd")
                                        .build()
                                        .toByteString())
                                .build());
                assertThat(read.getCode()).isEqualTo(ResultCode.RESULT_CODE_OK);
                assertThat(KvResult.parseFrom(read.getResult()).getValue().toStringUtf8())
                        .isEqualTo("yes");
            } finally {
                channel.shutdownNow();
            }

            var health = cluster.get(follower, "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"is_leader\":false").contains("\"leader_id\":\"node-" + (leader + 1));
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(cluster.get(follower, "/actuator/health/readiness")
                                    .statusCode())
                            .isEqualTo(200));
            assertThat(cluster.get(follower, "/actuator/health/liveness").statusCode())
                    .isEqualTo(200);
            String status = cluster.status(leader);
            assertThat(status)
                    .contains("\"role\":\"LEADER\"", "\"snapshot_index\"", "\"match_index\"", "\"failure_detector\"");
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(cluster.status(leader)).contains("\"state\":\"ALIVE\""));

            String metrics = cluster.get(leader, "/actuator/prometheus").body();
            assertThat(metrics)
                    .contains(
                            "sinkron_raft_term",
                            "sinkron_raft_is_leader{application=\"consensus-node\"} 1.0",
                            "sinkron_raft_leader_changes_total",
                            "sinkron_raft_commit_index",
                            "sinkron_raft_applied_index",
                            "sinkron_raft_proposals_committed_total",
                            "sinkron_raft_proposals_failed_total",
                            "sinkron_raft_proposals_pending",
                            "sinkron_raft_append_seconds_bucket",
                            "sinkron_raft_fsync_seconds_bucket",
                            "sinkron_failure_detector_phi{",
                            "sinkron_raft_peer_match_index{",
                            "sinkron_raft_sent_bytes_total",
                            "sinkron_raft_received_bytes_total");
        }
    }

    @Test
    void a_single_node_cluster_persists_before_it_acknowledges() throws Exception {
        try (var cluster = new LocalCluster(dir, 1).startAll()) {
            try (var client = client(cluster)) {
                cluster.awaitLeader(LocalCluster.STARTUP);
                client.submit("kv", put("solo", "1"));
            }
            cluster.kill9(0);
            cluster.startAll();
            try (var client = client(cluster)) {
                cluster.awaitLeader(LocalCluster.STARTUP);
                assertThat(get(client, "solo")).isEqualTo("1");
            }
        }
    }
}
