package io.sinkron.bench;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Samples server CPU, generator CPU and the leader's fsync counters when the (first) generator
 * enters and leaves its measured phase, so those numbers cover the same seconds as the latencies.
 */
final class MeasuredWindow {

    private final Cluster cluster;
    private final int leader;
    private final List<Long> generatorPids = new CopyOnWriteArrayList<>();
    private boolean started;
    private boolean ended;
    private double serverCpu;
    private double generatorCpu;
    private Cluster.DiskStats disk;

    MeasuredWindow(Cluster cluster, int leader) {
        this.cluster = cluster;
        this.leader = leader;
    }

    void addGenerator(long pid) {
        generatorPids.add(pid);
    }

    synchronized void onPhase(String phase) {
        if (phase.equals("measure-start") && !started) {
            started = true;
            serverCpu = -ProcessCpu.seconds(cluster.pids());
            generatorCpu = -generatorCpuNow();
            disk = cluster.leaderDiskStats(leader);
        } else if (phase.equals("measure-end") && started && !ended) {
            ended = true;
            serverCpu += ProcessCpu.seconds(cluster.pids());
            generatorCpu += generatorCpuNow();
            disk = cluster.leaderDiskStats(leader).minus(disk);
        }
    }

    private double generatorCpuNow() {
        return ProcessCpu.seconds(
                generatorPids.stream().mapToLong(Long::longValue).toArray());
    }

    synchronized double serverCpuSeconds() {
        requireEnded();
        return serverCpu;
    }

    synchronized double generatorCpuSeconds() {
        requireEnded();
        return generatorCpu;
    }

    synchronized Cluster.DiskStats leaderDisk() {
        requireEnded();
        return disk;
    }

    private void requireEnded() {
        if (!ended) {
            throw new IllegalStateException("the generator never finished its measured phase");
        }
    }
}
