package io.sinkron.bench;

/**
 * One row of the results: a load level against one target, with the CPU the servers and the
 * generators burnt during the measured window and the leader's fsyncs in it.
 *
 * @param driver what generated the load: the JVM harness in one or more processes, or a native
 *     tool
 * @param generatorProcesses how many generator processes shared {@code clients}
 */
record Measurement(
        String target,
        String driver,
        int generatorProcesses,
        int clients,
        long ops,
        long errors,
        double throughput,
        double p50Millis,
        double p99Millis,
        double p999Millis,
        double serverCpuSeconds,
        double generatorCpuSeconds,
        Cluster.DiskStats leaderDisk) {

    static Measurement of(
            String driver,
            int generatorProcesses,
            LoadResult result,
            double serverCpuSeconds,
            double generatorCpuSeconds,
            Cluster.DiskStats leaderDisk) {
        return new Measurement(
                result.target(),
                driver,
                generatorProcesses,
                result.clients(),
                result.ops(),
                result.errors(),
                result.throughput(),
                result.percentileMillis(50),
                result.percentileMillis(99),
                result.percentileMillis(99.9),
                serverCpuSeconds,
                generatorCpuSeconds,
                leaderDisk);
    }

    /** CPU microseconds the three members spent per acknowledged put. */
    double serverCpuMicrosPerOp() {
        return serverCpuSeconds / ops * 1e6;
    }

    double generatorCpuMicrosPerOp() {
        return generatorCpuSeconds / ops * 1e6;
    }

    double opsPerLeaderFsync() {
        return ops / leaderDisk.fsyncs();
    }

    double leaderFsyncMillis() {
        return leaderDisk.seconds() / leaderDisk.fsyncs() * 1e3;
    }
}
