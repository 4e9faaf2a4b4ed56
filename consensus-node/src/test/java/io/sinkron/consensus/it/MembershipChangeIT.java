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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes on real processes: a 3-node cluster grows to 5 and back to 3 under client
 * load; a node whose disk was wiped rejoins as a new member and catches up from a snapshot.
 */
class MembershipChangeIT {

    @TempDir
    Path dir;

    /** Writes keys until stopped, remembering each one acknowledged. */
    private static final class Writer implements AutoCloseable {
        final ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        Writer(ConsensusClient client, String prefix) {
            thread = Thread.ofVirtual().start(() -> {
                for (int i = 0; running.get() && i < 100_000; i++) {
                    String key = prefix + i;
                    client.submit("kv", put(key, "v" + i));
                    acknowledged.add(key);
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(Duration.ofSeconds(30));
        }
    }

    private static byte[] put(String key, String value) {
        return KvCommand.newBuilder()
                .setPut(KvPut.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)))
                .build()
                .toByteArray();
    }

    private static boolean exists(ConsensusClient client, String key) throws Exception {
        return KvResult.parseFrom(client.read(
                        "kv", KvQuery.newBuilder().setKey(key).build().toByteArray()))
                .getOk();
    }

    private static ConsensusClient client(LocalCluster cluster, int nodes) {
        var addresses = new StringBuilder();
        for (int i = 0; i < nodes; i++) {
            addresses.append(i == 0 ? "" : ",").append("127.0.0.1:").append(cluster.grpcPorts[i]);
        }
        return new ConsensusClient(
                ConsensusClientConfig.parse(addresses.toString()).withDefaultDeadline(Duration.ofSeconds(30)));
    }

    private static void awaitVoters(LocalCluster cluster, int leader, int voters) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    String status = cluster.status(leader);
                    assertThat(status)
                            .as("status of node %d (logs %s)", leader + 1, cluster.logs())
                            .isNotNull();
                    String configuration = status.substring(status.indexOf("\"configuration\""));
                    String votersJson = configuration.substring(configuration.indexOf("\"voters\":["));
                    votersJson = votersJson.substring(0, votersJson.indexOf(']'));
                    assertThat(votersJson.split(",")).hasSize(voters);
                    assertThat(configuration).contains("\"learners\":[]");
                });
    }

    @Test
    void a_cluster_grows_from_three_to_five_and_back_under_load_without_losing_a_write() throws Exception {
        try (var cluster = new LocalCluster(dir, 5)) {
            for (int i = 0; i < 3; i++) {
                cluster.start(i, cluster.clusterNodes(3), false);
            }
            cluster.voting[3] = false;
            cluster.voting[4] = false;
            int leader = cluster.awaitLeader(LocalCluster.STARTUP);
            List<String> acknowledged;
            try (var client = client(cluster, 3);
                    var writer = new Writer(client, "grow-")) {
                // Nodes 4 and 5 start with JOIN=true: they ask to be added and never campaign alone.
                cluster.start(3, cluster.clusterNodes(5), true);
                cluster.start(4, cluster.clusterNodes(5), true);
                awaitVoters(cluster, cluster.awaitLeader(Duration.ofSeconds(30)), 5);
                cluster.voting[3] = true;
                cluster.voting[4] = true;

                leader = cluster.awaitLeader(Duration.ofSeconds(30));
                for (int removed : new int[] {3, 4}) {
                    int via = leader == removed ? (removed + 1) % 5 : leader;
                    var response = cluster.send(via, "DELETE", "/cluster/members/node-" + (removed + 1), null);
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    cluster.voting[removed] = false;
                    leader = cluster.awaitLeader(Duration.ofSeconds(30));
                }
                awaitVoters(cluster, leader, 3);
                await().atMost(Duration.ofSeconds(30)).until(() -> writer.acknowledged.size() > 50);
                writer.close();
                acknowledged = List.copyOf(writer.acknowledged);
            }
            cluster.kill9(3);
            cluster.kill9(4);
            try (var client = client(cluster, 3)) {
                for (String key : acknowledged) {
                    assertThat(exists(client, key)).as(key).isTrue();
                }
            }
        }
    }

    @Test
    void a_node_with_a_wiped_disk_rejoins_as_a_new_member_and_catches_up_from_a_snapshot() throws Exception {
        try (var cluster =
                new LocalCluster(dir, 3).withEnv("SNAPSHOT_ENTRIES", "200").withEnv("SNAPSHOT_KEEP_ENTRIES", "20")) {
            cluster.startAll();
            int leader = cluster.awaitLeader(LocalCluster.STARTUP);
            int victim = (leader + 1) % 3;
            try (var client = client(cluster, 3)) {
                for (int i = 0; i < 600; i++) {
                    client.submitAsync("kv", put("k" + i, "v" + i));
                }
                client.submit("kv", put("last", "1"));
            }
            cluster.kill9(victim);
            try (var files = Files.walk(cluster.dataDir(victim))) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            cluster.voting[victim] = false;
            var removal = cluster.send(leader, "DELETE", "/cluster/members/node-" + (victim + 1), null);
            assertThat(removal.statusCode()).as(removal.body()).isEqualTo(200);
            var snapshot = cluster.send(leader, "POST", "/cluster/snapshot", null);
            assertThat(snapshot.statusCode()).as(snapshot.body()).isEqualTo(200);

            cluster.start(victim, cluster.clusterNodes(), true);
            cluster.voting[victim] = true;
            awaitVoters(cluster, cluster.awaitLeader(Duration.ofSeconds(30)), 3);
            int current = cluster.awaitLeader(Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                String status = cluster.status(victim);
                assertThat(status).isNotNull();
                assertThat(Long.parseLong(LocalCluster.field(status, "snapshot_index")))
                        .as("caught up from a snapshot")
                        .isPositive();
                assertThat(cluster.appliedIndex(victim)).isGreaterThanOrEqualTo(cluster.appliedIndex(current) - 5);
            });
            String metrics = cluster.get(victim, "/actuator/prometheus").body();
            assertThat(metrics).contains("sinkron_raft_snapshots_installed_total");
        }
    }

    @Test
    void admin_endpoints_refuse_bad_requests_with_problem_details_and_transfer_leadership() throws Exception {
        try (var cluster = new LocalCluster(dir, 3).startAll()) {
            int leader = cluster.awaitLeader(LocalCluster.STARTUP);
            int follower = (leader + 1) % 3;

            var unknown = cluster.send(follower, "DELETE", "/cluster/members/node-9", null);
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("https://sinkron.io/problems/unknown-member", "node-9");

            var invalid =
                    cluster.send(follower, "POST", "/cluster/members", "{\"node_id\":\"bad id\",\"address\":\"x\"}");
            assertThat(invalid.statusCode()).isEqualTo(400);
            assertThat(invalid.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(v -> assertThat(v).contains("application/problem+json"));

            var malformed = cluster.send(follower, "POST", "/cluster/members", "{not json");
            assertThat(malformed.statusCode()).isEqualTo(400);

            var existing = cluster.send(
                    follower,
                    "POST",
                    "/cluster/members",
                    "{\"node_id\":\"node-" + (leader + 1) + "\",\"address\":\"127.0.0.1:1234\"}");
            assertThat(existing.statusCode()).isEqualTo(409);
            assertThat(existing.body()).contains("already a member");

            int target = (leader + 2) % 3;
            String transferBody = "{\"node_id\":\"node-" + (target + 1) + "\"}";
            var transfer = cluster.send(follower, "POST", "/cluster/leader/transfer", transferBody);
            assertThat(transfer.statusCode())
                    .as("%s (logs %s)", transfer.body(), cluster.logs())
                    .isEqualTo(200);
            assertThat(transfer.body()).contains("\"leader_id\":\"node-" + (target + 1) + "\"");
            assertThat(cluster.awaitLeader(Duration.ofSeconds(20))).isEqualTo(target);
        }
    }

    @Test
    void removing_the_last_voter_is_refused() throws Exception {
        try (var cluster = new LocalCluster(dir, 1).startAll()) {
            cluster.awaitLeader(LocalCluster.STARTUP);
            var last = cluster.send(0, "DELETE", "/cluster/members/node-1", null);
            assertThat(last.statusCode()).isEqualTo(409);
            assertThat(last.body()).contains("last voter");
        }
    }
}
