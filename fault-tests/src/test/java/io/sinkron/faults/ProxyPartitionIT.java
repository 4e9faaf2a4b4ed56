package io.sinkron.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sinkron.testkit.ConsensusCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The harness' network faults are real: three consensus nodes started with a {@code CLUSTER_NODES}
 * that names each peer at its {@link FaultProxy} link address reach each other only through the
 * proxy, and a partition that isolates the leader stops every byte between it and the others, so
 * that the other two elect a new leader while it stays cut off.
 */
class ProxyPartitionIT {

    private static final Path CONSENSUS_JAR = Path.of(System.getProperty("sinkron.consensusJar"));
    private static final Duration STARTUP = Duration.ofMinutes(3);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void when_the_leader_is_partitioned_away_then_no_byte_crosses_and_the_majority_elects_another() throws Exception {
        try (var proxy = new FaultProxy();
                var cluster = ConsensusCluster.start(CONSENSUS_JAR, dir, 3, Map.of(), proxy::link)) {
            int leader = cluster.awaitLeader(STARTUP);

            // Every node names its peers at the proxy's ports, and every link carries traffic.
            for (int i = 0; i < 3; i++) {
                JsonNode status = cluster.status(i, Duration.ofSeconds(10));
                assertThat(status).as("status of node-%d", i + 1).isNotNull();
                Map<String, String> addresses = new HashMap<>();
                status.path("members")
                        .forEach(m -> addresses.put(
                                m.path("node_id").asString(), m.path("address").asString()));
                for (int j = 0; j < 3; j++) {
                    if (j != i) {
                        assertThat(addresses.get("node-" + (j + 1)))
                                .as("node-%d's address for node-%d (members %s)", i + 1, j + 1, status.path("members"))
                                .isEqualTo("127.0.0.1:" + proxy.port(i, j));
                    }
                }
            }
            await("traffic on every link").atMost(Duration.ofSeconds(30)).until(() -> allLinksCarry(proxy));

            List<Set<Integer>> isolated = List.of(Set.of(leader), others(leader));
            proxy.partition(isolated);
            long termBefore =
                    cluster.status(leader, Duration.ofSeconds(10)).path("term").asLong();

            int[] newLeader = {-1};
            await("a new leader among the majority")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        for (int i : others(leader)) {
                            JsonNode s = cluster.status(i, Duration.ofSeconds(2));
                            if (s != null
                                    && s.path("is_leader").asBoolean()
                                    && s.path("term").asLong() > termBefore) {
                                newLeader[0] = i;
                                return true;
                            }
                        }
                        return false;
                    });
            // From here on, both sides keep trying to reach each other: their connections are
            // refused at the proxy, and not one byte crosses a cut link.
            Map<String, Long> bytesAtCut = leaderLinkBytes(proxy, leader);
            long refusedAtCut = refused(proxy, leader);
            await("connection attempts across the cut refused")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> refused(proxy, leader) > refusedAtCut);
            assertThat(leaderLinkBytes(proxy, leader)).isEqualTo(bytesAtCut);
            JsonNode cutOff = cluster.status(leader, Duration.ofSeconds(10));
            assertThat(cutOff.path("leader_id").asString(""))
                    .as("the isolated node does not follow the new leader: %s", cutOff)
                    .isNotEqualTo("node-" + (newLeader[0] + 1));

            proxy.heal();
            int healed = cluster.awaitLeader(STARTUP);
            assertThat(cluster.status(healed, Duration.ofSeconds(10))
                            .path("term")
                            .asLong())
                    .isGreaterThan(termBefore);
            await("traffic on every link after healing")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> {
                        Map<String, Long> now = leaderLinkBytes(proxy, leader);
                        return now.entrySet().stream().allMatch(e -> e.getValue() > bytesAtCut.get(e.getKey()));
                    });
        }
    }

    private static Set<Integer> others(int node) {
        return Set.of((node + 1) % 3, (node + 2) % 3);
    }

    private static boolean allLinksCarry(FaultProxy proxy) {
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (i != j && proxy.bytes(i, j) == 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private static long refused(FaultProxy proxy, int leader) {
        long refused = 0;
        for (int other : others(leader)) {
            refused += proxy.refused(leader, other) + proxy.refused(other, leader);
        }
        return refused;
    }

    private static Map<String, Long> leaderLinkBytes(FaultProxy proxy, int leader) {
        var bytes = new HashMap<String, Long>();
        for (int other : others(leader)) {
            bytes.put(leader + ">" + other, proxy.bytes(leader, other));
            bytes.put(other + ">" + leader, proxy.bytes(other, leader));
        }
        return bytes;
    }
}
