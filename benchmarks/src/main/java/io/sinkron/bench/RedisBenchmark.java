package io.sinkron.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code redis-benchmark} (Debian's redis-tools), the native tool the RESP client is calibrated
 * against, as {@link Wrk} is for HTTP: {@code -t set,get -c N -n requests -P 1 -d 100 -r keys},
 * one command in flight per connection like the harness, {@code --threads} one per core like wrk's
 * {@code -t}. Its CSV output is parsed: requests per second and latency percentiles per command.
 */
final class RedisBenchmark {

    record Result(String command, double throughput, double p50Millis, double p99Millis) {}

    private RedisBenchmark() {}

    /** Runs SET then GET (redis-benchmark's own order), {@code requests} of each. */
    static List<Result> run(String tool, String endpoint, int connections, int threads, long requests, int keys)
            throws IOException, InterruptedException {
        String[] hostPort = endpoint.split(":");
        var process = new ProcessBuilder(
                        tool,
                        "-h",
                        hostPort[0],
                        "-p",
                        hostPort[1],
                        "-t",
                        "set,get",
                        "-c",
                        Integer.toString(connections),
                        "-n",
                        Long.toString(requests),
                        "-P",
                        "1",
                        "-d",
                        "100",
                        "-r",
                        Integer.toString(keys),
                        "--threads",
                        Integer.toString(threads),
                        "--csv")
                .redirectErrorStream(true)
                .start();
        String output;
        try (var in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("redis-benchmark did not finish");
        }
        return parse(output);
    }

    /** The rows of redis-benchmark's {@code --csv} output (Redis 7: a header row, then one per test). */
    static List<Result> parse(String csv) {
        Map<String, Result> results = new LinkedHashMap<>();
        String[] header = null;
        for (String line : csv.lines().toList()) {
            if (!line.startsWith("\"")) {
                continue;
            }
            String[] cells = line.replace("\"", "").split(",");
            if (header == null) {
                header = cells;
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < Math.min(cells.length, header.length); i++) {
                row.put(header[i], cells[i]);
            }
            results.put(
                    cells[0],
                    new Result(
                            cells[0],
                            Double.parseDouble(row.get("rps")),
                            Double.parseDouble(row.getOrDefault("p50_latency_ms", "NaN")),
                            Double.parseDouble(row.getOrDefault("p99_latency_ms", "NaN"))));
        }
        if (results.isEmpty()) {
            throw new IllegalStateException("no results in redis-benchmark's output:\n" + csv);
        }
        return List.copyOf(results.values());
    }
}
