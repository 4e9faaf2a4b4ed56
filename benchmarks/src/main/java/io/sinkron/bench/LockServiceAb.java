package io.sinkron.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An A/B comparison of lock-service builds on one busy machine: one 3-node Sinkron cluster is
 * started once, then each {@code lock-service.jar} in turn, round after round (A, B, A, B, ...),
 * so that neither build profits alone from a quieter moment. Each start is warmed up, its idle
 * CPU measured, and then the {@code locks} workload of {@link ServicesRun} (uncontended exclusive
 * acquire with {@code timeout} 0, then release, every client its own lock) is driven at each
 * level (with {@code --contended=true} the hand-off workload instead: every client on one lock,
 * waiting for it), printing cycles/s, latency, and CPU per cycle of the nodes, the service and the
 * generator, the log entries the leader committed per cycle (how many requests share an entry),
 * with the load average at the end of the window.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.sinkron.bench.LockServiceAb
 *     --node-jar=consensus-node/target/consensus-node.jar
 *     --service-jars=/tmp/a/lock-service.jar,/tmp/b/lock-service.jar[@NAME=VALUE+NAME=VALUE]
 *     [--out=benchmarks/target/lock-service-ab] [--levels=16,64] [--rounds=2]
 *     [--warmup-seconds=15] [--measure-seconds=10] [--contended=false]
 * </pre>
 */
public final class LockServiceAb {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(8);
    private static final Duration IDLE = Duration.ofSeconds(10);

    private LockServiceAb() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        var options = Options.parse(args);
        Path nodeJar = Path.of(options.string("node-jar", "consensus-node/target/consensus-node.jar"));
        List<ServiceJar> serviceJars = ServiceJar.list(options.string("service-jars", ""));
        Path out = Path.of(options.string("out", "benchmarks/target/lock-service-ab"));
        List<Integer> levels = Arrays.stream(options.string("levels", "16,64").split(","))
                .map(Integer::parseInt)
                .toList();
        int rounds = options.integer("rounds", 2);
        boolean contended = Boolean.parseBoolean(options.string("contended", "false"));
        Duration warmup = Duration.ofSeconds(options.integer("warmup-seconds", 15));
        Duration measure = Duration.ofSeconds(options.integer("measure-seconds", 10));
        options.rejectUnknown();
        if (serviceJars.isEmpty()) {
            throw new IllegalArgumentException("--service-jars names no lock-service.jar");
        }
        String tag = Long.toString(System.currentTimeMillis(), 36);
        int run = 0;
        try (var cluster = new SinkronCluster(out.resolve("nodes"), nodeJar, 3, List.of("-Xmx1g")).startAll()) {
            int leader = cluster.awaitLeader(START_TIMEOUT);
            for (int round = 0; round < rounds; round++) {
                for (int j = 0; j < serviceJars.size(); j++) {
                    Path dir = out.resolve("services-" + round + "-" + j);
                    try (var fleet = new ServiceFleet(dir, List.of("-Xmx512m"))) {
                        String lock = fleet.startJar(
                                        "lock-service",
                                        serviceJars.get(j).jar(),
                                        cluster.loadEndpoints(),
                                        serviceJars.get(j).environment())
                                .endpoint();
                        fleet.awaitReady(START_TIMEOUT);
                        var warm = new HttpLoad.Settings(
                                levels.getLast(),
                                Duration.ZERO,
                                Duration.ZERO,
                                5_000_000,
                                Duration.ofSeconds(35),
                                0,
                                1);
                        System.out.println(WarmUp.run(
                                HttpLoad.http(List.of(lock), ServiceWorkloads.lockCycle(tag + "w" + run, contended)),
                                warm,
                                warmup,
                                Duration.ofSeconds(120)));
                        double nodesBefore = ProcessCpu.seconds(cluster.pids());
                        double serviceBefore = ProcessCpu.seconds(fleet.pids());
                        Thread.sleep(IDLE.toMillis());
                        System.out.printf(
                                Locale.ROOT,
                                "jar=%d round=%d idle: nodes %.3f, service %.3f CPU-s per s%n",
                                j,
                                round,
                                (ProcessCpu.seconds(cluster.pids()) - nodesBefore) / IDLE.toSeconds(),
                                (ProcessCpu.seconds(fleet.pids()) - serviceBefore) / IDLE.toSeconds());
                        for (int clients : levels) {
                            var settings = new HttpLoad.Settings(
                                    clients,
                                    Duration.ofSeconds(3),
                                    measure,
                                    5_000_000,
                                    Duration.ofSeconds(35),
                                    0,
                                    clients);
                            var cpu = new CpuWindow(cluster.pids(), fleet.pids());
                            var commits = new CommitWindow(cluster, leader);
                            HttpLoad.Result r = new HttpLoad(
                                            List.of(lock), ServiceWorkloads.lockCycle(tag + run++, contended), settings)
                                    .run(phase -> {
                                        cpu.onPhase(phase);
                                        commits.onPhase(phase);
                                    });
                            double[] used = cpu.seconds();
                            double ops = Math.max(1, r.ops());
                            System.out.printf(
                                    Locale.ROOT,
                                    "jar=%d round=%d clients=%d cycles/s=%.0f p50=%.2fms p99=%.2fms errors=%d"
                                            + " nodes=%.0fus service=%.0fus generator=%.0fus log-entries=%.3f per cycle,"
                                            + " load %s%n",
                                    j,
                                    round,
                                    clients,
                                    r.throughput(),
                                    r.millis(50),
                                    r.millis(99),
                                    r.errors(),
                                    used[0] * 1e6 / ops,
                                    used[1] * 1e6 / ops,
                                    used[2] * 1e6 / ops,
                                    commits.perOp(r.ops()),
                                    Files.readString(Path.of("/proc/loadavg")).trim());
                        }
                    }
                }
            }
        }
    }
}
