package io.sinkron.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merging the results of runs with different parts, e.g. Redis measured on its own. */
class ServicesMergeTest {

    private static final String HEADER =
            "| workload | target | loop | clients | ops/s | p50 ms | p99 ms | p99.9 ms | errors"
                    + " | store CPU µs/op | front CPU µs/op | generator CPU µs/op |\n"
                    + "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";

    @Test
    void when_a_redis_run_is_merged_with_a_sinkron_run_then_its_rows_share_the_cache_tables_and_plots(@TempDir Path dir)
            throws Exception {
        Path sinkron = Files.createDirectories(dir.resolve("sinkron"));
        Path redis = Files.createDirectories(dir.resolve("redis"));
        Files.writeString(
                sinkron.resolve("results.md"),
                "### Machine and settings\n\n- date: today\n\n### cache GET vs range\n\n" + HEADER
                        + "| near-cache hit GET | sinkron | closed | 64 | 20,000 | 3.00 | 9.00 | 12.00 | 0 | 40 | 60 | 30 |\n"
                        + "| near-cache hit GET | sinkron | closed | 1 | 2,000 | 0.50 | 0.90 | 1.20 | 0 | 40 | 60 | 30 |\n");
        Files.writeString(
                redis.resolve("results.md"),
                "### Machine and settings\n\n- Redis: Redis server v=7.0.15, no replica\n\n### cache GET vs range\n\n"
                        + HEADER
                        + "| GET hit | redis | closed | 64 | 80,000 | 0.70 | 2.00 | 3.00 | 0 | 10 | – | 12 |\n"
                        + "| GET hit | redis | closed | 1 | 9,000 | 0.10 | 0.20 | 0.30 | 0 | 10 | – | 12 |\n"
                        + "| GET hit | redis | open 40000/s | 64 | 39,990 | 0.20 | 0.90 | 1.50 | 0 | 10 | – | 12 |\n"
                        + "\n### cache PUT vs put\n\n" + HEADER
                        + "| SET 100 B | redis | closed | 64 | 70,000 | 0.80 | 2.50 | 4.00 | 0 | 11 | – | 13 |\n");
        Path out = dir.resolve("merged");

        ServicesMerge.main(new String[] {"--in=" + sinkron + "," + redis, "--out=" + out});

        String merged = Files.readString(out.resolve("results.md"));
        assertThat(merged)
                .contains("| GET hit | redis | open 40000/s | 64 | 39,990 | 0.20 | 0.90 | 1.50 | 0 | 10 | – | 12 |")
                .contains("| SET 100 B | redis | closed | 64 | 70,000 | 0.80 | 2.50 | 4.00 | 0 | 11 | – | 13 |")
                .contains("| near-cache hit GET | sinkron | closed | 64 | 20,000 |")
                .contains("cache hit GET, most clients, against Redis's GET (the non-replicated in-memory upper"
                        + " bound, no target): 20,000 vs 80,000 ops/s = 25%")
                .contains("- Redis: Redis server v=7.0.15, no replica");
        Path plot = out.resolve(ServicesReport.plotName("cache GET vs range"));
        assertThat(plot).exists();
        assertThat(Files.size(plot)).isPositive();
    }
}
