package io.sinkron.bench;

import io.sinkron.testkit.ReservedPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Three {@code consensus-node.jar} processes with default Raft timeouts, configured the way an
 * operator would: {@code NODE_ID}, {@code CLUSTER_NODES}, {@code SERVER_PORT}, {@code DATA_DIR}.
 */
final class SinkronCluster implements Cluster {

    private final Path dir;
    private final Path jar;
    private final List<String> jvmArgs;
    private final int[] grpcPorts;
    private final int[] httpPorts;
    private final Members members;

    SinkronCluster(Path dir, Path jar, int size, List<String> jvmArgs) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.jar = jar;
        this.jvmArgs = List.copyOf(jvmArgs);
        this.grpcPorts = ReservedPorts.take(size);
        this.httpPorts = ReservedPorts.take(size);
        this.members = new Members(size);
    }

    SinkronCluster startAll() throws IOException {
        for (int i = 0; i < members.size(); i++) {
            start(i);
        }
        return this;
    }

    /** Starts member {@code i}; after {@link #kill9} it restarts on the data it left behind. */
    void start(int i) throws IOException {
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("NODE_ID", nodeId(i));
        env.put("CLUSTER_NODES", clusterNodes());
        env.put("SERVER_PORT", Integer.toString(httpPorts[i]));
        env.put("DATA_DIR", dir.resolve(nodeId(i)).toString());
        members.launch(i, command, env, dir.resolve(nodeId(i) + ".log"));
    }

    void kill9(int i) throws InterruptedException {
        members.kill9(i);
    }

    static String nodeId(int i) {
        return "node-" + (i + 1);
    }

    private String clusterNodes() {
        var joiner = new StringJoiner(",");
        for (int i = 0; i < members.size(); i++) {
            joiner.add(nodeId(i) + ":127.0.0.1:" + grpcPorts[i]);
        }
        return joiner.toString();
    }

    @Override
    public String loadEndpoints() {
        var joiner = new StringJoiner(",");
        for (int port : grpcPorts) {
            joiner.add("127.0.0.1:" + port);
        }
        return joiner.toString();
    }

    @Override
    public long[] pids() {
        return members.pids();
    }

    /** Port of member {@code i}'s HTTP server (status, admin, actuator). */
    int httpPort(int i) {
        return httpPorts[i];
    }

    String status(int i) {
        return Http.get("http://127.0.0.1:" + httpPorts[i] + "/status");
    }

    /** Node {@code i}'s commit index from its {@code /status}, or -1 if it does not answer. */
    long commitIndex(int i) {
        String status = status(i);
        String index = status == null ? null : Http.jsonField(status, "commit_index");
        if (index == null && status != null) {
            index = Http.jsonField(status, "commitIndex");
        }
        return index == null ? -1 : Long.parseLong(index);
    }

    @Override
    public int awaitLeader(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            int leader = agreedLeader(-1);
            if (leader >= 0) {
                return leader;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no agreed Sinkron leader within " + timeout + "; logs in " + dir);
    }

    /**
     * The member that every live member except {@code ignored} names as leader and that says it
     * leads, or -1.
     */
    int agreedLeader(int ignored) {
        String agreed = null;
        int leader = -1;
        for (int i = 0; i < members.size(); i++) {
            if (i == ignored || !members.alive(i)) {
                continue;
            }
            String status = status(i);
            String leaderId = status == null ? null : Http.jsonField(status, "leader_id");
            if (leaderId == null || (agreed != null && !agreed.equals(leaderId))) {
                return -1;
            }
            agreed = leaderId;
            if ("true".equals(Http.jsonField(status, "is_leader"))) {
                leader = i;
            }
        }
        return leader;
    }

    /** True once every member runs and has applied what the leader had committed when asked. */
    boolean caughtUp(int leader) {
        String leaderStatus = status(leader);
        String commit = leaderStatus == null ? null : Http.jsonField(leaderStatus, "commit_index");
        if (commit == null) {
            return false;
        }
        for (int i = 0; i < members.size(); i++) {
            String status = members.alive(i) ? status(i) : null;
            String applied = status == null ? null : Http.jsonField(status, "last_applied");
            if (applied == null || Long.parseLong(applied) < Long.parseLong(commit)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public DiskStats leaderDiskStats(int leader) {
        String metrics = Http.get("http://127.0.0.1:" + httpPorts[leader] + "/actuator/prometheus");
        return new DiskStats(
                Http.metricSum(metrics, "sinkron_raft_fsync_seconds_count"),
                Http.metricSum(metrics, "sinkron_raft_fsync_seconds_sum"));
    }

    @Override
    public void close() throws InterruptedException {
        members.killAll();
    }
}
