package io.sinkron.consensus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.sinkron.client.ConsensusClient;
import io.sinkron.client.ConsensusClientConfig;
import io.sinkron.proto.KvCommand;
import io.sinkron.proto.KvPut;
import io.sinkron.proto.KvQuery;
import io.sinkron.proto.KvResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
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
            int leader = cluster.awaitLeader(Duration.ofSeconds(60));
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
            int leader = cluster.awaitLeader(Duration.ofSeconds(60));
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
                cluster.awaitLeader(Duration.ofSeconds(60));
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
                cluster.awaitLeader(Duration.ofSeconds(60));
                for (String key : acknowledged) {
                    assertThat(get(client, key)).as(key).isEqualTo("value-" + key.substring(4));
                }
            }
        }
    }

    @Test
    void a_single_node_cluster_persists_before_it_acknowledges() throws Exception {
        try (var cluster = new LocalCluster(dir, 1).startAll()) {
            try (var client = client(cluster)) {
                cluster.awaitLeader(Duration.ofSeconds(60));
                client.submit("kv", put("solo", "1"));
            }
            cluster.kill9(0);
            cluster.startAll();
            try (var client = client(cluster)) {
                cluster.awaitLeader(Duration.ofSeconds(60));
                assertThat(get(client, "solo")).isEqualTo("1");
            }
        }
    }
}
