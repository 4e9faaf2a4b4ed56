package io.sinkron.faults;

import static org.awaitility.Awaitility.await;

import io.sinkron.testkit.ConsensusCluster;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Injects one fault at a time into the consensus nodes, drawn from a seeded random source:
 *
 * <ul>
 *   <li>{@code kill}: SIGKILL of a node (the leader at least half of the time), restarted on its data after
 *       a while;
 *   <li>{@code pause}: SIGSTOP of a node (the leader at least half of the time) for longer than the election
 *       timeout, then SIGCONT;
 *   <li>{@code partition}: through {@link FaultProxy}, one of: a random node cut off from the other
 *       two (majority/minority), the leader cut off, or a bridge (the two outer nodes cannot reach
 *       each other, the middle one reaches both); healed after a while;
 *   <li>{@code slow-disk}: through {@link SlowDisk}, every fsync of a node (the leader at least half of the
 *       time) delayed by 100 to 800 ms for a few seconds; the node's own WAL fsync timer must count
 *       flushes that slow meanwhile, or the fault did not take and the run says so.
 * </ul>
 *
 * Between faults the cluster is left alone, and a fault starts only when every node is running
 * again, so that a majority is always left after it.
 */
final class Nemesis {

    /** The fault kinds the mix may name. */
    static final Set<String> KINDS = Set.of("kill", "pause", "partition", "slow-disk");

    private static final long ELECTION_TIMEOUT_MAX_MS = 1_000;
    private static final Pattern BUCKET_BOUND = Pattern.compile("le=\"([^\"]+)\"");
    /** A bound on the loop besides the deadline; at least 2 s pass between two faults anyway. */
    private static final int MAX_FAULTS = 10_000;

    private final ConsensusCluster cluster;
    private final FaultProxy proxy;
    private final Random random;
    private final List<String> mix;
    private final Map<String, Integer> injected = new TreeMap<>();
    private final List<String> timeline = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private final boolean[] paused;
    private final SlowDisk disk;
    private final List<String> problems = new ArrayList<>();

    /** {@code disk} may be null when the mix has no {@code slow-disk}. */
    Nemesis(ConsensusCluster cluster, FaultProxy proxy, SlowDisk disk, Random random, List<String> mix) {
        if (mix.contains("slow-disk") && disk == null) {
            throw new IllegalArgumentException("slow-disk faults need a SlowDisk");
        }
        this.cluster = cluster;
        this.proxy = proxy;
        this.disk = disk;
        this.random = random;
        this.mix = List.copyOf(mix);
        this.paused = new boolean[cluster.size()];
    }

    /** Injects faults until {@code deadlineNanos} or until {@code stop} says so, then heals everything. */
    void run(long deadlineNanos, BooleanSupplier stop) throws IOException, InterruptedException {
        try {
            for (int n = 0; n < MAX_FAULTS && System.nanoTime() < deadlineNanos && !stop.getAsBoolean(); n++) {
                sleepUntil(Math.min(deadlineNanos, System.nanoTime() + millis(2_000, 5_000)), stop);
                if (System.nanoTime() >= deadlineNanos || stop.getAsBoolean()) {
                    break;
                }
                awaitAllAnswering(Duration.ofSeconds(90));
                switch (mix.get(random.nextInt(mix.size()))) {
                    case "kill" -> kill(stop);
                    case "pause" -> pause(stop);
                    case "partition" -> partition(stop);
                    case "slow-disk" -> slowDisk(stop);
                    default -> throw new IllegalArgumentException("unknown fault in " + mix);
                }
            }
        } finally {
            healAll();
        }
    }

    /** Faults injected by kind, e.g. {@code {kill=3, partition-bridge=2}}. */
    Map<String, Integer> injected() {
        return Map.copyOf(injected);
    }

    /** Faults that did not take effect as intended (the run reports them as harness anomalies). */
    List<String> problems() {
        return List.copyOf(problems);
    }

    /** What was done when, in seconds since the nemesis was made. */
    List<String> timeline() {
        return List.copyOf(timeline);
    }

    private void kill(BooleanSupplier stop) throws IOException, InterruptedException {
        int leader = leader();
        int node = victim(leader);
        cluster.kill9(node);
        note("kill", "SIGKILL node-" + (node + 1) + role(node, leader));
        sleepUntil(System.nanoTime() + millis(1_000, 5_000), stop);
        cluster.restart(node);
        note(null, "restart node-" + (node + 1));
    }

    private void pause(BooleanSupplier stop) throws IOException, InterruptedException {
        int leader = leader();
        int node = victim(leader);
        signal(node, "STOP");
        paused[node] = true;
        note("pause", "SIGSTOP node-" + (node + 1) + role(node, leader));
        // Longer than the longest election timeout, so the others elect a leader meanwhile.
        sleepUntil(System.nanoTime() + millis(2 * ELECTION_TIMEOUT_MAX_MS, 6_000), stop);
        signal(node, "CONT");
        paused[node] = false;
        note(null, "SIGCONT node-" + (node + 1));
    }

    private void partition(BooleanSupplier stop) throws InterruptedException {
        int n = cluster.size();
        String kind;
        List<Set<Integer>> components;
        switch (random.nextInt(3)) {
            case 0 -> {
                int alone = random.nextInt(n);
                kind = "partition-majority-minority";
                components = isolate(alone);
            }
            case 1 -> {
                int leader = leader();
                kind = leader >= 0 ? "partition-isolated-leader" : "partition-majority-minority";
                components = isolate(leader >= 0 ? leader : random.nextInt(n));
            }
            default -> {
                int middle = random.nextInt(n);
                int left = (middle + 1) % n;
                int right = (middle + 2) % n;
                kind = "partition-bridge";
                components = List.of(Set.of(left, middle), Set.of(middle, right));
            }
        }
        proxy.partition(components);
        note(kind, "partition " + components);
        sleepUntil(System.nanoTime() + millis(2_000, 8_000), stop);
        proxy.heal();
        note(null, "heal");
    }

    private void slowDisk(BooleanSupplier stop) throws IOException, InterruptedException {
        int leader = leader();
        int node = victim(leader);
        String id = "node-" + (node + 1);
        long delayMillis = 100 + random.nextInt(701);
        // Proof that the delay reached the node: its own WAL fsync timer counts flushes that slow.
        double slow = delayMillis * 0.9 / 1_000;
        long slowBefore = fsyncsSlowerThan(node, slow);
        disk.slow(id, Duration.ofMillis(delayMillis));
        note("slow-disk", "every fsync of " + id + role(node, leader) + " delayed by " + delayMillis + " ms");
        sleepUntil(System.nanoTime() + millis(3_000, 8_000), stop);
        long slowFsyncs = fsyncsSlowerThan(node, slow) - slowBefore;
        disk.heal(id);
        note(null, "disk of " + id + " healed; its WAL fsyncs that took the delay: " + slowFsyncs);
        if (slowFsyncs <= 0) {
            problems.add("slow-disk on " + id + ": fsyncs delayed by " + delayMillis
                    + " ms, but its WAL fsync timer saw none that slow");
        }
    }

    /** How many WAL fsyncs of {@code node} took longer than a bucket boundary at or below {@code seconds}. */
    private long fsyncsSlowerThan(int node, double seconds) throws IOException, InterruptedException {
        double all = 0;
        double within = 0;
        double boundary = -1;
        for (var sample :
                cluster.metricSamples(node, "sinkron_raft_fsync_seconds_bucket").entrySet()) {
            var le = BUCKET_BOUND.matcher(sample.getKey());
            if (!le.find()) {
                continue;
            }
            if (le.group(1).equals("+Inf")) {
                all = sample.getValue();
            } else {
                double upper = Double.parseDouble(le.group(1));
                if (upper <= seconds && upper > boundary) {
                    boundary = upper;
                    within = sample.getValue();
                }
            }
        }
        return Math.round(all - within);
    }

    private List<Set<Integer>> isolate(int node) {
        var rest = new java.util.HashSet<Integer>();
        for (int i = 0; i < cluster.size(); i++) {
            if (i != node) {
                rest.add(i);
            }
        }
        return List.of(Set.of(node), Set.copyOf(rest));
    }

    /** The leader half of the time (when one is known), any node otherwise. */
    private int victim(int leader) {
        if (random.nextBoolean() && leader >= 0) {
            return leader;
        }
        return random.nextInt(cluster.size());
    }

    private static String role(int node, int leader) {
        return node == leader ? " (leader)" : "";
    }

    /** The node that claims leadership with the highest term, or -1. */
    int leader() throws InterruptedException {
        int leader = -1;
        long term = -1;
        for (int i = 0; i < cluster.size(); i++) {
            if (paused[i]) {
                continue;
            }
            JsonNode status = cluster.status(i, Duration.ofSeconds(2));
            if (status != null
                    && status.path("is_leader").asBoolean()
                    && status.path("term").asLong() > term) {
                leader = i;
                term = status.path("term").asLong();
            }
        }
        return leader;
    }

    /** Resumes paused nodes, restarts dead ones, heals the network. */
    void healAll() throws IOException, InterruptedException {
        proxy.heal();
        if (disk != null) {
            for (int i = 0; i < cluster.size(); i++) {
                disk.heal("node-" + (i + 1));
            }
        }
        for (int i = 0; i < cluster.size(); i++) {
            if (paused[i]) {
                signal(i, "CONT");
                paused[i] = false;
                note(null, "SIGCONT node-" + (i + 1));
            }
            if (!cluster.isRunning(i)) {
                cluster.restart(i);
                note(null, "restart node-" + (i + 1));
            }
        }
    }

    /** Waits (bounded) until every node answers {@code /status}: restarted nodes are up again. */
    void awaitAllAnswering(Duration timeout) {
        await("every node answering /status (logs: " + cluster.logs() + ")")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    for (int i = 0; i < cluster.size(); i++) {
                        if (cluster.status(i, Duration.ofSeconds(2)) == null) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    private void signal(int node, String signal) throws InterruptedException {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(cluster.pid(node)))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " of node-" + (node + 1) + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill -" + signal, e);
        }
    }

    private void note(String kind, String what) {
        if (kind != null) {
            injected.merge(kind, 1, Integer::sum);
        }
        timeline.add(String.format("%7.1f s %s", (System.nanoTime() - startNanos) / 1e9, what));
    }

    private long millis(long min, long max) {
        return TimeUnit.MILLISECONDS.toNanos(min + (long) (random.nextDouble() * (max - min)));
    }

    /**
     * The nemesis' own schedule: it waits out the length of a fault it chose, not for a condition,
     * so a plain bounded wait is what is meant here; {@code stop} ends it early.
     */
    private static void sleepUntil(long deadlineNanos, BooleanSupplier stop) throws InterruptedException {
        while (System.nanoTime() < deadlineNanos && !stop.getAsBoolean()) {
            TimeUnit.MILLISECONDS.sleep(Math.min(100, Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000)));
        }
    }
}
