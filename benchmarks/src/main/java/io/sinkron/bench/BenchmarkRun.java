package io.sinkron.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The whole benchmark of issue 2 §7 in one process: a fresh 3-node Sinkron cluster and a fresh
 * 3-member etcd cluster on 127.0.0.1, one after the other, each driven by the same closed-loop
 * load generator at each concurrency level; the load-generator calibration; Sinkron leader
 * failover. Writes {@code results.md} to the output directory and prints it.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar [--jar=consensus-node/target/consensus-node.jar]
 *     [--etcd=/usr/bin/etcd] [--etcd-native=PATH] [--out=benchmarks/target/results]
 *     [--levels=1,16,64] [--warmup-seconds=10] [--measure-seconds=20] [--max-ops=2000000]
 *     [--failover-rounds=5] [--calibration-clients=64] [--sinkron-jvm-args="-Xmx512m"]
 *     [--revision=TEXT]
 * </pre>
 *
 * {@code --etcd-native} is the Go load tool built from {@code benchmarks/src/main/go/etcd-put};
 * without it the calibration against a native client is skipped.
 */
public final class BenchmarkRun {

    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(90);

    private final Settings settings;
    private final Report report;

    private record Settings(
            Path jar,
            String etcd,
            String etcdNative,
            Path out,
            List<Integer> levels,
            int warmupSeconds,
            int measureSeconds,
            long maxOps,
            int failoverRounds,
            int calibrationClients,
            List<String> sinkronJvmArgs) {

        List<String> generatorArgs(String target, String endpoints, int clients, int seed) {
            return List.of(
                    "--target=" + target,
                    "--endpoints=" + endpoints,
                    "--clients=" + clients,
                    "--warmup-seconds=" + warmupSeconds,
                    "--measure-seconds=" + measureSeconds,
                    "--max-ops=" + maxOps,
                    "--value-bytes=100",
                    "--keys=10000",
                    "--seed=" + seed);
        }

        Duration generatorTimeout() {
            return Duration.ofSeconds(warmupSeconds + measureSeconds + 120L);
        }
    }

    private BenchmarkRun(Settings settings, Report report) {
        this.settings = settings;
        this.report = report;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        var options = Options.parse(args);
        var settings = new Settings(
                Path.of(options.string("jar", "consensus-node/target/consensus-node.jar")),
                options.string("etcd", "/usr/bin/etcd"),
                options.string("etcd-native", ""),
                Path.of(options.string("out", "benchmarks/target/results")),
                Arrays.stream(options.string("levels", "1,16,64").split(","))
                        .map(Integer::parseInt)
                        .toList(),
                options.integer("warmup-seconds", 10),
                options.integer("measure-seconds", 20),
                options.longValue("max-ops", 2_000_000),
                options.integer("failover-rounds", 5),
                options.integer("calibration-clients", 64),
                List.of(options.string("sinkron-jvm-args", "-Xmx512m").trim().split("\\s+")));
        String revision = options.string("revision", "unknown");
        options.rejectUnknown();
        if (!Files.isRegularFile(settings.jar())) {
            throw new IllegalArgumentException(
                    settings.jar() + " not found; build it with ./mvnw -B package -DskipTests");
        }
        if (!Files.isExecutable(Path.of(settings.etcd()))) {
            throw new IllegalArgumentException(
                    settings.etcd() + " not found; install Debian's etcd-server (apt-get install -y etcd-server)");
        }
        Files.createDirectories(settings.out());
        var report =
                new Report(revision, settings.warmupSeconds(), settings.measureSeconds(), settings.sinkronJvmArgs());
        report.machine(settings.out(), settings.etcd());
        new BenchmarkRun(settings, report).run();
        report.finish();
        Path results = settings.out().resolve("results.md");
        Files.writeString(results, report.markdown());
        System.out.println(report.markdown());
        System.out.println("written to " + results.toAbsolutePath());
    }

    private void run() throws Exception {
        progress("gRPC round-trip floor (JMH, stub server)");
        report.roundTrip(roundTripFloor());
        progress("Sinkron: starting 3 nodes from " + settings.jar());
        try (var sinkron = new SinkronCluster(
                        freshDirectory(settings.out().resolve("sinkron")), settings.jar(), 3, settings.sinkronJvmArgs())
                .startAll()) {
            int leader = sinkron.awaitLeader(LEADER_TIMEOUT);
            warmUp(sinkron, leader, "sinkron");
            for (int clients : settings.levels()) {
                report.load(measure(sinkron, leader, "sinkron", clients, 1));
            }
            report.calibration(measure(sinkron, leader, "sinkron", settings.calibrationClients(), 2));
            progress("Sinkron: leader failover, " + settings.failoverRounds() + " rounds");
            report.failover(new FailoverProbe(sinkron).run(settings.failoverRounds()));
        }
        progress("etcd: starting 3 members");
        try (var etcd =
                new EtcdCluster(freshDirectory(settings.out().resolve("etcd")), settings.etcd(), 3).startAll()) {
            int leader = etcd.awaitLeader(LEADER_TIMEOUT);
            warmUp(etcd, leader, "etcd");
            for (int clients : settings.levels()) {
                report.load(measure(etcd, leader, "etcd", clients, 1));
            }
            report.calibration(measure(etcd, leader, "etcd", settings.calibrationClients(), 2));
            if (!settings.etcdNative().isEmpty()) {
                report.calibration(measureNative(etcd, leader, settings.calibrationClients()));
            }
            report.calibration(
                    measure(etcd, leader, "etcd-jetcd", "JVM harness, jetcd", settings.calibrationClients(), 1));
        }
    }

    /**
     * Loads a fresh cluster at the highest level before anything is measured, so that the JIT has
     * compiled the Sinkron nodes' hot paths before the light 1-client level (whose own warmup
     * carries too few puts for that) and both stores have grown past their empty state.
     */
    private void warmUp(Cluster cluster, int leader, String target) throws IOException, InterruptedException {
        progress(target + ": warming the servers up");
        int clients = settings.levels().stream().max(Integer::compare).orElseThrow();
        measure(cluster, leader, target, clients, 1);
    }

    /** {@code clients} closed-loop clients split over {@code processes} JVM generator processes. */
    private Measurement measure(Cluster cluster, int leader, String target, int clients, int processes)
            throws IOException, InterruptedException {
        return measure(
                cluster,
                leader,
                target,
                processes == 1 ? "JVM harness" : "JVM harness x" + processes,
                clients,
                processes);
    }

    /**
     * @param target the generator's {@code --target}: {@code sinkron}, {@code etcd} (grpc-java
     *     stub) or {@code etcd-jetcd}
     * @param driver how the calibration table names this generator
     */
    private Measurement measure(Cluster cluster, int leader, String target, String driver, int clients, int processes)
            throws IOException, InterruptedException {
        progress(target + ": " + clients + " clients in " + processes + " generator process(es)");
        var window = new MeasuredWindow(cluster, leader);
        List<GeneratorProcess> generators = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            var command = GeneratorProcess.javaCommand(
                    settings.generatorArgs(target, cluster.loadEndpoints(), clients / processes, p + 1));
            var generator = new GeneratorProcess(
                    command,
                    settings.out().resolve("generator-" + target + "-" + clients + "-" + processes + "-" + p + ".log"),
                    settings.generatorTimeout(),
                    window::onPhase);
            window.addGenerator(generator.pid());
            generators.add(generator);
        }
        List<LoadResult> results = new ArrayList<>();
        for (var generator : generators) {
            results.add(LoadResult.parse(generator.finish(LoadResult.PREFIX)));
        }
        LoadResult result = processes == 1 ? results.getFirst() : LoadResult.concurrent(results);
        return Measurement.of(
                driver,
                processes,
                result,
                window.serverCpuSeconds(),
                window.generatorCpuSeconds(),
                window.leaderDisk());
    }

    private Measurement measureNative(EtcdCluster etcd, int leader, int clients)
            throws IOException, InterruptedException {
        progress("etcd: " + clients + " clients from the native Go client");
        var window = new MeasuredWindow(etcd, leader);
        var generator = new GeneratorProcess(
                List.of(
                        settings.etcdNative(),
                        "-endpoints=" + etcd.loadEndpoints(),
                        "-clients=" + clients,
                        "-warmup=" + settings.warmupSeconds() + "s",
                        "-measure=" + settings.measureSeconds() + "s",
                        "-max-ops=" + settings.maxOps(),
                        "-value-bytes=100",
                        "-keys=10000"),
                settings.out().resolve("generator-etcd-native-" + clients + ".log"),
                settings.generatorTimeout(),
                window::onPhase);
        window.addGenerator(generator.pid());
        NativeResult result = NativeResult.parse(generator.finish(NativeResult.PREFIX));
        return result.toMeasurement(window.serverCpuSeconds(), window.generatorCpuSeconds(), window.leaderDisk());
    }

    /** Median and p99 of {@link ClientRoundTripBenchmark}, in microseconds. */
    private static double[] roundTripFloor() throws RunnerException {
        var options = new OptionsBuilder()
                .include(ClientRoundTripBenchmark.class.getName())
                .warmupIterations(2)
                .measurementIterations(3)
                .verbosity(VerboseMode.SILENT)
                .build();
        var statistics = new Runner(options).runSingle().getPrimaryResult().getStatistics();
        return new double[] {statistics.getPercentile(50), statistics.getPercentile(99)};
    }

    /** Removes what an earlier run left in {@code dir}: members must start on empty data. */
    private static Path freshDirectory(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return dir;
    }

    private static void progress(String message) {
        System.err.println("[bench] " + message);
    }
}
