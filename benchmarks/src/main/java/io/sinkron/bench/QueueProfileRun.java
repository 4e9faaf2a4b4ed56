package io.sinkron.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The queue rows of the services benchmark alone, for working on the queue's request path: three
 * consensus nodes and one queue-service from the given jars, then enqueue and dequeue+ack closed
 * loops at each level, printed with the CPU each side spent per operation and the log entries
 * the leader committed per operation (how many requests share a replicated command). Extra JVM arguments
 * (a flight recording, say) go to the nodes and the service.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.sinkron.bench.QueueProfileRun [--bin=.]
 *     [--out=benchmarks/target/queue-profile] [--levels=64,16] [--warmup-seconds=5]
 *     [--measure-seconds=10] [--service-warmup-seconds=10] [--fill-batches=1500]
 *     [--sinkron-jvm-args="-Xmx1g"] [--service-jvm-args="-Xmx512m"] [--label=TEXT]
 *     [--jfr=DIRECTORY]
 * </pre>
 *
 * With {@code --jfr}, each measured window is recorded with JFR's {@code profile} settings on the
 * leader and on queue-service ({@code jcmd JFR.start}, then {@code JFR.stop}), into
 * {@code DIRECTORY/<label>-<workload>-<clients>-<leader|service>.jfr}.
 */
public final class QueueProfileRun {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(6);

    private QueueProfileRun() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        var options = Options.parse(args);
        Path bin = Path.of(options.string("bin", "."));
        Path out = Path.of(options.string("out", "benchmarks/target/queue-profile"));
        List<Integer> levels = Arrays.stream(options.string("levels", "64,16").split(","))
                .map(Integer::parseInt)
                .toList();
        int warmup = options.integer("warmup-seconds", 5);
        int measure = options.integer("measure-seconds", 10);
        int serviceWarmup = options.integer("service-warmup-seconds", 10);
        int fillBatches = options.integer("fill-batches", 1500);
        List<String> nodeArgs =
                List.of(options.string("sinkron-jvm-args", "-Xmx1g").trim().split("\\s+"));
        List<String> serviceArgs =
                List.of(options.string("service-jvm-args", "-Xmx512m").trim().split("\\s+"));
        String label = options.string("label", bin.toString());
        String jfr = options.string("jfr", "");
        options.rejectUnknown();

        Files.createDirectories(out);
        int max = levels.stream().max(Integer::compare).orElseThrow();
        try (var cluster = new SinkronCluster(
                                out.resolve("nodes"),
                                bin.resolve("consensus-node/target/consensus-node.jar"),
                                3,
                                nodeArgs)
                        .startAll();
                var fleet = new ServiceFleet(out.resolve("services"), serviceArgs)) {
            int leader = cluster.awaitLeader(START_TIMEOUT);
            String queue = fleet.startJar(
                            "queue-service",
                            bin.resolve("queue-service/target/queue-service.jar"),
                            cluster.loadEndpoints(),
                            Map.of())
                    .endpoint();
            fleet.awaitReady(START_TIMEOUT);
            long[] store = cluster.pids();
            long[] front = fleet.pids();
            Recordings recordings = new Recordings(
                    jfr.isEmpty() ? null : Files.createDirectories(Path.of(jfr)),
                    label,
                    Map.of("leader", store[leader], "service", front[0]));
            System.out.printf(
                    "%s: leader %s (pid %d), queue-service pid %d, load %s%n",
                    label, SinkronCluster.nodeId(leader), store[leader], front[0], loadAverage());

            run(
                    queue,
                    ServiceWorkloads.enqueue("warm"),
                    load(max, 1, serviceWarmup),
                    store,
                    front,
                    null,
                    null,
                    cluster,
                    leader);
            for (int clients : levels) {
                run(
                        queue,
                        ServiceWorkloads.enqueue("enqueue-" + clients),
                        load(clients, warmup, measure),
                        store,
                        front,
                        label + " enqueue",
                        recordings.of("enqueue-" + clients),
                        cluster,
                        leader);
            }
            for (int clients : levels) {
                String drain = "drain-" + clients;
                fill(queue, drain, max, fillBatches);
                run(
                        queue,
                        ServiceWorkloads.dequeueAck(drain),
                        load(clients, warmup, measure),
                        store,
                        front,
                        label + " dequeue+ack",
                        recordings.of("dequeue-ack-" + clients),
                        cluster,
                        leader);
            }
        }
        System.exit(0);
    }

    private static HttpLoad.Settings load(int clients, int warmup, int measure) {
        return new HttpLoad.Settings(
                clients,
                Duration.ofSeconds(warmup),
                Duration.ofSeconds(measure),
                5_000_000,
                Duration.ofSeconds(35),
                0,
                clients);
    }

    private static void run(
            String endpoint,
            HttpWorkload workload,
            HttpLoad.Settings load,
            long[] store,
            long[] front,
            String label,
            ClosedLoop.PhaseListener recording,
            SinkronCluster cluster,
            int leader)
            throws InterruptedException {
        var window = new CpuWindow(store, front);
        var commits = new CommitWindow(cluster, leader);
        ClosedLoop.PhaseListener cpu = phase -> {
            if (recording != null) {
                recording.onPhase(phase);
            }
            window.onPhase(phase);
            commits.onPhase(phase);
        };
        String before = loadAverage();
        HttpLoad.Result r = new HttpLoad(List.of(endpoint), workload, load).run(cpu);
        if (label == null) {
            return;
        }
        double[] seconds = window.seconds();
        System.out.printf(
                "%-24s clients %3d  %,8.0f ops/s  p50 %6.2f ms  p99 %6.2f ms  errors %d  nodes %4.0f us/op"
                        + "  queue-service %4.0f us/op  generator %3.0f us/op  log entries %.3f/op  load %s%s%n",
                label,
                load.clients(),
                r.throughput(),
                r.millis(50),
                r.millis(99),
                r.errors(),
                1e6 * seconds[0] / r.ops(),
                1e6 * seconds[1] / r.ops(),
                1e6 * seconds[2] / r.ops(),
                commits.perOp(r.ops()),
                before,
                r.firstError() == null ? "" : "  first error: " + r.firstError());
    }

    /** {@code batches} batches of 100 messages into {@code queue}, over {@code clients} connections. */
    private static void fill(String endpoint, String queue, int clients, int batches) throws InterruptedException {
        var next = new AtomicLong();
        var failed = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofVirtual().start(() -> {
                String[] hostPort = endpoint.split(":");
                try (var connection = new HttpConnection(hostPort[0], Integer.parseInt(hostPort[1]), 35_000)) {
                    var random = new java.util.SplittableRandom(next.get());
                    var body = new StringBuilder("{\"messages\":[");
                    for (int m = 0; m < 100; m++) {
                        body.append(m == 0 ? "" : ",")
                                .append("{\"message\":\"")
                                .append(ServiceWorkloads.payload(random))
                                .append("\"}");
                    }
                    byte[] request = RequestTemplate.post(
                                    "/queue/{queue}/enqueue", body.append("]}").toString())
                            .render(endpoint, "queue", queue);
                    while (next.getAndIncrement() < batches && System.nanoTime() < deadline) {
                        try {
                            if (connection.exchange(request) != 201) {
                                failed.incrementAndGet();
                            }
                        } catch (java.io.IOException e) {
                            failed.incrementAndGet();
                        }
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failed.get() > 0) {
            System.out.println("fill of " + queue + ": " + failed.get() + " batches failed");
        }
    }

    /** Flight recordings of the measured windows, started and stopped with jcmd. */
    private record Recordings(Path dir, String label, Map<String, Long> pids) {

        ClosedLoop.PhaseListener of(String workload) {
            if (dir == null) {
                return null;
            }
            return phase -> pids.forEach((role, pid) -> {
                if (phase.equals("measure-start")) {
                    Jcmd.run(pid, "JFR.start", "name=window", "settings=profile");
                } else if (phase.equals("measure-end")) {
                    Jcmd.run(
                            pid,
                            "JFR.stop",
                            "name=window",
                            "filename=" + dir.resolve(label + "-" + workload + "-" + role + ".jfr"));
                }
            });
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).substring(0, 14).trim();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
