package io.sinkron.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import tools.jackson.databind.JsonNode;

/**
 * Real {@code consensus-node.jar} processes on 127.0.0.1, each with its own data directory and log
 * ({@code <dir>/node-N.log}) in {@code dir}, for tests that kill the leader with SIGKILL and restart
 * it on the same data.
 */
public final class ConsensusCluster implements AutoCloseable {

    private final Path jar;
    private final Path dir;
    private final int size;
    private final int[] grpcPorts;
    private final int[] httpPorts;
    private final Process[] processes;

    private final Map<String, String> env;

    private ConsensusCluster(Path jar, Path dir, int size, Map<String, String> env) throws IOException {
        this.jar = jar;
        this.dir = dir;
        this.size = size;
        this.env = Map.copyOf(env);
        this.grpcPorts = JavaProcesses.freePorts(size);
        this.httpPorts = JavaProcesses.freePorts(size);
        this.processes = new Process[size];
    }

    /**
     * Starts {@code size} nodes that form one cluster, each with the settings in {@code env} (e.g.
     * {@code SNAPSHOT_ENTRIES}); use {@link #awaitLeader} before relying on it.
     */
    public static ConsensusCluster start(Path jar, Path dir, int size, Map<String, String> env) throws IOException {
        var cluster = new ConsensusCluster(jar, dir, size, env);
        try {
            for (int i = 0; i < size; i++) {
                cluster.restart(i);
            }
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** {@code CONSENSUS_NODES} for a service: every node's gRPC address. */
    public String clientAddresses() {
        return IntStream.range(0, size)
                .mapToObj(i -> "127.0.0.1:" + grpcPorts[i])
                .collect(Collectors.joining(","));
    }

    /** Starts node {@code i} (again, on the data it had). */
    public void restart(int i) throws IOException {
        if (processes[i] != null && processes[i].isAlive()) {
            throw new IllegalStateException("node-" + (i + 1) + " is running");
        }
        var nodeEnv = new LinkedHashMap<>(env);
        nodeEnv.put("NODE_ID", "node-" + (i + 1));
        nodeEnv.put("CLUSTER_NODES", clusterNodes());
        nodeEnv.put("SERVER_PORT", String.valueOf(httpPorts[i]));
        nodeEnv.put("DATA_DIR", dir.resolve("data-" + (i + 1)).toString());
        processes[i] = JavaProcesses.launch(jar, nodeEnv, dir.resolve("node-" + (i + 1) + ".log"));
    }

    public void kill9(int i) throws InterruptedException {
        JavaProcesses.kill9(processes[i]);
    }

    /**
     * The index of the node that every running node names as leader, waiting up to {@code timeout}
     * for one. A node still starting up counts as disagreeing, so after a restart this also waits
     * until the restarted node follows the leader.
     */
    public int awaitLeader(Duration timeout) {
        int[] leader = {-1};
        await("a leader every running node agrees on (logs: " + logs() + ")")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    leader[0] = agreedLeader();
                    return leader[0] >= 0;
                });
        return leader[0];
    }

    private int agreedLeader() throws InterruptedException {
        String agreed = null;
        int leaderIndex = -1;
        for (int i = 0; i < size; i++) {
            if (processes[i] == null || !processes[i].isAlive()) {
                continue;
            }
            JsonNode status = status(i);
            String leaderId = status == null ? "" : status.path("leader_id").asString("");
            if (leaderId.isEmpty() || (agreed != null && !agreed.equals(leaderId))) {
                return -1;
            }
            agreed = leaderId;
            if (status.path("is_leader").asBoolean()) {
                leaderIndex = i;
            }
        }
        return leaderIndex;
    }

    /**
     * Each node's {@code snapshot_index} from {@code /status} (-1 for a node that is down or does
     * not answer): the index of its newest snapshot, 0 if it has none.
     */
    public List<Long> snapshotIndexes() throws InterruptedException {
        var indexes = new ArrayList<Long>();
        for (int i = 0; i < size; i++) {
            JsonNode status = processes[i] != null && processes[i].isAlive() ? status(i) : null;
            indexes.add(status == null ? -1 : status.path("snapshot_index").asLong());
        }
        return indexes;
    }

    /** The sum over the running nodes of every sample of the Prometheus metric {@code name}. */
    public double metricSum(String name) throws IOException, InterruptedException {
        double sum = 0;
        for (int i = 0; i < size; i++) {
            if (processes[i] == null || !processes[i].isAlive()) {
                continue;
            }
            String text = Http.get(
                            URI.create("http://127.0.0.1:" + httpPorts[i] + "/actuator/prometheus"),
                            Duration.ofSeconds(10))
                    .text();
            for (String line : text.split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return sum;
    }

    private JsonNode status(int i) throws InterruptedException {
        try {
            var response = Http.get(URI.create("http://127.0.0.1:" + httpPorts[i] + "/status"), Duration.ofSeconds(2));
            return response.status() == 200 ? response.body() : null;
        } catch (IOException notUpYet) {
            return null;
        }
    }

    private String clusterNodes() {
        return IntStream.range(0, size)
                .mapToObj(i -> "node-" + (i + 1) + ":127.0.0.1:" + grpcPorts[i])
                .collect(Collectors.joining(","));
    }

    /** Where the nodes log, for failure messages. */
    public String logs() {
        return dir.resolve("node-*.log").toString();
    }

    @Override
    public void close() {
        for (Process p : processes) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
        for (Process p : processes) {
            if (p != null) {
                p.onExit().join();
            }
        }
    }
}
