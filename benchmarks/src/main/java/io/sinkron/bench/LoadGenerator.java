package io.sinkron.bench;

import java.time.Duration;

/**
 * One load-generator process: a {@link ClosedLoop} against Sinkron or etcd. Prints
 * {@code PHASE measure-start}, {@code PHASE measure-end} and finally one {@link LoadResult} line on
 * stdout; diagnostics go to stderr.
 *
 * <pre>
 * java -cp benchmarks.jar io.sinkron.bench.LoadGenerator --target=sinkron|etcd|etcd-jetcd --endpoints=...
 *     [--clients=64] [--warmup-seconds=10] [--measure-seconds=20] [--max-ops=2000000]
 *     [--value-bytes=100] [--keys=10000] [--op-timeout-seconds=10] [--seed=1]
 * </pre>
 *
 * Sinkron endpoints are gRPC {@code host:port} of the consensus nodes (the client finds the
 * leader); etcd endpoints are client URLs ({@code http://host:port}). {@code etcd} drives etcd's
 * {@code KV.Put} through a plain grpc-java stub ({@link EtcdTarget}), {@code etcd-jetcd} through
 * jetcd ({@link JetcdTarget}); both report as target {@code etcd}.
 */
public final class LoadGenerator {

    private LoadGenerator() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        var options = Options.parse(args);
        String targetName = options.required("target");
        String endpoints = options.required("endpoints");
        var settings = new ClosedLoop.Settings(
                options.integer("clients", 64),
                Duration.ofSeconds(options.integer("warmup-seconds", 10)),
                Duration.ofSeconds(options.integer("measure-seconds", 20)),
                options.longValue("max-ops", 2_000_000),
                options.integer("value-bytes", 100),
                options.integer("keys", 10_000),
                Duration.ofSeconds(options.integer("op-timeout-seconds", 10)),
                options.longValue("seed", 1));
        options.rejectUnknown();
        try (KvTarget target = switch (targetName) {
            case "sinkron" -> new SinkronTarget(endpoints);
            case "etcd" -> new EtcdTarget(endpoints);
            case "etcd-jetcd" -> new JetcdTarget(endpoints);
            default -> throw new IllegalArgumentException("unknown --target " + targetName);
        }) {
            String store = targetName.startsWith("etcd") ? "etcd" : targetName;
            LoadResult result = new ClosedLoop(target, settings).run(store, phase -> {
                System.out.println("PHASE " + phase);
                System.out.flush();
            });
            System.err.printf(
                    "%s, %d clients: %.0f puts/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, %d errors%n",
                    targetName,
                    result.clients(),
                    result.throughput(),
                    result.percentileMillis(50),
                    result.percentileMillis(99),
                    result.percentileMillis(99.9),
                    result.errors());
            System.out.println(result.toLine());
            System.out.flush();
        }
        // jetcd and gRPC keep non-daemon threads around after close; the result is out, so leave.
        System.exit(0);
    }
}
