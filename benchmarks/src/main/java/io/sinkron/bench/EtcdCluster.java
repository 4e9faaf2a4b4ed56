package io.sinkron.bench;

import io.sinkron.testkit.ReservedPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Three etcd members with etcd's default settings (heartbeat, election timeout, snapshot count,
 * fsync), distinct client and peer ports, fresh data directories.
 */
final class EtcdCluster implements Cluster {

    private final Path dir;
    private final String etcd;
    private final int[] clientPorts;
    private final int[] peerPorts;
    private final Members members;
    private int loadTarget = -1;

    EtcdCluster(Path dir, String etcd, int size) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.etcd = etcd;
        this.clientPorts = ReservedPorts.take(size);
        this.peerPorts = ReservedPorts.take(size);
        this.members = new Members(size);
    }

    EtcdCluster startAll() throws IOException {
        var initialCluster = new StringJoiner(",");
        for (int i = 0; i < members.size(); i++) {
            initialCluster.add(name(i) + "=" + peerUrl(i));
        }
        for (int i = 0; i < members.size(); i++) {
            members.launch(
                    i,
                    List.of(
                            etcd,
                            "--name=" + name(i),
                            "--data-dir=" + dir.resolve(name(i)),
                            "--listen-client-urls=" + clientUrl(i),
                            "--advertise-client-urls=" + clientUrl(i),
                            "--listen-peer-urls=" + peerUrl(i),
                            "--initial-advertise-peer-urls=" + peerUrl(i),
                            "--initial-cluster=" + initialCluster,
                            "--initial-cluster-token=sinkron-bench",
                            "--initial-cluster-state=new"),
                    Map.of(),
                    dir.resolve(name(i) + ".log"));
        }
        return this;
    }

    private static String name(int i) {
        return "etcd-" + (i + 1);
    }

    String clientUrl(int i) {
        return "http://127.0.0.1:" + clientPorts[i];
    }

    private String peerUrl(int i) {
        return "http://127.0.0.1:" + peerPorts[i];
    }

    /**
     * Puts go to the leader only: a follower would forward each proposal to it, an extra hop
     * Sinkron's client avoids by following leader hints. This is etcd's best case.
     */
    @Override
    public String loadEndpoints() {
        if (loadTarget < 0) {
            throw new IllegalStateException("await the leader first");
        }
        return clientUrl(loadTarget);
    }

    @Override
    public long[] pids() {
        return members.pids();
    }

    @Override
    public int awaitLeader(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            int leader = agreedLeader();
            if (leader >= 0) {
                loadTarget = leader;
                return leader;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no agreed etcd leader within " + timeout + "; logs in " + dir);
    }

    /** Asks each member's v3 JSON gateway for its member id and the leader it knows. */
    private int agreedLeader() {
        String agreed = null;
        int leader = -1;
        for (int i = 0; i < members.size(); i++) {
            String status = Http.post(clientUrl(i) + "/v3/maintenance/status", "{}");
            String leaderId = status == null ? null : Http.jsonField(status, "leader");
            if (leaderId == null || leaderId.equals("0") || (agreed != null && !agreed.equals(leaderId))) {
                return -1;
            }
            agreed = leaderId;
            if (leaderId.equals(Http.jsonField(status, "member_id"))) {
                leader = i;
            }
        }
        return leader;
    }

    @Override
    public DiskStats leaderDiskStats(int leader) {
        String metrics = Http.get(clientUrl(leader) + "/metrics");
        return new DiskStats(
                Http.metricSum(metrics, "etcd_disk_wal_fsync_duration_seconds_count"),
                Http.metricSum(metrics, "etcd_disk_wal_fsync_duration_seconds_sum"));
    }

    @Override
    public void close() throws InterruptedException {
        members.killAll();
    }
}
