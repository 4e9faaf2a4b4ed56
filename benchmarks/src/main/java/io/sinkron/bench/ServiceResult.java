package io.sinkron.bench;

/**
 * One measured row of the services benchmark.
 *
 * @param group the comparison it belongs to, one table and one plot each
 * @param workload what the clients did
 * @param target who answered: {@code sinkron}, {@code etcd}, {@code spring-mvc}, {@code redis}
 * @param offered the open loop's fixed rate, 0 for a closed loop
 * @param storeCpuMicrosPerOp CPU time of the consensus nodes, etcd members or Redis server per
 *     operation
 * @param frontCpuMicrosPerOp CPU time of the REST front ends (Sinkron's services, the trivial
 *     endpoint) per operation; NaN for etcd, whose gateway runs inside the members, and Redis
 * @param generatorCpuMicrosPerOp CPU time of the load generator per operation
 */
record ServiceResult(
        String group,
        String workload,
        String target,
        String driver,
        int clients,
        double offered,
        double throughput,
        double p50Millis,
        double p99Millis,
        double p999Millis,
        long errors,
        String firstError,
        double storeCpuMicrosPerOp,
        double frontCpuMicrosPerOp,
        double generatorCpuMicrosPerOp) {

    static ServiceResult of(
            String group,
            String workload,
            String target,
            int clients,
            double offered,
            HttpLoad.Result r,
            double[] cpuSeconds) {
        return new ServiceResult(
                group,
                workload,
                target,
                "JVM harness",
                clients,
                offered,
                r.throughput(),
                r.millis(50),
                r.millis(99),
                r.millis(99.9),
                r.errors(),
                r.firstError(),
                cpuSeconds[0] * 1e6 / Math.max(1, r.ops()),
                cpuSeconds[1] * 1e6 / Math.max(1, r.ops()),
                cpuSeconds[2] * 1e6 / Math.max(1, r.ops()));
    }

    String mode() {
        return offered > 0 ? "open " + Math.round(offered) + "/s" : "closed";
    }
}
