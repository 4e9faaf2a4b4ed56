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

    /**
     * The address node {@code from} is given for peer {@code to} in its {@code CLUSTER_NODES}: by
     * default the peer's own gRPC port; a test that injects network faults gives a proxy's instead.
     */
    @FunctionalInterface
    public interface PeerRoutes {
        /** The default: every node reaches every peer directly. */
        PeerRoutes DIRECT = (from, to, grpcPort) -> "127.0.0.1:" + grpcPort;

        /** {@code host:port} at which node index {@code from} reaches node index {@code to}, listening on {@code grpcPort}. */
        String address(int from, int to, int grpcPort) throws IOException;
    }

    private final Path jar;
    private final Path dir;
    private final int size;
    private final int[] grpcPorts;
    private final int[] httpPorts;
    private final Process[] processes;

    private final Map<String, String> env;
    private final PeerRoutes routes;

    private ConsensusCluster(Path jar, Path dir, int size, Map<String, String> env, PeerRoutes routes)
            throws IOException {
        this.routes = routes;
        this.jar = jar;
        this.dir = dir;
        this.size = size;
        this.env = Map.copyOf(env);
        this.grpcPorts = ReservedPorts.take(size);
        this.httpPorts = ReservedPorts.take(size);
        this.processes = new Process[size];
    }

    /**
     * Starts {@code size} nodes that form one cluster, each with the settings in {@code env} (e.g.
     * {@code SNAPSHOT_ENTRIES}); use {@link #awaitLeader} before relying on it.
     */
    public static ConsensusCluster start(Path jar, Path dir, int size, Map<String, String> env) throws IOException {
        return start(jar, dir, size, env, PeerRoutes.DIRECT);
    }

    /**
     * Like {@link #start(Path, Path, int, Map)}, but each node's {@code CLUSTER_NODES} names its peers
     * at the addresses {@code routes} gives (itself always at its own port), so that every peer
     * connection can go through a fault-injecting proxy.
     */
    public static ConsensusCluster start(Path jar, Path dir, int size, Map<String, String> env, PeerRoutes routes)
            throws IOException {
        var cluster = new ConsensusCluster(jar, dir, size, env, routes);
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
        nodeEnv.put("CLUSTER_NODES", clusterNodes(i));
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
            if (processes[i] != null && processes[i].isAlive()) {
                sum += metricSamples(i, name).values().stream()
                        .mapToDouble(Double::doubleValue)
                        .sum();
            }
        }
        return sum;
    }

    /**
     * The samples of the Prometheus metric {@code name} on node {@code i}, by their labels as exposed
     * (e.g. {@code le="0.1"}, the empty string for none).
     */
    public Map<String, Double> metricSamples(int i, String name) throws IOException, InterruptedException {
        String text = Http.get(
                        URI.create("http://127.0.0.1:" + httpPorts[i] + "/actuator/prometheus"), Duration.ofSeconds(10))
                .text();
        var samples = new LinkedHashMap<String, Double>();
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                int space = line.lastIndexOf(' ');
                String labels = line.charAt(name.length()) == '{'
                        ? line.substring(name.length() + 1, line.lastIndexOf('}', space))
                        : "";
                samples.put(labels, Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    private JsonNode status(int i) throws InterruptedException {
        return status(i, Duration.ofSeconds(2));
    }

    private String clusterNodes(int self) throws IOException {
        var entries = new ArrayList<String>();
        for (int i = 0; i < size; i++) {
            String address = i == self ? "127.0.0.1:" + grpcPorts[i] : routes.address(self, i, grpcPorts[i]);
            entries.add("node-" + (i + 1) + ":" + address);
        }
        return String.join(",", entries);
    }

    public int size() {
        return size;
    }

    /** The gRPC port node {@code i} listens on. */
    public int grpcPort(int i) {
        return grpcPorts[i];
    }

    /** Whether node {@code i}'s process is alive (a paused process is). */
    public boolean isRunning(int i) {
        return processes[i] != null && processes[i].isAlive();
    }

    /** The operating-system process id of node {@code i}, for signals such as SIGSTOP. */
    public long pid(int i) {
        return processes[i].pid();
    }

    /**
     * Node {@code i}'s {@code /status}, or null if it does not answer 200 within {@code timeout} (it
     * is down, paused or still starting).
     */
    public JsonNode status(int i, Duration timeout) throws InterruptedException {
        if (!isRunning(i)) {
            return null;
        }
        try {
            var response = Http.get(URI.create("http://127.0.0.1:" + httpPorts[i] + "/status"), timeout);
            return response.status() == 200 ? response.body() : null;
        } catch (IOException notAnswering) {
            return null;
        }
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
