package io.sinkron.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The fault-injection suite: {@code sinkron.faults.runs} runs of {@code sinkron.faults.duration}
 * each (ISO-8601, e.g. {@code PT100S}), with the faults of {@code sinkron.faults.mix} (a comma list
 * of {@code kill}, {@code pause}, {@code partition}, {@code slow-disk}). Run {@code i} uses seed {@code seed + i}; a
 * blank {@code sinkron.faults.seed} draws one, and every seed is printed, so a run is repeated with
 * {@code -Dsinkron.faults.seed=<seed> -Dsinkron.faults.runs=1}. Histories, nemesis timelines and
 * logs stay in {@code sinkron.faults.report} ({@code target/fault-runs}).
 *
 * <p>Seeds fix the workloads' and the nemesis' choices, not the interleaving of real processes:
 * a seed that found an anomaly makes the same kinds of fault at the same moments, which is how
 * Jepsen's runs are repeated too.
 */
class FaultInjectionIT {

    private static final Path CONSENSUS_JAR = Path.of(System.getProperty("sinkron.consensusJar"));
    private static final Path LOCK_JAR = Path.of(System.getProperty("sinkron.lockServiceJar"));
    private static final Path QUEUE_JAR = Path.of(System.getProperty("sinkron.queueServiceJar"));
    private static final Path CACHE_JAR = Path.of(System.getProperty("sinkron.cacheServiceJar"));

    @Test
    void when_nodes_crash_pause_and_partition_then_every_history_checks() throws Exception {
        int runs = Integer.parseInt(System.getProperty("sinkron.faults.runs", "1"));
        Duration duration = Duration.parse(System.getProperty("sinkron.faults.duration", "PT100S"));
        List<String> mix = Arrays.stream(System.getProperty("sinkron.faults.mix", "kill,pause,partition,slow-disk")
                        .split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        assertThat(mix).as("sinkron.faults.mix").isNotEmpty().allMatch(Nemesis.KINDS::contains);
        String seedProperty = System.getProperty("sinkron.faults.seed", "").trim();
        long seed = seedProperty.isEmpty() ? new SecureRandom().nextLong() : Long.parseLong(seedProperty);
        Path report = Path.of(System.getProperty("sinkron.faults.report", "target/fault-runs"));
        Files.createDirectories(report);

        var run = new FaultRun(CONSENSUS_JAR, LOCK_JAR, QUEUE_JAR, CACHE_JAR);
        var results = new ArrayList<FaultRun.Result>();
        for (int i = 0; i < runs; i++) {
            long runSeed = seed + i;
            System.out.printf("fault run %d of %d: seed %d, %s, faults %s%n", i + 1, runs, runSeed, duration, mix);
            Path dir = Files.createTempDirectory(report, "run-" + runSeed + "-");
            FaultRun.Result result = run.run(runSeed, duration, mix, dir);
            System.out.print(FaultRun.describe(result));
            results.add(result);
            if (result.anomalyCount() > 0) {
                break;
            }
        }

        Map<String, Integer> faults = new TreeMap<>();
        results.forEach(r -> r.faults().forEach((k, v) -> faults.merge(k, v, Integer::sum)));
        int operations = results.stream().mapToInt(FaultRun.Result::operations).sum();
        int anomalies = results.stream().mapToInt(FaultRun.Result::anomalyCount).sum();
        String total = String.format(
                "fault-injection total: %d runs (first seed %d, %s each, mix %s), %d operations, faults %s, anomalies %d%n",
                results.size(), seed, duration, mix, operations, faults, anomalies);
        System.out.print(total);
        Files.writeString(
                report.resolve("summary.txt"),
                total + results.stream().map(FaultRun::describe).reduce("", String::concat));

        assertThat(anomalies)
                .as(
                        "anomalies (seed %d; see %s):%n%s",
                        seed, report, results.stream().map(FaultRun::describe).reduce("", String::concat))
                .isZero();
        assertThat(faults.values().stream().mapToInt(Integer::intValue).sum())
                .as("faults injected")
                .isPositive();
        assertThat(operations).as("operations recorded").isPositive();
    }
}
