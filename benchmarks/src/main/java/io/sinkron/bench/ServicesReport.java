package io.sinkron.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/** Collects the rows of one {@link ServicesRun} and renders them as Markdown tables and PNG plots. */
final class ServicesReport {

    private record Holders(int holders, Histogram latencies, long errors) {}

    private record Heap(long messages, long[] before, long[] after, long[] afterSnapshot, List<String> jvmArgs) {}

    private record ZipfRatio(ServiceResult row, long hits, long misses) {}

    private final Path out;
    private final String revision;
    private final int warmupSeconds;
    private final int measureSeconds;
    private final StringBuilder machine = new StringBuilder();
    private final List<ServiceResult> rows = new ArrayList<>();
    private final List<Holders> holders = new ArrayList<>();
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());
    private final List<String> plots = new ArrayList<>();
    private Heap heap;
    private ZipfRatio zipf;
    private String loadAtStart;
    private String loadAtEnd;

    ServicesReport(Path out, String revision, int warmupSeconds, int measureSeconds) {
        this.out = out;
        this.revision = revision;
        this.warmupSeconds = warmupSeconds;
        this.measureSeconds = measureSeconds;
    }

    void machine(String etcd, String wrk, List<String> sinkronJvmArgs, List<String> serviceJvmArgs)
            throws IOException, InterruptedException {
        loadAtStart = loadAverage();
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst()
                .orElse("unknown");
        line("- date: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        line("- Sinkron revision: " + revision);
        line("- CPUs: " + Runtime.getRuntime().availableProcessors() + " x " + cpu);
        line("- kernel: " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
        line("- JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + "; consensus nodes run with " + String.join(" ", sinkronJvmArgs) + ", services and the trivial"
                + " endpoint with " + String.join(" ", serviceJvmArgs));
        line("- etcd: " + etcdVersion(etcd) + ", 3 members, default settings, load on the leader's JSON gateway");
        line("- wrk: " + wrk);
        line("- each measurement: " + warmupSeconds + " s warmup, then " + measureSeconds
                + " s measured; every client one keep-alive HTTP/1.1 connection");
    }

    private void line(String text) {
        machine.append(text).append('\n');
    }

    void add(ServiceResult row) {
        rows.add(row);
        System.err.printf(
                Locale.ROOT,
                "[services]   %,.0f ops/s, p50 %.2f ms, p99 %.2f ms, %d errors%s%n",
                row.throughput(),
                row.p50Millis(),
                row.p99Millis(),
                row.errors(),
                row.firstError() == null ? "" : " (first: " + abbreviate(row.firstError()) + ")");
    }

    void note(String text) {
        notes.add(text);
    }

    void zipf(ServiceResult row, long hits, long misses) {
        zipf = new ZipfRatio(row, hits, misses);
    }

    void holders(int count, Histogram latencies, long errors) {
        holders.add(new Holders(count, latencies, errors));
        System.err.printf(
                Locale.ROOT,
                "[services]   %d holders: p50 %.2f ms, %d errors%n",
                count,
                latencies.getValueAtPercentile(50) / 1e6,
                errors);
    }

    void heap(long messages, long[] before, long[] after, long[] afterSnapshot, List<String> jvmArgs) {
        heap = new Heap(messages, before, after, afterSnapshot, jvmArgs);
    }

    void finish() {
        loadAtEnd = loadAverage();
    }

    String markdown() {
        var b = new StringBuilder();
        if (loadAtStart != null) {
            b.append("### Machine and settings\n\n").append(machine);
            b.append("- load average (1, 5, 15 min) at start: ")
                    .append(loadAtStart)
                    .append("; at end: ")
                    .append(loadAtEnd)
                    .append('\n');
            for (String note : notes) {
                b.append("- ").append(note).append('\n');
            }
        }

        b.append("\n### Load-generator calibration\n\n");
        b.append("| target | request | driver | connections | req/s | p50 ms | p99 ms | errors |\n");
        b.append("|---|---|---|---:|---:|---:|---:|---:|\n");
        for (ServiceResult r : group("calibration")) {
            b.append("| ")
                    .append(r.target())
                    .append(" | ")
                    .append(r.workload())
                    .append(" | ")
                    .append(r.driver());
            b.append(" | ")
                    .append(r.clients())
                    .append(" | ")
                    .append(rate(r.throughput()))
                    .append(" | ");
            b.append(ms(r.p50Millis()))
                    .append(" | ")
                    .append(ms(r.p99Millis()))
                    .append(" | ")
                    .append(r.errors());
            b.append(" |\n");
        }
        b.append('\n');
        List<ServiceResult> calibration = group("calibration");
        calibration.stream()
                .filter(r -> !r.driver().equals("JVM harness"))
                .map(r -> List.of(r.target(), r.workload(), r.driver()))
                .distinct()
                .forEach(key -> {
                    Optional<ServiceResult> ours = best(key.get(0), key.get(1), "JVM harness");
                    Optional<ServiceResult> tool = best(key.get(0), key.get(1), key.get(2));
                    if (ours.isPresent() && tool.isPresent()) {
                        double ratio = ours.get().throughput() / tool.get().throughput();
                        b.append("- ")
                                .append(key.get(0))
                                .append(' ')
                                .append(key.get(1))
                                .append(": the JVM harness's best run reaches ")
                                .append(percent(ratio));
                        b.append(" of ")
                                .append(key.get(2))
                                .append("'s best (")
                                .append(rate(ours.get().throughput()))
                                .append(" vs ");
                        b.append(rate(tool.get().throughput()))
                                .append(" req/s) — ")
                                .append(verdict(ratio >= 0.9))
                                .append('\n');
                    }
                });

        for (String group : groups()) {
            if (group.equals("calibration")) {
                continue;
            }
            b.append("\n### ").append(group).append("\n\n");
            b.append("| workload | target | loop | clients | ops/s | p50 ms | p99 ms | p99.9 ms | errors"
                    + " | store CPU µs/op | front CPU µs/op | generator CPU µs/op |\n");
            b.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (ServiceResult r : group(group)) {
                b.append("| ")
                        .append(r.workload())
                        .append(" | ")
                        .append(r.target())
                        .append(" | ")
                        .append(r.mode());
                b.append(" | ")
                        .append(r.clients())
                        .append(" | ")
                        .append(rate(r.throughput()))
                        .append(" | ");
                b.append(ms(r.p50Millis()))
                        .append(" | ")
                        .append(ms(r.p99Millis()))
                        .append(" | ");
                b.append(ms(r.p999Millis())).append(" | ").append(r.errors()).append(" | ");
                b.append(cpu(r.storeCpuMicrosPerOp())).append(" | ").append(cpu(r.frontCpuMicrosPerOp()));
                b.append(" | ").append(cpu(r.generatorCpuMicrosPerOp())).append(" |\n");
            }
            if (!plotName(group).isEmpty() && plots.contains(plotName(group))) {
                b.append("\n![")
                        .append(group)
                        .append("](")
                        .append(plotName(group))
                        .append(")\n");
            }
        }

        if (zipf != null) {
            long total = zipf.hits() + zipf.misses();
            b.append("\n### Cache under a Zipf workload\n\n");
            b.append("- ")
                    .append(zipf.row().workload())
                    .append(", ")
                    .append(zipf.row().clients());
            b.append(" clients spread over the instances: ")
                    .append(rate(zipf.row().throughput()));
            b.append(" ops/s, near-cache hit ratio of the GETs ")
                    .append(total == 0 ? "n/a" : percent((double) zipf.hits() / total))
                    .append(" (")
                    .append(zipf.hits())
                    .append(" hits, ")
                    .append(zipf.misses())
                    .append(" misses, summed over the instances' /cache/stats)\n");
        }

        if (!holders.isEmpty()) {
            b.append("\n### Cache write latency against holders to invalidate\n\n");
            b.append("One client; each round a fresh key, written through cache-a (which then holds it) and read"
                    + " through cache-c and cache-b as needed, then the timed PUT through cache-b. 3 holders means"
                    + " cache-a, cache-c and the writer itself.\n\n");
            b.append("| holders | writes | p50 ms | p99 ms | p99.9 ms | max ms | errors |\n");
            b.append("|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Holders h : holders) {
                Histogram l = h.latencies();
                b.append("| ")
                        .append(h.holders())
                        .append(" | ")
                        .append(l.getTotalCount())
                        .append(" | ");
                b.append(ms(l.getValueAtPercentile(50) / 1e6)).append(" | ");
                b.append(ms(l.getValueAtPercentile(99) / 1e6)).append(" | ");
                b.append(ms(l.getValueAtPercentile(99.9) / 1e6)).append(" | ");
                b.append(ms(l.getMaxValue() / 1e6))
                        .append(" | ")
                        .append(h.errors())
                        .append(" |\n");
            }
        }

        if (heap != null) {
            b.append("\n### consensus-node heap per resident message\n\n");
            b.append(String.format(Locale.ROOT, "%,d", heap.messages()))
                    .append(" resident 100-character messages, enqueued in batches of 100 into one queue; used heap"
                            + " after a full GC (`jcmd <pid> GC.run`, then `GC.heap_info`), nodes run with ")
                    .append(String.join(" ", heap.jvmArgs()))
                    .append(".\n\n");
            b.append("| node | before MB | after MB | MB per million | after a snapshot MB | MB per million |\n");
            b.append("|---|---:|---:|---:|---:|---:|\n");
            for (int i = 0; i < heap.before().length; i++) {
                b.append("| ").append(SinkronCluster.nodeId(i)).append(" | ").append(mb(heap.before()[i]));
                b.append(" | ").append(mb(heap.after()[i])).append(" | ").append(mb(perMillion(heap.after(), i)));
                b.append(" | ").append(mb(heap.afterSnapshot()[i])).append(" | ");
                b.append(mb(perMillion(heap.afterSnapshot(), i))).append(" |\n");
            }
        }

        b.append("\n### Targets\n\n");
        targets(b);
        return b.toString();
    }

    private double perMillion(long[] after, int node) {
        if (after[node] < 0 || after[node] < heap.before()[node]) {
            // No figure, or one smaller than the noise of a tiny run.
            return Double.NaN;
        }
        return heap.messages() == 0 ? 0 : (after[node] - heap.before()[node]) * 1e6 / heap.messages();
    }

    private void targets(StringBuilder b) {
        ratio(b, "locks, most clients, ≥ 2x etcd's lock+unlock", "locks", "sinkron", "locks", "etcd", 2);
        closed("locks", "sinkron", 1)
                .ifPresent(r -> b.append("- locks, 1 client, acquire+release p50 < 3 ms: ")
                        .append(ms(r.p50Millis()))
                        .append(" ms")
                        .append(closed("locks", "etcd", 1)
                                .map(e -> " (etcd " + ms(e.p50Millis()) + " ms)")
                                .orElse(""))
                        .append(" — ")
                        .append(verdict(r.p50Millis() < 3))
                        .append('\n'));
        ratio(b, "lock hand-off among 16 clients ≥ 5x etcd's", "lock hand-off", "sinkron", "lock hand-off", "etcd", 5);
        ratio(
                b,
                "enqueue, most clients, ≥ 1.5x etcd's JSON put",
                "queue enqueue vs put",
                "sinkron",
                "queue enqueue vs put",
                "etcd",
                1.5);
        var enqueue = maxClosed("queue enqueue vs put", "sinkron");
        var put = maxClosed("queue enqueue vs put", "etcd");
        if (enqueue.isPresent() && put.isPresent()) {
            b.append("- enqueue p99 no worse than etcd's put: ")
                    .append(ms(enqueue.get().p99Millis()))
                    .append(" ms vs ")
                    .append(ms(put.get().p99Millis()))
                    .append(" ms — ")
                    .append(verdict(enqueue.get().p99Millis() <= put.get().p99Millis()))
                    .append('\n');
        }
        if (heap != null) {
            double worst = 0;
            double worstAfterSnapshot = 0;
            for (int i = 0; i < heap.before().length; i++) {
                worst = Math.max(worst, perMillion(heap.after(), i));
                double snapshotted = perMillion(heap.afterSnapshot(), i);
                worstAfterSnapshot = Double.isNaN(snapshotted) ? Double.NaN : Math.max(worstAfterSnapshot, snapshotted);
            }
            double limit = 300 * 1024 * 1024.0;
            b.append("- consensus-node heap per million resident 100-byte messages < 300 MB: at most ")
                    .append(mb(worst))
                    .append(" MB on any node, ")
                    .append(mb(worstAfterSnapshot))
                    .append(" MB after a snapshot — ")
                    .append(verdict(worst < limit))
                    .append(worst >= limit && worstAfterSnapshot < limit ? " (met once a snapshot let the log go)" : "")
                    .append('\n');
        }
        ratio(
                b,
                "cache hit GET, most clients, ≥ 70% of the trivial Spring MVC endpoint",
                "cache GET vs range",
                "sinkron",
                "cache GET vs range",
                "spring-mvc",
                0.7);
        ratio(
                b,
                "cache hit GET, most clients, ≥ 2x etcd's linearizable range",
                "cache GET vs range",
                "sinkron",
                "cache GET vs range",
                "etcd",
                2);
        ratio(
                b,
                "cache PUT, most clients, ≥ 1.5x etcd's JSON put",
                "cache PUT vs put",
                "sinkron",
                "queue enqueue vs put",
                "etcd",
                1.5);
        share(b, "cache hit GET, most clients, against Redis's GET", "cache GET vs range");
        share(b, "cache PUT, most clients, against Redis's SET", "cache PUT vs put");
    }

    /** Sinkron's share of Redis's throughput: no target, Redis is the non-replicated upper bound. */
    private void share(StringBuilder b, String text, String group) {
        var ours = maxClosed(group, "sinkron");
        var redis = maxClosed(group, "redis");
        if (ours.isEmpty() || redis.isEmpty()) {
            return;
        }
        b.append("- ")
                .append(text)
                .append(" (the non-replicated in-memory upper bound, no target): ")
                .append(rate(ours.get().throughput()))
                .append(" vs ")
                .append(rate(redis.get().throughput()))
                .append(" ops/s = ")
                .append(percent(ours.get().throughput() / redis.get().throughput()))
                .append('\n');
    }

    private void ratio(
            StringBuilder b, String text, String group, String target, String refGroup, String ref, double at) {
        var ours = maxClosed(group, target);
        var theirs = maxClosed(refGroup, ref);
        if (ours.isEmpty() || theirs.isEmpty()) {
            return;
        }
        double ratio = ours.get().throughput() / theirs.get().throughput();
        b.append("- ")
                .append(text)
                .append(": ")
                .append(rate(ours.get().throughput()))
                .append(" vs ")
                .append(rate(theirs.get().throughput()))
                .append(" ops/s = ")
                .append(String.format(Locale.ROOT, "%.2fx", ratio))
                .append(" — ")
                .append(verdict(ratio >= at))
                .append('\n');
    }

    /** The closed loop with the most clients of {@code target} in {@code group}. */
    private Optional<ServiceResult> maxClosed(String group, String target) {
        return group(group).stream()
                .filter(r -> r.target().equals(target) && r.offered() == 0)
                .max((x, y) -> Integer.compare(x.clients(), y.clients()));
    }

    private Optional<ServiceResult> closed(String group, String target, int clients) {
        return group(group).stream()
                .filter(r -> r.target().equals(target) && r.offered() == 0 && r.clients() == clients)
                .findFirst();
    }

    /** The fastest calibration run of {@code driver} against {@code target} with {@code workload}. */
    private Optional<ServiceResult> best(String target, String workload, String driver) {
        return group("calibration").stream()
                .filter(r -> r.target().equals(target)
                        && r.workload().equals(workload)
                        && r.driver().equals(driver))
                .max(Comparator.comparingDouble(ServiceResult::throughput));
    }

    private List<ServiceResult> group(String group) {
        return rows.stream().filter(r -> r.group().equals(group)).toList();
    }

    private List<String> groups() {
        return rows.stream().map(ServiceResult::group).distinct().toList();
    }

    /** One PNG per comparison with more than one point: latency (p50, p99) against throughput. */
    void plots() throws IOException {
        for (String group : groups()) {
            if (group.equals("calibration") || group(group).size() < 2) {
                continue;
            }
            Map<String, List<ServiceResult>> series = new LinkedHashMap<>();
            for (ServiceResult r : group(group)) {
                String loop = r.offered() > 0 ? "open loop" : "closed loop";
                series.computeIfAbsent(r.target() + ": " + r.workload() + ", " + loop, k -> new ArrayList<>())
                        .add(r);
            }
            String name = plotName(group);
            LatencyPlot.write(out.resolve(name), group + " — latency against throughput", series);
            plots.add(name);
        }
        Files.writeString(out.resolve("results.md"), markdown());
    }

    static String plotName(String group) {
        return "services-" + group.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("-+$", "") + ".png";
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
    }

    private static String verdict(boolean met) {
        return met ? "**met**" : "**not met**";
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    private static String ms(double millis) {
        return Double.isNaN(millis) ? "–" : String.format(Locale.ROOT, "%.2f", millis);
    }

    private static String cpu(double micros) {
        return Double.isNaN(micros) ? "–" : String.format(Locale.ROOT, "%.0f", micros);
    }

    private static String mb(double bytes) {
        if (Double.isNaN(bytes) || bytes < 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.0f", bytes / (1024 * 1024));
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + ", " + fields[1] + ", " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String etcdVersion(String etcd) throws IOException, InterruptedException {
        var process =
                new ProcessBuilder(etcd, "--version").redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes()).strip();
        process.waitFor();
        return text.lines().findFirst().orElse("unknown");
    }
}
