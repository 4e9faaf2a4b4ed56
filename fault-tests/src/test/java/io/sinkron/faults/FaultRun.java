package io.sinkron.faults;

import io.sinkron.testkit.ConsensusCluster;
import io.sinkron.testkit.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One run: three consensus nodes whose peer traffic all passes through a {@link FaultProxy},
 * lock-service, queue-service and two cache-service instances (talking to the nodes directly), the
 * three workloads' clients for {@code duration} while the {@link Nemesis} injects faults, then the
 * cluster healed, the workloads' final phases, and the checks. The history and the nemesis'
 * timeline are written to {@code dir}.
 */
final class FaultRun {

    /**
     * Snapshots are kept out of the runs on purpose: an installed snapshot carries the leader's
     * member addresses, which are proxy ports of the leader's own links; a follower that installed
     * one would then reach its peers through the leader's links, and a partition would no longer cut
     * what it names. A run checks that no node took a snapshot.
     */
    private static final Map<String, String> NODE_SETTINGS = Map.of("SNAPSHOT_ENTRIES", "100000000");

    private static final Duration STARTUP = Duration.ofMinutes(3);

    /**
     * lock-service and the second cache instance give up on the cluster sooner than their defaults
     * (5 s), sooner than some failovers take: more of their commands end with an unknown outcome
     * (503), which is what exercises retries, dedup and the checkers' handling of pending operations.
     */
    private static final String SHORT_DEADLINE = "1500ms";

    /** What a run found. */
    record Result(
            long seed,
            Duration load,
            int operations,
            Map<String, Map<History.Outcome, Long>> outcomes,
            Map<String, Integer> faults,
            Map<String, List<String>> anomalies,
            List<String> summaries,
            Path dir) {

        int anomalyCount() {
            return anomalies.values().stream().mapToInt(List::size).sum();
        }
    }

    private final Path consensusJar;
    private final Path lockJar;
    private final Path queueJar;
    private final Path cacheJar;

    FaultRun(Path consensusJar, Path lockJar, Path queueJar, Path cacheJar) {
        this.consensusJar = consensusJar;
        this.lockJar = lockJar;
        this.queueJar = queueJar;
        this.cacheJar = cacheJar;
    }

    Result run(long seed, Duration duration, List<String> mix, Path dir) throws Exception {
        Files.createDirectories(dir);
        var random = new Random(seed);
        var history = new History();
        SlowDisk disk = mix.contains("slow-disk") ? SlowDisk.prepare(dir) : null;
        Map<String, String> nodeSettings = new LinkedHashMap<>(NODE_SETTINGS);
        if (disk != null) {
            nodeSettings.putAll(disk.env());
        }
        try (var proxy = new FaultProxy();
                var cluster = ConsensusCluster.start(consensusJar, dir, 3, nodeSettings, proxy::link);
                var lock = ServiceProcess.start(
                        lockJar,
                        dir,
                        "lock-service",
                        cluster.clientAddresses(),
                        Map.of("CONSENSUS_DEADLINE", SHORT_DEADLINE));
                var queue = ServiceProcess.start(queueJar, dir, "queue-service", cluster.clientAddresses());
                var cache1 = ServiceProcess.start(
                        cacheJar,
                        dir,
                        "cache-service-1",
                        cluster.clientAddresses(),
                        Map.of("CACHE_INSTANCE_ID", "cache-1"));
                var cache2 = ServiceProcess.start(
                        cacheJar,
                        dir,
                        "cache-service-2",
                        cluster.clientAddresses(),
                        Map.of("CACHE_INSTANCE_ID", "cache-2"))) {
            cluster.awaitLeader(STARTUP);
            for (ServiceProcess s : List.of(lock, queue, cache1, cache2)) {
                s.awaitReady(STARTUP);
            }
            List<Workload> workloads = List.of(
                    new LockWorkload(lock, history, "fault-lock"),
                    new QueueWorkload(queue, history, "fault-queue", random.nextLong()),
                    new CacheWorkload(List.of(cache1, cache2), history, "fault-key", random.nextLong()));
            for (Workload w : workloads) {
                w.setUp();
            }

            var nemesis = new Nemesis(cluster, proxy, disk, new Random(random.nextLong()), mix);
            var stop = new AtomicBoolean();
            long loadStart = System.nanoTime();
            long deadline = loadStart + duration.toNanos();
            ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
            boolean stuck = false;
            try {
                for (Workload w : workloads) {
                    for (int c = 0; c < w.clients(); c++) {
                        int client = c;
                        clients.submit(() -> w.runClient(client, deadline, stop::get));
                    }
                }
                nemesis.run(deadline, stop::get);
            } finally {
                stop.set(true);
                clients.shutdown();
                // Every client call is bounded by its HTTP timeout (45 s at most) and a release's retries.
                if (!clients.awaitTermination(10, TimeUnit.MINUTES)) {
                    stuck = true;
                    clients.shutdownNow();
                }
                nemesis.healAll();
            }
            Duration load = Duration.ofNanos(System.nanoTime() - loadStart);
            nemesis.awaitAllAnswering(STARTUP);
            cluster.awaitLeader(STARTUP);

            Map<String, List<String>> anomalies = new LinkedHashMap<>();
            List<String> summaries = new ArrayList<>();
            for (Workload w : workloads) {
                w.finish();
            }
            for (Workload w : workloads) {
                anomalies.put(w.name(), w.check());
                summaries.add(w.name() + ": " + w.summary());
            }
            if (!nemesis.problems().isEmpty()) {
                anomalies.computeIfAbsent("harness", k -> new ArrayList<>()).addAll(nemesis.problems());
            }
            if (stuck) {
                anomalies
                        .computeIfAbsent("harness", k -> new ArrayList<>())
                        .add("clients still waiting for answers 10 minutes after the load stopped");
            }
            // The harness' own precondition: no snapshot moved proxy addresses between the nodes.
            List<Long> snapshots = cluster.snapshotIndexes();
            if (snapshots.stream().anyMatch(i -> i != 0)) {
                anomalies
                        .computeIfAbsent("harness", k -> new ArrayList<>())
                        .add("a node took a snapshot (" + snapshots
                                + "), so partitions may not have cut what they named");
            }
            history.write(dir.resolve("history.jsonl"));
            Files.write(dir.resolve("nemesis.txt"), nemesis.timeline());
            var result = new Result(
                    seed, load, history.size(), history.counts(), nemesis.injected(), anomalies, summaries, dir);
            Files.writeString(dir.resolve("result.txt"), describe(result));
            return result;
        }
    }

    static String describe(Result r) {
        var text = new StringBuilder();
        text.append(String.format(
                "seed %d: load %d s, %d operations %s, faults %s, anomalies %d%n",
                r.seed(), r.load().toSeconds(), r.operations(), r.outcomes(), r.faults(), r.anomalyCount()));
        r.summaries().forEach(s -> text.append("  ").append(s).append('\n'));
        r.anomalies()
                .forEach((w, list) -> list.stream()
                        .limit(20)
                        .forEach(a -> text.append("  ANOMALY ")
                                .append(w)
                                .append(": ")
                                .append(a)
                                .append('\n')));
        text.append("  history, nemesis timeline and logs in ").append(r.dir()).append('\n');
        return text.toString();
    }
}
