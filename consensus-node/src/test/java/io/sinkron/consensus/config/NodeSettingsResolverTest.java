package io.sinkron.consensus.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeSettingsResolverTest {

    private static final String[] NO_ARGS = {};

    @Test
    void environment_variables_of_the_original_design_configure_a_node() {
        var s = NodeSettingsResolver.resolve(
                Map.of(
                        "NODE_ID", "node-2",
                        "CLUSTER_NODES", "node-1:10.0.0.1:7001,node-2:10.0.0.2:7002,node-3:10.0.0.3:7003",
                        "DATA_DIR", "/var/lib/sinkron",
                        "SERVER_PORT", "8082",
                        "RAFT_HEARTBEAT_INTERVAL", "50",
                        "RAFT_ELECTION_TIMEOUT_MIN", "300",
                        "RAFT_ELECTION_TIMEOUT_MAX", "600",
                        "FAILURE_DETECTOR_PHI_THRESHOLD", "10.5",
                        "FAILURE_DETECTOR_WINDOW_SIZE", "200",
                        "FAILURE_DETECTOR_MIN_SAMPLES", "10"),
                NO_ARGS);
        assertThat(s.nodeId()).isEqualTo("node-2");
        assertThat(s.clusterNodes()).hasSize(3).containsEntry("node-3", "10.0.0.3:7003");
        assertThat(s.selfAddress()).isEqualTo("10.0.0.2:7002");
        assertThat(s.grpcPort()).isEqualTo(7002);
        assertThat(s.httpPort()).isEqualTo(8082);
        assertThat(s.dataDir()).hasToString("/var/lib/sinkron");
        assertThat(s.heartbeatMillis()).isEqualTo(50);
        assertThat(s.electionTimeoutMinMillis()).isEqualTo(300);
        assertThat(s.electionTimeoutMaxMillis()).isEqualTo(600);
        assertThat(s.phiThreshold()).isEqualTo(10.5);
        assertThat(s.failureDetectorWindow()).isEqualTo(200);
        assertThat(s.failureDetectorMinSamples()).isEqualTo(10);
    }

    @Test
    void command_line_options_override_the_environment() {
        var s = NodeSettingsResolver.resolve(Map.of("NODE_ID", "node-1", "CLUSTER_NODES", "node-1:a:1"), new String[] {
            "--node-id", "node-2", "--cluster-nodes=node-1:localhost:6000,node-2:localhost:6010", "--port", "6011"
        });
        assertThat(s.nodeId()).isEqualTo("node-2");
        assertThat(s.grpcPort()).isEqualTo(6011);
        assertThat(s.dataDir()).hasToString("./data/node-2");
    }

    @Test
    void an_empty_cluster_list_is_a_cluster_of_one() {
        var s = NodeSettingsResolver.resolve(Map.of("NODE_ID", "solo"), NO_ARGS);
        assertThat(s.clusterNodes()).containsOnlyKeys("solo");
    }

    @Test
    void bad_configurations_are_refused_with_a_message_naming_the_variable() {
        assertRefused(Map.of(), "NODE_ID");
        assertRefused(Map.of("NODE_ID", "bad id!"), "NODE_ID 'bad id!'");
        assertRefused(Map.of("NODE_ID", "n1", "CLUSTER_NODES", "n1:host"), "not node-id:host:port");
        assertRefused(Map.of("NODE_ID", "n1", "CLUSTER_NODES", "n1:host:70000"), "not a port number");
        assertRefused(Map.of("NODE_ID", "n1", "CLUSTER_NODES", "n1:h:1,n1:h:2"), "twice");
        assertRefused(Map.of("NODE_ID", "n9", "CLUSTER_NODES", "n1:h:1"), "does not list this node 'n9'");
        assertRefused(Map.of("NODE_ID", "n1", "RAFT_HEARTBEAT_INTERVAL", "-5"), "RAFT_HEARTBEAT_INTERVAL");
        assertRefused(
                Map.of("NODE_ID", "n1", "RAFT_ELECTION_TIMEOUT_MIN", "900", "RAFT_ELECTION_TIMEOUT_MAX", "800"),
                "RAFT_ELECTION_TIMEOUT_MIN");
        assertRefused(
                Map.of("NODE_ID", "n1", "FAILURE_DETECTOR_PHI_THRESHOLD", "abc"), "FAILURE_DETECTOR_PHI_THRESHOLD");
        assertRefused(
                Map.of("NODE_ID", "n1", "FAILURE_DETECTOR_MIN_SAMPLES", "50", "FAILURE_DETECTOR_WINDOW_SIZE", "10"),
                "FAILURE_DETECTOR_MIN_SAMPLES");
        assertRefused(Map.of("NODE_ID", "n1", "SERVER_PORT", "http"), "SERVER_PORT");
    }

    private static void assertRefused(Map<String, String> env, String mentions) {
        assertThatThrownBy(() -> NodeSettingsResolver.resolve(env, NO_ARGS))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining(mentions)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
