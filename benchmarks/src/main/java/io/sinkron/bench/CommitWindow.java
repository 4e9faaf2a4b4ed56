package io.sinkron.bench;

/**
 * The log entries a Sinkron leader committed during a measured phase, read from its status at the
 * load's {@code measure-start} and {@code measure-end} phases: divided by the requests completed,
 * how many requests shared a log entry. Without a cluster (a trivial app) it counts nothing.
 */
final class CommitWindow implements ClosedLoop.PhaseListener {

    private final SinkronCluster cluster;
    private final int leader;
    private long start;
    private long entries;

    /** @param cluster the cluster, or {@code null} for none; @param leader its leader's member index */
    CommitWindow(SinkronCluster cluster, int leader) {
        this.cluster = cluster;
        this.leader = leader;
    }

    @Override
    public void onPhase(String phase) {
        if (cluster == null) {
            return;
        }
        if (phase.equals("measure-start")) {
            start = cluster.commitIndex(leader);
        } else if (phase.equals("measure-end")) {
            entries = cluster.commitIndex(leader) - start;
        }
    }

    /** Log entries committed per operation of the measured phase. */
    double perOp(long ops) {
        return (double) entries / Math.max(1, ops);
    }
}
