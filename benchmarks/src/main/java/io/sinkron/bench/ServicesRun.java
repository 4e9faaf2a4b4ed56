package io.sinkron.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The REST services benchmark (issues 4, 5, 6 and 8): the trivial Spring MVC endpoint alone, then
 * a fresh 3-node Sinkron cluster with lock-, queue- and three cache-service instances, then a
 * fresh 3-member etcd cluster through its JSON gateway, then one Redis server without replication
 * or persistence (the upper bound of the cache's GET and PUT), one after the other on 127.0.0.1,
 * all driven by {@link HttpLoad} (Redis over its own protocol, RESP); {@code wrk} calibrates the
 * load generator. Writes {@code results.md} and PNG plots to the output directory.
 *
 * <pre>
 * java -cp benchmarks.jar io.sinkron.bench.ServicesRun [--bin=.] [--etcd=/usr/bin/etcd]
 *     [--wrk=/usr/bin/wrk] [--redis=/usr/bin/redis-server] [--redis-benchmark=/usr/bin/redis-benchmark]
 *     [--out=benchmarks/target/results-services] [--levels=1,16,64]
 *     [--open-fractions=0.5,0.8] [--warmup-seconds=5] [--measure-seconds=10]
 *     [--service-warmup-seconds=10] [--resident-messages=1000000] [--holder-rounds=200]
 *     [--sinkron-jvm-args="-Xmx1g"] [--service-jvm-args="-Xmx512m"]
 *     [--parts=trivial,sinkron,etcd,redis] [--calibration-rounds=2]
 *     [--revision=TEXT]
 * </pre>
 *
 * {@code --parts=calibration} runs only the calibration of the load generator: the trivial
 * endpoint and etcd's gateway against wrk, Redis against redis-benchmark, each
 * {@code --calibration-rounds} times in turn.
 */
public final class ServicesRun {

    /** Five Spring Boot services starting together on a busy 2-core machine took over 2 minutes. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(6);

    private static final String LOCKS = "locks";
    private static final String HANDOFF = "lock hand-off";
    private static final String QUEUE = "queue enqueue vs put";
    private static final String DEQUEUE = "queue dequeue+ack";
    private static final String CACHE_GET = "cache GET vs range";
    private static final String CACHE_PUT = "cache PUT vs put";
    private static final String CALIBRATION = "calibration";
    private static final Duration WARM_LIMIT = Duration.ofSeconds(90);
    private static final int HOT_KEYS = 1000;
    private static final int PUT_KEYS = 10_000;
    private static final int ZIPF_KEYS = 20_000;

    private record Settings(
            Path bin,
            String etcd,
            String wrk,
            String redis,
            String redisBenchmark,
            Path out,
            List<Integer> levels,
            List<Double> openFractions,
            int warmupSeconds,
            int measureSeconds,
            int serviceWarmupSeconds,
            int residentMessages,
            int holderRounds,
            List<String> sinkronJvmArgs,
            List<String> serviceJvmArgs,
            List<String> parts,
            int calibrationRounds) {

        HttpLoad.Settings load(int clients) {
            return new HttpLoad.Settings(
                    clients,
                    Duration.ofSeconds(warmupSeconds),
                    Duration.ofSeconds(measureSeconds),
                    5_000_000,
                    Duration.ofSeconds(35),
                    0,
                    clients);
        }

        int maxLevel() {
            return levels.stream().max(Integer::compare).orElseThrow();
        }
    }

    private final Settings settings;
    private final ServicesReport report;
    private int tags;
    /** Set for {@code --parts=calibration}: each part stops after its calibration. */
    private boolean calibrationOnly;
    /** The processes whose CPU the current measurements account: store, REST front ends. */
    private long[] storePids = {};

    private long[] frontPids = {};

    private ServicesRun(Settings settings, ServicesReport report) {
        this.settings = settings;
        this.report = report;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        var options = Options.parse(args);
        var settings = new Settings(
                Path.of(options.string("bin", ".")),
                options.string("etcd", "/usr/bin/etcd"),
                options.string("wrk", "/usr/bin/wrk"),
                options.string("redis", "/usr/bin/redis-server"),
                options.string("redis-benchmark", "/usr/bin/redis-benchmark"),
                Path.of(options.string("out", "benchmarks/target/results-services")),
                Arrays.stream(options.string("levels", "1,16,64").split(","))
                        .map(Integer::parseInt)
                        .sorted(Comparator.reverseOrder())
                        .toList(),
                Arrays.stream(options.string("open-fractions", "0.5,0.8").split(","))
                        .filter(s -> !s.isBlank())
                        .map(Double::parseDouble)
                        .toList(),
                options.integer("warmup-seconds", 5),
                options.integer("measure-seconds", 10),
                options.integer("service-warmup-seconds", 10),
                options.integer("resident-messages", 1_000_000),
                options.integer("holder-rounds", 200),
                List.of(options.string("sinkron-jvm-args", "-Xmx1g").trim().split("\\s+")),
                List.of(options.string("service-jvm-args", "-Xmx512m").trim().split("\\s+")),
                List.of(options.string("parts", "trivial,sinkron,etcd,redis").split(",")),
                options.integer("calibration-rounds", 2));
        String revision = options.string("revision", "unknown");
        options.rejectUnknown();
        // Only the parts that start Sinkron need its jars; --parts=redis runs on the benchmarks jar alone.
        List<String> jars =
                settings.parts().contains("sinkron") || settings.parts().contains("heap")
                        ? List.of("consensus-node", "lock-service", "queue-service", "cache-service")
                        : List.of();
        for (String jar : jars) {
            if (!Files.isRegularFile(
                    settings.bin().resolve(jar).resolve("target").resolve(jar + ".jar"))) {
                throw new IllegalArgumentException(jar + ".jar not found under " + settings.bin()
                        + "; build the jars with ./mvnw -B package -DskipTests");
            }
        }
        for (String tool : List.of(settings.etcd(), settings.wrk())) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw new IllegalArgumentException(tool + " not found; apt-get install -y etcd-server wrk");
            }
        }
        boolean redis = settings.parts().contains("redis") || settings.parts().contains("calibration");
        if (redis && !Files.isExecutable(Path.of(settings.redis()))) {
            throw new IllegalArgumentException(settings.redis() + " not found; apt-get install -y redis-server");
        }
        if (redis && !Files.isExecutable(Path.of(settings.redisBenchmark()))) {
            throw new IllegalArgumentException(
                    settings.redisBenchmark() + " not found; apt-get install -y redis-tools");
        }
        Files.createDirectories(settings.out());
        var report = new ServicesReport(settings.out(), revision, settings.warmupSeconds(), settings.measureSeconds());
        report.machine(
                settings.etcd(), Wrk.version(settings.wrk()), settings.sinkronJvmArgs(), settings.serviceJvmArgs());
        var run = new ServicesRun(settings, report);
        try {
            run.run();
        } finally {
            report.finish();
            Path results = settings.out().resolve("results.md");
            Files.writeString(results, report.markdown());
            report.plots();
            System.out.println(report.markdown());
            System.out.println("written to " + results.toAbsolutePath());
        }
        System.exit(0);
    }

    /** Each part on its own: a part that fails is reported and the next one still runs. */
    private void run() {
        for (String part : settings.parts()) {
            try {
                switch (part) {
                    case "trivial" -> trivial();
                    case "sinkron" -> sinkron();
                    case "etcd" -> etcd();
                    case "redis" -> redis();
                    case "heap" -> heapAlone();
                    case "calibration" -> calibrationOnly();
                    default -> throw new IllegalArgumentException("unknown part " + part);
                }
            } catch (Exception e) {
                progress(part + " failed: " + e);
                e.printStackTrace();
                report.note("**the " + part + " part failed**: " + e);
            }
        }
    }

    /** The calibrations of the trivial, etcd and redis parts, and nothing else. */
    private void calibrationOnly() throws Exception {
        calibrationOnly = true;
        try {
            trivial();
            etcd();
            redis();
        } finally {
            calibrationOnly = false;
        }
    }

    // ---------------------------------------------------------------- the framework's ceiling

    private void trivial() throws Exception {
        progress("spring-mvc: starting the trivial endpoint alone");
        try (var fleet =
                new ServiceFleet(freshDirectory(settings.out().resolve("trivial")), settings.serviceJvmArgs())) {
            String endpoint = fleet.startConstantApp().endpoint();
            fleet.awaitReady(START_TIMEOUT);
            storePids = new long[0];
            frontPids = fleet.pids();
            warm(List.of(endpoint), ServiceWorkloads.constant());
            calibrate(
                    "spring-mvc",
                    "GET " + ConstantJsonApp.PATH,
                    endpoint,
                    ConstantJsonApp.PATH,
                    null,
                    ServiceWorkloads.constant());
            if (calibrationOnly) {
                return;
            }
            levels(CACHE_GET, "GET /constant", "spring-mvc", List.of(endpoint), ServiceWorkloads.constant(), true);
        }
    }

    // ---------------------------------------------------------------- Sinkron

    private void sinkron() throws Exception {
        Path dir = freshDirectory(settings.out().resolve("sinkron"));
        progress("sinkron: starting 3 consensus nodes and 5 services");
        try (var cluster = new SinkronCluster(dir.resolve("nodes"), jar("consensus-node"), 3, settings.sinkronJvmArgs())
                        .startAll();
                var fleet = new ServiceFleet(dir.resolve("services"), settings.serviceJvmArgs())) {
            int leader = cluster.awaitLeader(START_TIMEOUT);
            String nodes = cluster.loadEndpoints();
            String lock = fleet.startJar("lock-service", jar("lock-service"), nodes, Map.of())
                    .endpoint();
            String queue = fleet.startJar("queue-service", jar("queue-service"), nodes, Map.of())
                    .endpoint();
            List<String> caches = new ArrayList<>();
            for (String id : List.of("cache-a", "cache-b", "cache-c")) {
                caches.add(fleet.startJar(id, jar("cache-service"), nodes, Map.of("CACHE_INSTANCE_ID", id))
                        .endpoint());
            }
            fleet.awaitReady(START_TIMEOUT);
            storePids = cluster.pids();
            frontPids = fleet.pids();
            report.note("Sinkron leader at start: " + SinkronCluster.nodeId(leader));

            progress("sinkron: locks");
            warm(List.of(lock), ServiceWorkloads.lockCycle(tag(), false));
            levels(
                    LOCKS,
                    "acquire+release, own lock",
                    "sinkron",
                    List.of(lock),
                    ServiceWorkloads.lockCycle(tag(), false),
                    true);
            // The hand-off's waiting acquires, grant events and async answers are a path of their
            // own, which the uncontended warm-up above does not compile.
            warm(HttpLoad.http(List.of(lock), ServiceWorkloads.lockCycle(tag(), true)), 16);
            measure(
                    HANDOFF,
                    "one lock, 16 clients",
                    "sinkron",
                    List.of(lock),
                    ServiceWorkloads.lockCycle(tag(), true),
                    settings.load(16));

            progress("sinkron: queues");
            warm(List.of(queue), ServiceWorkloads.enqueue("warm-" + tag()));
            levels(
                    QUEUE,
                    "enqueue 100 B",
                    "sinkron",
                    List.of(queue),
                    ServiceWorkloads.enqueue("enqueue-" + tag()),
                    true);
            String drain = "drain-" + tag();
            long filled = fill(queue, settings.maxLevel(), 2_000, i -> batch(queue, drain, i), 201);
            report.note("dequeue+ack drew from a queue filled with " + filled * 100 + " messages");
            measure(
                    DEQUEUE,
                    "dequeue+ack",
                    "sinkron",
                    List.of(queue),
                    ServiceWorkloads.dequeueAck(drain),
                    settings.load(settings.maxLevel()));

            progress("sinkron: cache");
            String hot = "hot-" + tag() + "-";
            fill(caches.getFirst(), settings.maxLevel(), HOT_KEYS, i -> cachePut(caches.getFirst(), hot + i), 200);
            warm(List.of(caches.getFirst()), ServiceWorkloads.cacheGet(hot, HOT_KEYS));
            levels(
                    CACHE_GET,
                    "near-cache hit GET",
                    "sinkron",
                    List.of(caches.getFirst()),
                    ServiceWorkloads.cacheGet(hot, HOT_KEYS),
                    true);
            String put = "put-" + tag() + "-";
            warm(List.of(caches.getFirst()), ServiceWorkloads.cachePut(put, PUT_KEYS));
            levels(
                    CACHE_PUT,
                    "PUT 100 B",
                    "sinkron",
                    List.of(caches.getFirst()),
                    ServiceWorkloads.cachePut(put, PUT_KEYS),
                    true);
            zipf(caches);
            holders(caches);

            progress("sinkron: heap of resident messages");
            try {
                residentHeap(cluster, queue);
            } catch (IOException | RuntimeException e) {
                report.note("**the heap measurement failed**: " + e);
            }
        }
    }

    private void zipf(List<String> caches) throws Exception {
        String prefix = "zipf-" + tag() + "-";
        progress("sinkron: Zipf cache workload over " + ZIPF_KEYS + " keys, 3 instances");
        fill(caches.getFirst(), settings.maxLevel(), ZIPF_KEYS, i -> cachePut(caches.getFirst(), prefix + i), 200);
        long[] before = new long[2];
        long[] after = new long[2];
        var load = new HttpLoad(
                caches,
                ServiceWorkloads.cacheZipf(prefix, new Zipf(ZIPF_KEYS, 0.99), 0.1),
                settings.load(settings.maxLevel()));
        var cpu = new CpuWindow(storePids, frontPids);
        HttpLoad.Result r = load.run(phase -> {
            cpu.onPhase(phase);
            long[] into = phase.equals("measure-start") ? before : after;
            for (String cache : caches) {
                String stats = Http.get("http://" + cache + "/cache/stats");
                if (stats != null) {
                    into[0] += Long.parseLong(Http.jsonField(stats, "hits"));
                    into[1] += Long.parseLong(Http.jsonField(stats, "misses"));
                }
            }
        });
        long hits = after[0] - before[0];
        long misses = after[1] - before[1];
        var row = ServiceResult.of(
                "cache Zipf",
                "90% GET / 10% PUT, Zipf s=0.99 over 20,000 keys, 3 instances",
                "sinkron",
                settings.maxLevel(),
                0,
                r,
                cpu.seconds());
        report.add(row);
        report.zipf(row, hits, misses);
    }

    /**
     * Write latency against the number of instances holding the key when the write arrives. Each
     * round uses a fresh key: written through cache-a (which then holds it), read through cache-c
     * and cache-b as needed, then the timed PUT through cache-b: 0 holders (a key never written),
     * 1 (a), 2 (a, c), 3 (a, c and the writer b itself).
     */
    private void holders(List<String> caches) throws Exception {
        progress("sinkron: write latency against holders");
        String a = caches.get(0);
        String b = caches.get(1);
        String c = caches.get(2);
        String prefix = "holders-" + tag() + "-";
        try (var ca = connection(a);
                var cb = connection(b);
                var cc = connection(c)) {
            for (int holders = 0; holders <= 3; holders++) {
                var histogram = new org.HdrHistogram.Histogram(3);
                long errors = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                for (int round = 0; round < settings.holderRounds() && System.nanoTime() < deadline; round++) {
                    String key = prefix + holders + "-" + round;
                    boolean setup = true;
                    if (holders >= 1) {
                        setup = ca.exchange(cachePut(a, key)) == 200;
                    }
                    if (holders >= 2) {
                        setup &= cc.exchange(cacheGet(c, key)) == 200;
                    }
                    if (holders >= 3) {
                        setup &= cb.exchange(cacheGet(b, key)) == 200;
                    }
                    long start = System.nanoTime();
                    int status = cb.exchange(cachePut(b, key));
                    long latency = System.nanoTime() - start;
                    if (setup && status == 200) {
                        histogram.recordValue(latency);
                    } else {
                        errors++;
                    }
                }
                report.holders(holders, histogram, errors);
            }
        }
    }

    /** The heap measurement alone: three nodes and the queue service, nothing else loaded first. */
    private void heapAlone() throws Exception {
        Path dir = freshDirectory(settings.out().resolve("heap"));
        progress("heap: starting 3 consensus nodes and the queue service");
        try (var cluster = new SinkronCluster(dir.resolve("nodes"), jar("consensus-node"), 3, settings.sinkronJvmArgs())
                        .startAll();
                var fleet = new ServiceFleet(dir.resolve("services"), settings.serviceJvmArgs())) {
            cluster.awaitLeader(START_TIMEOUT);
            String queue = fleet.startJar("queue-service", jar("queue-service"), cluster.loadEndpoints(), Map.of())
                    .endpoint();
            fleet.awaitReady(START_TIMEOUT);
            progress("heap: " + settings.residentMessages() + " resident messages");
            residentHeap(cluster, queue);
        }
    }

    private void residentHeap(SinkronCluster cluster, String queue) throws Exception {
        long[] pids = cluster.pids();
        long[] before = new long[pids.length];
        for (int i = 0; i < pids.length; i++) {
            before[i] = usedHeapAfterGc(pids[i]);
        }
        String resident = "resident-" + tag();
        long requests = fill(queue, 16, settings.residentMessages() / 100, i -> batch(queue, resident, i), 201);
        long messages = requests * 100;
        long[] after = new long[pids.length];
        for (int i = 0; i < pids.length; i++) {
            after[i] = usedHeapAfterGc(pids[i]);
        }
        // A snapshot lets a node drop the log entries behind it (all but SNAPSHOT_KEEP_ENTRIES). The
        // three nodes snapshot at once; one that does not answer in time is reported, not waited for.
        long[] afterSnapshot = new long[pids.length];
        List<Thread> snapshots = new ArrayList<>();
        for (int n = 0; n < pids.length; n++) {
            int i = n;
            snapshots.add(Thread.ofVirtual().start(() -> {
                afterSnapshot[i] = -1;
                try (var admin = new HttpConnection("127.0.0.1", cluster.httpPort(i), 180_000)) {
                    long t0 = System.nanoTime();
                    int status = admin.exchange(
                            RequestTemplate.post("/cluster/snapshot", "{}").render(admin.authority()));
                    long millis = (System.nanoTime() - t0) / 1_000_000;
                    if (status == 200) {
                        report.note("`POST /cluster/snapshot` on " + SinkronCluster.nodeId(i) + " answered in " + millis
                                + " ms");
                        afterSnapshot[i] = usedHeapAfterGc(pids[i]);
                    } else {
                        report.note("snapshot of " + SinkronCluster.nodeId(i) + " answered " + status);
                    }
                } catch (Exception e) {
                    report.note("snapshot of " + SinkronCluster.nodeId(i) + " failed: " + e);
                }
            }));
        }
        for (Thread t : snapshots) {
            t.join();
        }
        report.heap(messages, before, after, afterSnapshot, settings.sinkronJvmArgs());
    }

    // ---------------------------------------------------------------- etcd

    private void etcd() throws Exception {
        progress("etcd: starting 3 members");
        try (var etcd =
                new EtcdCluster(freshDirectory(settings.out().resolve("etcd")), settings.etcd(), 3).startAll()) {
            etcd.awaitLeader(START_TIMEOUT);
            storePids = etcd.pids();
            frontPids = new long[0];
            String endpoint = etcd.loadEndpoints().substring("http://".length());
            List<String> endpoints = List.of(endpoint);
            warm(endpoints, EtcdWorkloads.put(PUT_KEYS));
            calibrate(
                    "etcd",
                    "POST /v3/kv/range",
                    endpoint,
                    "/v3/kv/range",
                    EtcdWorkloads.rangeOneBody("k0000001"),
                    EtcdWorkloads.rangeOne("k0000001"));
            if (calibrationOnly) {
                return;
            }
            levels(QUEUE, "put 100 B", "etcd", endpoints, EtcdWorkloads.put(PUT_KEYS), true);
            levels(CACHE_GET, "linearizable range", "etcd", endpoints, EtcdWorkloads.range(PUT_KEYS), true);
            levels(LOCKS, "lock+unlock, own lock", "etcd", endpoints, EtcdWorkloads.lockCycle(tag(), false), true);
            // Warmed as Sinkron's hand-off is, so that both rows start from a steady state.
            warm(HttpLoad.http(endpoints, EtcdWorkloads.lockCycle(tag(), true)), 16);
            measure(
                    HANDOFF,
                    "one lock, 16 clients",
                    "etcd",
                    endpoints,
                    EtcdWorkloads.lockCycle(tag(), true),
                    settings.load(16));
        }
    }

    // ---------------------------------------------------------------- Redis

    /**
     * The cache's GET and PUT against one Redis server: no replication, nothing written to disk,
     * so an upper bound for a store that replicates every write through Raft and answers reads
     * from a near cache behind HTTP/JSON. Same key names, key counts and value size as the cache
     * workload, same levels and loops.
     */
    private void redis() throws Exception {
        progress("redis: starting redis-server");
        report.note("Redis: " + RedisServer.version(settings.redis())
                + ", one server, no replica, `--save \"\" --appendonly no` (nothing on disk): the"
                + " non-replicated in-memory upper bound of the cache rows, driven over RESP with one"
                + " command in flight per connection (no pipelining)");
        try (var redis = new RedisServer(freshDirectory(settings.out().resolve("redis")), settings.redis()).start()) {
            redis.awaitReady(Duration.ofSeconds(30));
            storePids = new long[] {redis.pid()};
            frontPids = new long[0];
            List<String> endpoints = List.of(redis.endpoint());
            String hot = "hot-" + tag() + "-";
            fillRedis(redis.endpoint(), hot, HOT_KEYS);
            warm(HttpLoad.resp(endpoints, RedisWorkloads.get(hot, HOT_KEYS)));
            calibrateRedis(redis.endpoint(), hot);
            if (calibrationOnly) {
                return;
            }
            levels(CACHE_GET, "GET hit", "redis", HttpLoad.resp(endpoints, RedisWorkloads.get(hot, HOT_KEYS)), true);
            levels(
                    CACHE_PUT,
                    "SET 100 B",
                    "redis",
                    HttpLoad.resp(endpoints, RedisWorkloads.set("put-" + tag() + "-", PUT_KEYS)),
                    true);
        }
    }

    /** Writes {@code prefix0 .. prefix(keys-1)} with the 100-character value the cache's hot keys get. */
    private static void fillRedis(String endpoint, String prefix, int keys) throws IOException {
        String[] hostPort = endpoint.split(":");
        String value = "v".repeat(100);
        try (var c = new RespConnection(hostPort[0], Integer.parseInt(hostPort[1]), 35_000)) {
            for (int k = 0; k < keys; k++) {
                if (c.exchange(RedisWorkloads.set(prefix + k, value)) != RespConnection.SIMPLE
                        || !"OK".equals(c.text())) {
                    throw new IOException("SET " + prefix + k + " answered " + c.text());
                }
            }
        }
    }

    // ---------------------------------------------------------------- measuring

    /**
     * Unrecorded load at the highest level until the server is warm ({@link WarmUp}: at least
     * {@code --service-warmup-seconds}, then until the throughput is steady).
     */
    private void warm(List<String> endpoints, HttpWorkload workload) throws InterruptedException {
        warm(HttpLoad.http(endpoints, workload));
    }

    private void warm(HttpLoad.Clients clients) throws InterruptedException {
        warm(clients, settings.maxLevel());
    }

    /** Warms with {@code clients} clients, as the rows that follow will load it. */
    private void warm(HttpLoad.Clients clients, int level) throws InterruptedException {
        var outcome = WarmUp.run(
                clients, settings.load(level), Duration.ofSeconds(settings.serviceWarmupSeconds()), WARM_LIMIT);
        progress(outcome.toString());
    }

    /**
     * Closed loops at each level (highest first), then open loops at fractions of the highest
     * level's throughput.
     */
    private void levels(
            String group, String workload, String target, List<String> endpoints, HttpWorkload w, boolean open)
            throws InterruptedException {
        levels(group, workload, target, HttpLoad.http(endpoints, w), open);
    }

    private void levels(String group, String workload, String target, HttpLoad.Clients w, boolean open)
            throws InterruptedException {
        double peak = 0;
        for (int clients : settings.levels()) {
            ServiceResult r = measure(group, workload, target, w, settings.load(clients));
            if (clients == settings.maxLevel()) {
                peak = r.throughput();
            }
        }
        if (open && peak > 0) {
            for (double fraction : settings.openFractions()) {
                measure(
                        group,
                        workload,
                        target,
                        w,
                        settings.load(settings.maxLevel()).open(settings.maxLevel(), Math.max(1, fraction * peak)));
            }
        }
    }

    private ServiceResult measure(
            String group,
            String workload,
            String target,
            List<String> endpoints,
            HttpWorkload w,
            HttpLoad.Settings load)
            throws InterruptedException {
        return measure(group, workload, target, HttpLoad.http(endpoints, w), load);
    }

    private ServiceResult measure(
            String group, String workload, String target, HttpLoad.Clients w, HttpLoad.Settings load)
            throws InterruptedException {
        progress(target + ": " + workload + ", " + load.clients() + " clients"
                + (load.rate() > 0 ? ", open loop at " + Math.round(load.rate()) + "/s" : ""));
        var cpu = new CpuWindow(storePids, frontPids);
        HttpLoad.Result r = new HttpLoad(w, load).run(cpu);
        var row = ServiceResult.of(group, workload, target, load.clients(), load.rate(), r, cpu.seconds());
        report.add(row);
        return row;
    }

    /**
     * Our generator and redis-benchmark, each alone, on SET and GET at the highest level, in turn
     * as {@link #calibrate} does with wrk. redis-benchmark SETs 100-byte values under 10,000 keys
     * and then GETs them; the harness SETs the same under {@value #PUT_KEYS} keys and GETs the
     * 1,000 hot keys.
     */
    private void calibrateRedis(String endpoint, String hot) throws Exception {
        int clients = settings.maxLevel();
        List<String> endpoints = List.of(endpoint);
        for (int round = 0; round < settings.calibrationRounds(); round++) {
            progress("redis: calibration, redis-benchmark then the JVM harness at " + clients + " connections");
            for (RedisBenchmark.Result r : RedisBenchmark.run(
                    settings.redisBenchmark(),
                    endpoint,
                    clients,
                    HttpLoad.threads(clients),
                    settings.measureSeconds() * 60_000L,
                    PUT_KEYS)) {
                report.add(new ServiceResult(
                        CALIBRATION,
                        r.command(),
                        "redis",
                        "redis-benchmark",
                        clients,
                        0,
                        r.throughput(),
                        r.p50Millis(),
                        r.p99Millis(),
                        Double.NaN,
                        0,
                        null,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN));
            }
            for (String command : List.of("SET", "GET")) {
                var clientsOf = command.equals("SET")
                        ? HttpLoad.resp(endpoints, RedisWorkloads.set("put-" + tag() + "-", PUT_KEYS))
                        : HttpLoad.resp(endpoints, RedisWorkloads.get(hot, HOT_KEYS));
                var cpu = new CpuWindow(storePids, frontPids);
                HttpLoad.Result ours = new HttpLoad(clientsOf, settings.load(clients)).run(cpu);
                report.add(ServiceResult.of(CALIBRATION, command, "redis", clients, 0, ours, cpu.seconds()));
            }
        }
    }

    /**
     * Our generator and wrk, each alone, on the same request at the highest level,
     * {@code --calibration-rounds} times in turn (wrk, ours, wrk, ours), so that neither profits
     * alone from a server still warming up or a quieter moment of the machine.
     */
    private void calibrate(String target, String request, String endpoint, String path, String body, HttpWorkload w)
            throws Exception {
        int clients = settings.maxLevel();
        for (int round = 0; round < settings.calibrationRounds(); round++) {
            progress(target + ": calibration, wrk then the JVM harness at " + clients + " connections");
            Wrk.Result wrk = Wrk.run(
                    settings.wrk(),
                    settings.out(),
                    "http://" + endpoint + path,
                    body,
                    clients,
                    Runtime.getRuntime().availableProcessors(),
                    settings.measureSeconds());
            report.add(new ServiceResult(
                    CALIBRATION,
                    request,
                    target,
                    "wrk",
                    clients,
                    0,
                    wrk.throughput(),
                    wrk.p50Millis(),
                    wrk.p99Millis(),
                    Double.NaN,
                    wrk.errors(),
                    null,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN));
            var cpu = new CpuWindow(storePids, frontPids);
            HttpLoad.Result ours = new HttpLoad(List.of(endpoint), w, settings.load(clients)).run(cpu);
            report.add(ServiceResult.of(CALIBRATION, request, target, clients, 0, ours, cpu.seconds()));
        }
    }

    /**
     * Sends {@code total} requests ({@code request.apply(i)}, {@code i < total}) over
     * {@code clients} connections as fast as they are answered; returns how many got
     * {@code status}. Gives up after 10 minutes.
     */
    private static long fill(String endpoint, int clients, int total, IntFunction<byte[]> request, int status)
            throws InterruptedException {
        var next = new AtomicLong();
        var ok = new AtomicLong();
        var failed = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try (var connection = connection(endpoint)) {
                    for (long i = next.getAndIncrement();
                            i < total && System.nanoTime() < deadline;
                            i = next.getAndIncrement()) {
                        try {
                            if (connection.exchange(request.apply((int) i)) == status) {
                                ok.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                            }
                        } catch (IOException e) {
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
            progress("  fill of " + endpoint + ": " + failed.get() + " of " + total + " requests failed");
        }
        return ok.get();
    }

    private static byte[] batch(String endpoint, String queue, int i) {
        var b = new StringBuilder(12_000).append("{\"messages\":[");
        var random = new java.util.SplittableRandom(i);
        for (int m = 0; m < 100; m++) {
            b.append(m == 0 ? "" : ",")
                    .append("{\"message\":\"")
                    .append(ServiceWorkloads.payload(random))
                    .append("\"}");
        }
        return RequestTemplate.post("/queue/{queue}/enqueue", b.append("]}").toString())
                .render(endpoint, "queue", queue);
    }

    private static byte[] cachePut(String endpoint, String key) {
        return RequestTemplate.put("/cache/{key}", "{\"value\":\"" + "v".repeat(100) + "\"}")
                .render(endpoint, "key", key);
    }

    private static byte[] cacheGet(String endpoint, String key) {
        return RequestTemplate.get("/cache/{key}").render(endpoint, "key", key);
    }

    private static HttpConnection connection(String endpoint) {
        String[] hostPort = endpoint.split(":");
        return new HttpConnection(hostPort[0], Integer.parseInt(hostPort[1]), 35_000);
    }

    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    /** Used heap in bytes after a full collection, from {@code jcmd GC.run} and {@code GC.heap_info}. */
    private static long usedHeapAfterGc(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = USED.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no used heap in jcmd GC.heap_info:\n" + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        var process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), command)
                .redirectErrorStream(true)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + pid + " " + command + " failed:\n" + out);
        }
        return out;
    }

    private Path jar(String module) {
        return settings.bin().resolve(module).resolve("target").resolve(module + ".jar");
    }

    /** A fresh id suffix, so no measurement meets the locks, queues or keys of an earlier one. */
    private String tag() {
        return "t" + (++tags);
    }

    private static Path freshDirectory(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    private static void progress(String message) {
        System.err.println("[services] " + message);
    }
}
