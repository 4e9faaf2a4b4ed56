package io.sinkron.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sinkron.launcher.LocalTopology.Component;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalTopologyTest {

    private final LocalTopology topology = new LocalTopology(Path.of("/checkout"), Path.of("/data"), 0);

    @Test
    void when_no_offset_then_the_documented_ports_are_used() {
        assertThat(topology.ports())
                .containsOnlyKeys(7001, 7002, 7003, 8001, 8002, 8003, 8081, 8082, 8083, 8084)
                .containsEntry(7002, "node-2 gRPC")
                .containsEntry(8083, "cache-a HTTP");
    }

    @Test
    void when_offset_then_every_port_moves_by_it() {
        var moved = new LocalTopology(Path.of("/checkout"), Path.of("/data"), 100);
        assertThat(moved.ports()).containsOnlyKeys(7101, 7102, 7103, 8101, 8102, 8103, 8181, 8182, 8183, 8184);
        assertThat(moved.nodes().getFirst().env().get("CLUSTER_NODES"))
                .isEqualTo("node-1:127.0.0.1:7101,node-2:127.0.0.1:7102,node-3:127.0.0.1:7103");
    }

    @Test
    void every_node_lists_every_member_including_itself_and_keeps_its_own_data() {
        for (Component node : topology.nodes()) {
            assertThat(node.env())
                    .containsEntry("CLUSTER_NODES", "node-1:127.0.0.1:7001,node-2:127.0.0.1:7002,node-3:127.0.0.1:7003")
                    .containsEntry("NODE_ID", node.name())
                    .containsEntry(
                            "DATA_DIR", Path.of("/data").resolve(node.name()).toString())
                    .containsEntry("BIND_HOST", "127.0.0.1")
                    .containsEntry("SERVER_PORT", String.valueOf(node.httpPort()));
        }
    }

    @Test
    void every_service_knows_every_node_and_the_caches_have_distinct_instance_ids() {
        assertThat(topology.services())
                .extracting(Component::name)
                .containsExactly("lock", "queue", "cache-a", "cache-b");
        for (Component service : topology.services()) {
            assertThat(service.env())
                    .containsEntry("CONSENSUS_NODES", "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003")
                    .containsEntry("SERVER_ADDRESS", "127.0.0.1");
        }
        assertThat(topology.services().get(2).env()).containsEntry("CACHE_INSTANCE_ID", "cache-a");
        assertThat(topology.services().get(3).env()).containsEntry("CACHE_INSTANCE_ID", "cache-b");
        assertThat(topology.jars()).hasSize(4);
    }

    @Test
    void every_process_logs_plain_text() {
        for (Component c : topology.all()) {
            assertThat(c.env()).containsEntry("LOG_FORMAT", "").containsEntry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "");
        }
    }

    @Test
    void when_an_offset_pushes_ports_out_of_range_then_it_is_refused() {
        assertThatThrownBy(() -> new LocalTopology(Path.of("/c"), Path.of("/d"), 60000))
                .hasMessageContaining("must stay within 1024..65535");
        assertThatThrownBy(() -> new LocalTopology(Path.of("/c"), Path.of("/d"), -6500))
                .hasMessageContaining("must stay within 1024..65535");
    }
}
