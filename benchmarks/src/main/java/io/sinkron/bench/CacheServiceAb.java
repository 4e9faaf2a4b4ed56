package io.sinkron.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An A/B comparison of cache-service builds on one busy machine, beside the trivial Spring MVC
 * endpoint: one 3-node Sinkron cluster is started once, then, round after round, each {@code
 * cache-service.jar} in turn and {@link ConstantJsonApp} (A, B, trivial, A, B, trivial, ...), so
 * that no build profits alone from a quieter moment. Each cache-service instance gets the hot keys
 * of {@code services.sh} written, then is driven with the near-cache hit GET and the 100-byte PUT
 * workloads of {@link ServicesRun}, the trivial app with its constant; each run prints the rate,
 * latency and the CPU per operation of the nodes, the service and the generator, with the load
 * average at the end of the window.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.sinkron.bench.CacheServiceAb
 *     --node-jar=consensus-node/target/consensus-node.jar
 *     --service-jars=/tmp/a/cache-service.jar,/tmp/b/cache-service.jar[@NAME=VALUE+NAME=VALUE]
 *     [--out=benchmarks/target/cache-service-ab] [--clients=64] [--rounds=2] [--trivial=true]
 *     [--workloads=get,put] [--warmup-seconds=10] [--measure-seconds=10] [--jfr=DIRECTORY]
 * </pre>
 *
 * With {@code --jfr}, each measured window is recorded with JFR's {@code profile} settings on the
 * service and on each node ({@code jcmd JFR.start}, then {@code JFR.stop}) into {@code
 * DIRECTORY/<jar>-<round>-<workload>-<service|node1|node2|node3>.jfr}.
 */
public final class CacheServiceAb {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(6);
    private static final int HOT_KEYS = 1000;
    private static final int PUT_KEYS = 10_000;

    private CacheServiceAb() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        var options = Options.parse(args);
        Path nodeJar = Path.of(options.string("node-jar", "consensus-node/target/consensus-node.jar"));
        List<ServiceJar> serviceJars = ServiceJar.list(options.string("service-jars", ""));
        Path out = Path.of(options.string("out", "benchmarks/target/cache-service-ab"));
        int clients = options.integer("clients", 64);
        int rounds = options.integer("rounds", 2);
        boolean trivial = Boolean.parseBoolean(options.string("trivial", "true"));
        List<String> workloads =
                Arrays.asList(options.string("workloads", "get,put").split(","));
        Duration warmup = Duration.ofSeconds(options.integer("warmup-seconds", 10));
        Duration measure = Duration.ofSeconds(options.integer("measure-seconds", 10));
        String jfr = options.string("jfr", "");
        options.rejectUnknown();
        if (serviceJars.isEmpty()) {
            throw new IllegalArgumentException("--service-jars names no cache-service.jar");
        }
        Path recordings = jfr.isEmpty() ? null : Files.createDirectories(Path.of(jfr));
        String tag = Long.toString(System.currentTimeMillis(), 36);
        try (var cluster = new SinkronCluster(out.resolve("nodes"), nodeJar, 3, List.of("-Xmx1g")).startAll()) {
            int leader = cluster.awaitLeader(START_TIMEOUT);
            for (int round = 0; round < rounds; round++) {
                for (int j = 0; j < serviceJars.size(); j++) {
                    Path dir = out.resolve("services-" + round + "-" + j);
                    try (var fleet = new ServiceFleet(dir, List.of("-Xmx512m"))) {
                        String cache = fleet.startJar(
                                        "cache-a",
                                        serviceJars.get(j).jar(),
                                        cluster.loadEndpoints(),
                                        serviceJars.get(j).environment(Map.of("CACHE_INSTANCE_ID", "cache-a")))
                                .endpoint();
                        fleet.awaitReady(START_TIMEOUT);
                        String hot = "hot-" + tag + "-" + round + "-" + j + "-";
                        fill(cache, hot);
                        String label = "jar=" + j + " round=" + round;
                        for (String workload : workloads) {
                            HttpWorkload w = switch (workload) {
                                case "get" -> ServiceWorkloads.cacheGet(hot, HOT_KEYS);
                                case "put" -> ServiceWorkloads.cachePut("put-" + tag + "-" + round + "-", PUT_KEYS);
                                default -> throw new IllegalArgumentException("unknown workload " + workload);
                            };
                            String recording = recordings == null
                                    ? null
                                    : recordings
                                            .resolve(j + "-" + round + "-" + workload)
                                            .toString();
                            run(
                                    label,
                                    workload,
                                    List.of(cache),
                                    w,
                                    cluster,
                                    leader,
                                    fleet.pids(),
                                    clients,
                                    warmup,
                                    measure,
                                    recording);
                        }
                    }
                }
                if (trivial) {
                    try (var fleet = new ServiceFleet(out.resolve("trivial-" + round), List.of("-Xmx512m"))) {
                        String endpoint = fleet.startConstantApp().endpoint();
                        fleet.awaitReady(START_TIMEOUT);
                        run(
                                "trivial round=" + round,
                                "constant",
                                List.of(endpoint),
                                ServiceWorkloads.constant(),
                                null,
                                -1,
                                fleet.pids(),
                                clients,
                                warmup,
                                measure,
                                null);
                    }
                }
            }
        }
    }

    private static void run(
            String label,
            String workload,
            List<String> endpoints,
            HttpWorkload w,
            SinkronCluster cluster,
            int leader,
            long[] front,
            int clients,
            Duration warmup,
            Duration measure,
            String recording)
            throws Exception {
        var warm =
                new HttpLoad.Settings(clients, Duration.ofSeconds(1), warmup, 5_000_000, Duration.ofSeconds(35), 0, 1);
        new HttpLoad(endpoints, w, warm).run(phase -> {});
        var settings = new HttpLoad.Settings(
                clients, Duration.ofSeconds(3), measure, 5_000_000, Duration.ofSeconds(35), 0, clients);
        long[] store = cluster == null ? new long[0] : cluster.pids();
        var commits = new CommitWindow(cluster, leader);
        var cpu = new CpuWindow(store, front);
        ClosedLoop.PhaseListener phases = phase -> {
            cpu.onPhase(phase);
            commits.onPhase(phase);
            if (recording == null) {
                return;
            }
            var roles = new LinkedHashMap<String, Long>();
            for (long pid : front) {
                roles.put("service", pid);
            }
            for (int n = 0; n < store.length; n++) {
                roles.put("node" + (n + 1), store[n]);
            }
            roles.forEach((role, pid) -> {
                if (phase.equals("measure-start")) {
                    Jcmd.run(pid, "JFR.start", "name=window", "settings=profile");
                } else if (phase.equals("measure-end")) {
                    Jcmd.run(pid, "JFR.stop", "name=window", "filename=" + recording + "-" + role + ".jfr");
                }
            });
        };
        HttpLoad.Result r = new HttpLoad(endpoints, w, settings).run(phases);
        double[] used = cpu.seconds();
        double ops = Math.max(1, r.ops());
        System.out.printf(
                Locale.ROOT,
                "%s %s clients=%d ops/s=%.0f p50=%.2fms p99=%.2fms errors=%d"
                        + " nodes=%.0fus service=%.0fus generator=%.0fus log-entries=%.3f per op, load %s%n",
                label,
                workload,
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

    /** Writes the hot keys with the 100-character value of {@code services.sh}, one by one. */
    private static void fill(String endpoint, String prefix) throws Exception {
        String[] hostPort = endpoint.split(":");
        try (var connection = new HttpConnection(hostPort[0], Integer.parseInt(hostPort[1]), 35_000)) {
            for (int k = 0; k < HOT_KEYS; k++) {
                byte[] request = RequestTemplate.put("/cache/{key}", "{\"value\":\"" + "v".repeat(100) + "\"}")
                        .render(endpoint, "key", prefix + k);
                int status = connection.exchange(request);
                if (status != 200) {
                    throw new IllegalStateException("PUT " + prefix + k + " answered " + status);
                }
            }
        }
    }
}
