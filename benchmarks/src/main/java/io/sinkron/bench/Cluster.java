package io.sinkron.bench;

import java.time.Duration;

/** Three members of a replicated store, launched as processes on 127.0.0.1 with fresh data. */
interface Cluster extends AutoCloseable {

    /** Fsyncs of the leader's log so far, and the seconds they took in total. */
    record DiskStats(double fsyncs, double seconds) {
        DiskStats minus(DiskStats earlier) {
            return new DiskStats(fsyncs - earlier.fsyncs, seconds - earlier.seconds);
        }
    }

    /** What the load generator is pointed at. */
    String loadEndpoints();

    /** The members' process ids, for CPU accounting. */
    long[] pids();

    /** The index of the member all live members agree leads. */
    int awaitLeader(Duration timeout) throws InterruptedException;

    DiskStats leaderDiskStats(int leader);

    @Override
    void close() throws InterruptedException;
}
