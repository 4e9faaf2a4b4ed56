package io.sinkron.consensus.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node refuses a bad configuration with one clear line and a non-zero exit code. */
class BadConfigurationIT {

    @TempDir
    Path dir;

    private record Outcome(int exitCode, String output) {}

    private Outcome run(Map<String, String> env) throws Exception {
        Path log = dir.resolve("out-" + System.nanoTime() + ".log");
        Process p = LocalCluster.launch(env, log);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("node exits").isTrue();
        return new Outcome(p.exitValue(), Files.readString(log).strip());
    }

    @Test
    void malformed_cluster_nodes_is_refused() throws Exception {
        var out = run(Map.of("NODE_ID", "node-1", "CLUSTER_NODES", "node-1:127.0.0.1", "DATA_DIR", dir.toString()));
        assertThat(out.exitCode()).isEqualTo(2);
        assertThat(out.output()).hasLineCount(1).contains("CLUSTER_NODES entry 'node-1:127.0.0.1'");
    }

    @Test
    void own_id_missing_from_cluster_nodes_is_refused() throws Exception {
        var out =
                run(Map.of("NODE_ID", "node-9", "CLUSTER_NODES", "node-1:127.0.0.1:7001", "DATA_DIR", dir.toString()));
        assertThat(out.exitCode()).isEqualTo(2);
        assertThat(out.output()).hasLineCount(1).contains("does not list this node 'node-9'");
    }

    @Test
    void unwritable_data_dir_is_refused() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        var out =
                run(Map.of("NODE_ID", "node-1", "DATA_DIR", file.resolve("data").toString()));
        assertThat(out.exitCode()).isEqualTo(2);
        assertThat(out.output()).hasLineCount(1).contains("DATA_DIR");
    }

    @Test
    void port_in_use_is_refused() throws Exception {
        try (var taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            var out = run(Map.of(
                    "NODE_ID",
                    "node-1",
                    "CLUSTER_NODES",
                    "node-1:127.0.0.1:" + port,
                    "DATA_DIR",
                    dir.resolve("d").toString(),
                    "SERVER_PORT",
                    "0"));
            assertThat(out.exitCode()).isEqualTo(2);
            assertThat(out.output()).hasLineCount(1).contains("already in use");
        }
    }
}
