package io.sinkron.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Collects the measurements of one {@link BenchmarkRun} and renders them as Markdown. */
final class Report {

    private final String revision;
    private final int warmupSeconds;
    private final int measureSeconds;
    private final List<String> sinkronJvmArgs;
    private final List<Measurement> loads = new ArrayList<>();
    private final List<Measurement> calibrations = new ArrayList<>();
    private final List<FailoverProbe.Sample> failovers = new ArrayList<>();
    private final StringBuilder machine = new StringBuilder();
    private String loadAtStart;
    private String loadAtEnd;

    Report(String revision, int warmupSeconds, int measureSeconds, List<String> sinkronJvmArgs) {
        this.revision = revision;
        this.warmupSeconds = warmupSeconds;
        this.measureSeconds = measureSeconds;
        this.sinkronJvmArgs = sinkronJvmArgs;
    }

    void machine(Path out, String etcd) throws IOException, InterruptedException {
        loadAtStart = loadAverage();
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst()
                .orElse("unknown");
        DiskProbe.Result fsync = DiskProbe.measure(out, 200);
        line("- date: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        line("- Sinkron revision: " + revision);
        line("- CPUs: " + Runtime.getRuntime().availableProcessors() + " x " + cpu);
        line("- kernel: " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
        line("- JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + "; Sinkron nodes run with " + String.join(" ", sinkronJvmArgs));
        line("- etcd: " + etcdVersion(etcd));
        line("- drivers: Sinkron through ConsensusClient; etcd through a plain grpc-java stub of"
                + " etcdserverpb.KV/Put on a channel built like ConsensusClient's; jetcd 0.8.6 only as a"
                + " calibration row");
        line("- data directories on " + Files.getFileStore(out).type() + " ("
                + Files.getFileStore(out).name()
                + "); 150-byte append + fdatasync: p50 " + ms(fsync.p50Millis()) + " ms, p99 "
                + ms(fsync.p99Millis()) + " ms over " + fsync.samples() + " samples");
        line("- each level: " + warmupSeconds + " s warmup, then " + measureSeconds
                + " s measured; 100-byte values, keys drawn from 10,000 8-byte keys");
    }

    private void line(String text) {
        machine.append(text).append('\n');
    }

    void roundTrip(double[] p50p99Micros) {
        line("- gRPC round-trip floor (ConsensusClient submit to a stub server answering at once, JMH"
                + " sample mode, 1 thread): p50 " + micros(p50p99Micros[0]) + " µs, p99 " + micros(p50p99Micros[1])
                + " µs");
    }

    void load(Measurement m) {
        loads.add(m);
        System.err.println("[bench]   " + m.throughput() + " puts/s, p50 " + ms(m.p50Millis()) + " ms, p99 "
                + ms(m.p99Millis()) + " ms");
    }

    void calibration(Measurement m) {
        calibrations.add(m);
        System.err.println("[bench]   " + m.throughput() + " puts/s");
    }

    void failover(List<FailoverProbe.Sample> samples) {
        failovers.addAll(samples);
    }

    void finish() {
        loadAtEnd = loadAverage();
    }

    String markdown() {
        var b = new StringBuilder();
        b.append("### Machine and settings\n\n").append(machine);
        b.append("- load average (1, 5, 15 min) at start: ")
                .append(loadAtStart)
                .append("; at end: ")
                .append(loadAtEnd)
                .append("\n\n");

        b.append("### Replicated puts, 3 members on 127.0.0.1, fsync on\n\n");
        b.append("| target | clients | puts/s | p50 ms | p99 ms | p99.9 ms | errors | server CPU µs/put"
                + " | generator CPU µs/put | puts per leader fsync | leader fsync ms |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measurement m : loads) {
            row(b, m.target(), m);
        }

        b.append("\n### Load-generator calibration\n\n");
        b.append("| target | driver | processes | clients | puts/s | p50 ms | p99 ms | p99.9 ms | errors"
                + " | server CPU µs/put | generator CPU µs/put | puts per leader fsync | leader fsync ms |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measurement m : calibrations) {
            b.append("| ").append(m.target()).append(" | ").append(m.driver()).append(" | ");
            b.append(m.generatorProcesses()).append(' ');
            row(b, "", m);
        }
        b.append('\n');
        for (Measurement c : calibrations) {
            single(c.target(), c.clients())
                    .ifPresent(s -> b.append("- ")
                            .append(c.target())
                            .append(", ")
                            .append(c.clients())
                            .append(" clients: the single JVM harness reaches ")
                            .append(percent(s.throughput() / c.throughput()))
                            .append(" of ")
                            .append(c.driver())
                            .append(" (")
                            .append(rate(s.throughput()))
                            .append(" vs ")
                            .append(rate(c.throughput()))
                            .append(" puts/s)")
                            .append(
                                    c.driver().startsWith("native")
                                            ? s.throughput() >= 0.9 * c.throughput()
                                                    ? " — ≥ 90% of the native tool: **met**"
                                                    : " — ≥ 90% of the native tool: **not met**"
                                            : "")
                            .append('\n'));
        }

        if (!failovers.isEmpty()) {
            b.append("\n### Sinkron leader failover (kill -9 the leader)\n\n");
            b.append("| round | killed | survivors agree on a new leader, ms | next put committed, ms |\n");
            b.append("|---:|---|---:|---:|\n");
            for (int i = 0; i < failovers.size(); i++) {
                var f = failovers.get(i);
                b.append("| ")
                        .append(i + 1)
                        .append(" | ")
                        .append(f.killed())
                        .append(" | ")
                        .append(ms0(f.electedMillis()))
                        .append(" | ")
                        .append(ms0(f.committedMillis()))
                        .append(" |\n");
            }
            b.append("| median | | ")
                    .append(ms0(median(failovers.stream()
                            .mapToDouble(FailoverProbe.Sample::electedMillis)
                            .toArray())))
                    .append(" | ")
                    .append(ms0(medianCommitted()))
                    .append(" |\n");
        }

        b.append("\n### Targets of issue 2 §7\n\n");
        targets(b);
        return b.toString();
    }

    private void targets(StringBuilder b) {
        Optional<Measurement> s64 = single("sinkron", 64);
        Optional<Measurement> e64 = single("etcd", 64);
        if (s64.isPresent() && e64.isPresent()) {
            double ratio = s64.get().throughput() / e64.get().throughput();
            b.append("- 64 clients, throughput ≥ 1.5x etcd: ")
                    .append(String.format(Locale.ROOT, "%.2fx", ratio))
                    .append(" — ")
                    .append(ratio >= 1.5 ? "**met**" : "**not met**")
                    .append('\n');
            boolean p99 = s64.get().p99Millis() <= e64.get().p99Millis();
            b.append("- 64 clients, p99 no worse than etcd: ")
                    .append(ms(s64.get().p99Millis()))
                    .append(" ms vs ")
                    .append(ms(e64.get().p99Millis()))
                    .append(" ms — ")
                    .append(p99 ? "**met**" : "**not met**")
                    .append('\n');
        }
        single("sinkron", 1)
                .ifPresent(s1 -> b.append("- 1 client, p50 < 1 ms: ")
                        .append(ms(s1.p50Millis()))
                        .append(" ms — ")
                        .append(s1.p50Millis() < 1 ? "**met**" : "**not met**")
                        .append('\n'));
        if (!failovers.isEmpty()) {
            double median = medianCommitted();
            double worst = failovers.stream()
                    .mapToDouble(FailoverProbe.Sample::committedMillis)
                    .max()
                    .orElseThrow();
            b.append("- failover < 1.5 s: median ")
                    .append(ms0(median))
                    .append(" ms, worst ")
                    .append(ms0(worst))
                    .append(" ms — ")
                    .append(worst < 1500 ? "**met**" : median < 1500 ? "**met by the median only**" : "**not met**")
                    .append('\n');
        }
    }

    private Optional<Measurement> single(String target, int clients) {
        return loads.stream()
                .filter(m -> m.target().equals(target) && m.clients() == clients)
                .findFirst();
    }

    private double medianCommitted() {
        return median(failovers.stream()
                .mapToDouble(FailoverProbe.Sample::committedMillis)
                .toArray());
    }

    private static void row(StringBuilder b, String first, Measurement m) {
        b.append(first.isEmpty() ? "" : "| " + first + " ")
                .append("| ")
                .append(m.clients())
                .append(" | ")
                .append(rate(m.throughput()))
                .append(" | ")
                .append(ms(m.p50Millis()))
                .append(" | ")
                .append(ms(m.p99Millis()))
                .append(" | ")
                .append(ms(m.p999Millis()))
                .append(" | ")
                .append(m.errors())
                .append(" | ")
                .append(String.format(Locale.ROOT, "%.0f", m.serverCpuMicrosPerOp()))
                .append(" | ")
                .append(String.format(Locale.ROOT, "%.0f", m.generatorCpuMicrosPerOp()))
                .append(" | ")
                .append(String.format(Locale.ROOT, "%.1f", m.opsPerLeaderFsync()))
                .append(" | ")
                .append(ms(m.leaderFsyncMillis()))
                .append(" |\n");
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    private static String ms(double millis) {
        return String.format(Locale.ROOT, "%.2f", millis);
    }

    private static String micros(double micros) {
        return String.format(Locale.ROOT, "%.0f", micros);
    }

    private static String ms0(double millis) {
        return String.format(Locale.ROOT, "%.0f", millis);
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
        String out = new String(process.getInputStream().readAllBytes()).strip();
        process.waitFor();
        return out.lines().findFirst().orElse("unknown");
    }
}
